"""What approving sets going elsewhere. Content Credentials record the decisions, so an approved
asset's signed copy is made ahead, on the renditions queue, and re-made after each later decision:
exports and downloads then find it ready instead of signing in the request (issue 33)."""

from apps.assets.models import ReviewStatus
from apps.core.tasks import send


def credentials_sign_ahead(sender, review, asset, **kwargs) -> None:
    if asset.review_status == ReviewStatus.APPROVED:
        send("assets.sign_ahead", [str(asset.pk)])
