"""near duplicate: the closest already approved or rejected asset of the project by perceptual hash
(imagehash's pHash, 64 bits), linked when closer than the threshold. Lineage (the sources and
versions of this asset) and its campaign are left out by the caller: a translation is meant to look like
its source, a campaign's formats like each other."""

import imagehash

from apps.checks.models import Outcome
from apps.checks.pixels.common import Context, result

CHECK = "near_duplicate"
THRESHOLD = 6  # bits of 64 that differ


def phash(image) -> str:
    return str(imagehash.phash(image.convert("RGB")))


def run(ctx: Context, own_hash: str) -> dict:
    figures = {"phash": own_hash, "threshold": THRESHOLD}
    own = imagehash.hex_to_hash(own_hash)
    closest = None
    for asset_id, status, other in ctx.duplicates:
        distance = own - imagehash.hex_to_hash(other)
        if closest is None or distance < closest[0]:
            closest = (int(distance), asset_id, status)
    if closest:
        figures.update(closest_distance=closest[0], closest_asset=closest[1], closest_status=closest[2])
    if closest and closest[0] <= THRESHOLD:
        return result(
            CHECK, Outcome.WARN, f"Nearly the same picture as an asset already {closest[2]} (distance {closest[0]} of 64).", figures
        )
    return result(CHECK, Outcome.PASS, "No approved or rejected asset of the project looks nearly the same.", figures)
