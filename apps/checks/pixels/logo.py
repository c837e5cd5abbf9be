"""logo: the mark found by SIFT feature matching against the logo's reference images (scale- and
rotation-invariant), confirmed by a RANSAC homography, with its box."""

from __future__ import annotations

import hashlib
import threading

import cv2
import numpy as np
from PIL import Image

from apps.checks.models import Outcome
from apps.checks.pixels.common import Context, result, scaled

CHECK = "logo"
REFERENCE_MAX_SIDE = 512
# SIFT doubles the image first and keeps a float pyramid: at 1024 px that is ~200 MiB for a moment,
# at 768 ~110 MiB, and the emulator's mark (a sixth of the short side) still matches with 25+ inliers
# in every catalogue ratio, also turned by 25°.
SEARCH_MAX_SIDE = 768
RATIO = 0.75  # Lowe's ratio test
MIN_INLIERS = 12
# One thread per check: the checks queue runs a process per core, and OpenCV's own thread pool on
# top of it only adds contention (measured: 0.5–0.9 s of CPU per 1K image with it, steadier without).
cv2.setNumThreads(1)
_features: dict[str, tuple] = {}  # reference sha256 → (keypoints, descriptors, size): computed once per process
_lock = threading.Lock()
_local = threading.local()


def _sift():
    if not hasattr(_local, "sift"):
        # Two layers per octave (not three): a smaller pyramid, and on the mark more inliers, not fewer.
        _local.sift = cv2.SIFT_create(nfeatures=2000, nOctaveLayers=2)
    return _local.sift


def _grey(image: Image.Image) -> np.ndarray:
    return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2GRAY)


def reference_features(image: Image.Image) -> tuple:
    key = hashlib.sha256(image.tobytes()).hexdigest() + str(image.size)
    with _lock:
        if key not in _features:
            small, _ = scaled(image, REFERENCE_MAX_SIDE)
            keypoints, descriptors = _sift().detectAndCompute(_grey(small), None)
            _features[key] = ([k.pt for k in keypoints], descriptors, small.size)
        return _features[key]


def find(image: Image.Image, reference: Image.Image) -> tuple[list[int] | None, int]:
    """(box [x, y, w, h] in the image's full-size pixels or None, inliers)."""
    points, descriptors, (rw, rh) = reference_features(reference)
    if descriptors is None or len(points) < 4:
        return None, 0
    small, factor = scaled(image, SEARCH_MAX_SIDE)
    keypoints, found = _sift().detectAndCompute(_grey(small), None)
    if found is None or len(keypoints) < 4:
        return None, 0
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(descriptors, found, k=2)
    good = [m for m, *rest in pairs if rest and m.distance < RATIO * rest[0].distance]
    if len(good) < MIN_INLIERS:
        return None, len(good)
    source = np.float32([points[m.queryIdx] for m in good]).reshape(-1, 1, 2)
    target = np.float32([keypoints[m.trainIdx].pt for m in good]).reshape(-1, 1, 2)
    homography, mask = cv2.findHomography(source, target, cv2.RANSAC, 5.0)
    inliers = int(mask.sum()) if mask is not None else 0
    if homography is None or inliers < MIN_INLIERS:
        return None, inliers
    corners = cv2.perspectiveTransform(np.float32([[0, 0], [rw, 0], [rw, rh], [0, rh]]).reshape(-1, 1, 2), homography).reshape(-1, 2)
    x0, y0 = corners.min(axis=0) * factor
    x1, y1 = corners.max(axis=0) * factor
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(image.width, x1), min(image.height, y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None, inliers
    return [int(x0), int(y0), int(x1 - x0), int(y1 - y0)], inliers


def run(ctx: Context) -> dict:
    by_campaign = ctx.expected.logo_required is not None
    required = ctx.expected.logo_required if by_campaign else ctx.kit.logo_required
    rule = "the campaign" if by_campaign else "the brand kit"
    if not ctx.logos:
        if required:
            return result(CHECK, Outcome.WARN, f"{rule.capitalize()} requires the logo, but the library has no logo images to look for.")
        return result(CHECK, Outcome.PASS, "No logo required, and the library has no logo images.")
    best_box, best_inliers = None, 0
    for reference in ctx.logos:
        box, inliers = find(ctx.image, reference)
        if box and inliers > best_inliers:
            best_box, best_inliers = box, inliers
    figures = {"found": best_box is not None, "matches": best_inliers, "references": len(ctx.logos), "required": required}
    if best_box:
        ctx.logo_box = best_box
        return result(CHECK, Outcome.PASS, "The logo is in the image.", figures, [best_box])
    if required:
        return result(CHECK, Outcome.FAIL, f"The logo was not found in the image; {rule} requires it.", figures)
    return result(CHECK, Outcome.PASS, "The logo is not in the image (not required).", figures)
