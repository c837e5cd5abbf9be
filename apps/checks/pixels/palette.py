"""palette: the dominant colours, each one's nearest brand colour and ΔE2000, and the share of the
image on brand (within the kit's tolerance)."""

from PIL import Image

from apps.checks.models import Outcome
from apps.checks.pixels import colours
from apps.checks.pixels.common import Context, result

CHECK = "palette"
DOMINANT = 12  # colours the image is reduced to
SAMPLE_SIDE = 256
FORBIDDEN_MIN_SHARE = 0.01  # a forbidden colour counts once it covers 1% of the image


def dominant(image: Image.Image) -> list[tuple[tuple[int, int, int], float]]:
    """[(rgb, share)], largest first."""
    small = image.convert("RGB")
    small.thumbnail((SAMPLE_SIDE, SAMPLE_SIDE))
    quantised = small.quantize(colors=DOMINANT, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette()
    total = small.width * small.height
    counts = sorted(quantised.getcolors(DOMINANT), reverse=True)
    return [(tuple(palette[index * 3 : index * 3 + 3]), count / total) for count, index in counts]


def run(ctx: Context) -> dict:
    kit = ctx.kit
    brand = [(entry.get("name") or entry["hex"], colours.from_hex(entry["hex"])) for entry in kit.palette or []]
    forbidden = [colours.from_hex(value) for value in kit.forbidden_colours or []]
    found = []
    share_on_brand = 0.0
    forbidden_found = []
    for rgb, share in dominant(ctx.analysis_image):
        entry = {"hex": colours.to_hex(rgb), "share": round(share, 4)}
        if brand:
            distances = [(colours.delta_e(rgb, colour), name, colour) for name, colour in brand]
            distance, name, colour = min(distances)
            entry.update(nearest=name, nearest_hex=colours.to_hex(colour), delta_e=distance, on_brand=distance <= kit.tolerance)
            share_on_brand += share if distance <= kit.tolerance else 0
        for colour in forbidden:
            if share >= FORBIDDEN_MIN_SHARE and colours.delta_e(rgb, colour) <= kit.tolerance:
                forbidden_found.append({"hex": colours.to_hex(colour), "found": entry["hex"], "share": entry["share"]})
        found.append(entry)
    figures = {"dominant": found, "tolerance": kit.tolerance, "min_brand_share": kit.min_brand_share}
    if brand:
        figures["share_on_brand"] = round(share_on_brand, 4)
    if forbidden_found:
        listed = ", ".join(f"{f['hex']} ({f['share']:.0%})" for f in forbidden_found)
        return result(CHECK, Outcome.FAIL, f"Forbidden colour(s) in the image: {listed}.", figures)
    if not brand:
        return result(CHECK, Outcome.PASS, "The brand kit has no palette; the dominant colours are listed.", figures)
    if kit.min_brand_share is not None and share_on_brand < kit.min_brand_share:
        return result(
            CHECK, Outcome.FAIL,
            f"{share_on_brand:.0%} of the image is in brand colours; the kit asks for at least {kit.min_brand_share:.0%} (ΔE2000 ≤ {kit.tolerance:g}).",
            figures,
        )
    top = found[0]
    if not top.get("on_brand"):
        return result(
            CHECK, Outcome.WARN,
            f"The main colour {top['hex']} is off brand (nearest {top['nearest']}, ΔE2000 {top['delta_e']}); {share_on_brand:.0%} of the image is on brand.",
            figures,
        )
    return result(CHECK, Outcome.PASS, f"{share_on_brand:.0%} of the image is in brand colours.", figures)
