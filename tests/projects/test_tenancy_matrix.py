"""The tenancy matrix: every REST endpoint, file and thumbnail URL, lineage, export, webhook, page
and admin page × each role × outsiders. Outsiders (including the owner of another project) get 404;
each role gets exactly its rights (DESIGN.md: viewer reads; editor also manages the library,
generates and uploads; reviewer also decides reviews; owner does everything, members, webhooks).
A refused request changes nothing.

The rows are checked against every URL pattern the project has (test_every_url_pattern_has_a_row):
a new endpoint fails that test until it has a row here, or a line in NOT_PROJECT_DATA saying why
it shows no project's data."""

import uuid

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib import admin
from django.utils import timezone
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, resolve

from apps.apikeys.services import api_key_create
from apps.approvals.models import Comment, Review
from apps.assets.models import Asset, AssetLink, Favourite
from apps.campaigns.models import Campaign
from apps.campaigns.services import CampaignInput, campaign_create
from apps.generations.models import Generation
from apps.guests.models import ReviewLink
from apps.guests.services import ReviewLinkInput, review_link_create
from apps.library.models import EntryKind, LibraryEntry, ReferenceImage
from apps.library.services import reference_image_add
from apps.placements.models import ProjectPlacement
from apps.projects.models import Invitation, Membership, Project
from apps.rights.models import EffectiveRights, ProjectRightsPolicy, Right
from apps.rights.services import right_create
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import LibraryEntryFactory, ProjectFactory, UserFactory, member, stored_asset
from tests.images import image_bytes

pytestmark = pytest.mark.django_db

MEMBER_ROLES = ["owner", "editor", "reviewer", "viewer"]
OUTSIDERS = ["outsider", "owner_elsewhere"]
EVERYONE = MEMBER_ROLES + OUTSIDERS
PROJECT_NAME = "Tenant-A-Private-Name"


def allowed(ok: int, *roles: str) -> dict:
    """`ok` for the roles named, 403 for the other members; outsiders always 404."""
    return {role: ok if role in roles else 403 for role in MEMBER_ROLES}


READ = allowed(200, *MEMBER_ROLES)
NO_SUCH_ASSET = "00000000-0000-4000-8000-000000000000"  # bulk approvals: who may call, not what they approve
EDIT = ("owner", "editor")


def upload():
    return {"image": SimpleUploadedFile("x.png", image_bytes(40, 30))}, "multipart"


# (name, method, url, body, expected status by member role)
REST_CASES = [
    ("project", "get", "/api/v1/projects/{project}/", None, READ),
    ("project-rename", "patch", "/api/v1/projects/{project}/", {"name": "Renamed"}, allowed(200, "owner")),
    ("project-delete", "delete", "/api/v1/projects/{project}/", None, allowed(409, "owner")),  # holds assets: kept
    ("members", "get", "/api/v1/projects/{project}/members/", None, READ),
    ("member-invite", "post", "/api/v1/projects/{project}/members/", {"email": "newcomer@example.com", "role": "viewer"}, allowed(202, "owner")),
    ("invitations", "get", "/api/v1/projects/{project}/invitations/", None, allowed(200, "owner")),
    ("invitation-withdraw", "delete", "/api/v1/invitations/{invitation}/", None, allowed(204, "owner")),
    ("audit", "get", "/api/v1/projects/{project}/audit/", None, allowed(200, "owner")),
    ("member-change", "patch", "/api/v1/projects/{project}/members/{target}/", {"role": "editor"}, allowed(200, "owner")),
    ("member-remove", "delete", "/api/v1/projects/{project}/members/{target}/", None, allowed(204, "owner")),
    ("characters", "get", "/api/v1/projects/{project}/characters/", None, READ),
    ("character-create", "post", "/api/v1/projects/{project}/characters/", {"name": "Zed"}, allowed(201, *EDIT)),
    ("objects", "get", "/api/v1/projects/{project}/objects/", None, READ),
    ("character", "get", "/api/v1/characters/{character}/", None, READ),
    ("character-change", "patch", "/api/v1/characters/{character}/", {"description": "changed"}, allowed(200, *EDIT)),
    ("character-archive", "delete", "/api/v1/characters/{character}/", None, allowed(204, *EDIT)),
    ("character-images", "get", "/api/v1/characters/{character}/images/", None, READ),
    ("character-image-add", "post", "/api/v1/characters/{character}/images/", upload, allowed(201, *EDIT)),
    ("character-image-archive", "delete", "/api/v1/characters/{character}/images/{image}/", None, allowed(204, *EDIT)),
    ("reference-file", "get", "/api/v1/reference-images/{image}/file/", None, READ),
    ("reference-thumbnail", "get", "/api/v1/reference-images/{image}/thumbnail/", None, READ),
    ("generations", "get", "/api/v1/projects/{project}/generations/", None, READ),
    ("generation-create", "post", "/api/v1/projects/{project}/generations/", {"prompt": "a kite"}, allowed(201, *EDIT)),
    ("generation-quote", "post", "/api/v1/projects/{project}/generations/quote/", {"image_size": "1K"}, allowed(200, *EDIT)),
    ("generation", "get", "/api/v1/generations/{generation}/", None, READ),
    ("generation-cancel", "post", "/api/v1/generations/{generation}/cancel/", None, allowed(200, *EDIT)),
    ("assets", "get", "/api/v1/projects/{project}/assets/", None, READ),
    ("asset-upload", "post", "/api/v1/projects/{project}/assets/", upload, allowed(201, *EDIT)),
    ("asset", "get", "/api/v1/assets/{asset}/", None, READ),
    ("asset-file", "get", "/api/v1/assets/{asset}/file/", None, READ),
    ("asset-thumbnail", "get", "/api/v1/assets/{asset}/thumbnail/", None, READ),
    ("asset-display", "get", "/api/v1/assets/{asset}/display/", None, READ),
    ("asset-lineage", "get", "/api/v1/assets/{child}/lineage/", None, READ),
    ("reviews", "get", "/api/v1/assets/{asset}/reviews/", None, READ),
    ("review-decide", "post", "/api/v1/assets/{asset}/reviews/", {"decision": "approve"}, allowed(201, "owner", "reviewer")),
    ("comments", "get", "/api/v1/assets/{asset}/comments/", None, READ),
    ("comment-create", "post", "/api/v1/assets/{asset}/comments/", {"body": "Here", "pin": {"x": 0.1, "y": 0.1}}, allowed(201, "owner", "editor", "reviewer")),
    ("comment-resolve", "patch", "/api/v1/comments/{comment}/", {"resolved": True}, allowed(200, "owner", "editor", "reviewer")),
    ("comment-apply", "post", "/api/v1/comments/{comment}/apply/", {"prompt": "Red cap"}, allowed(201, *EDIT)),
    ("region-edit", "post", "/api/v1/assets/{asset}/region-edit/", {"prompt": "Red cap", "region": {"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}}, allowed(201, *EDIT)),
    ("review-policy", "get", "/api/v1/projects/{project}/review-policy/", None, READ),
    ("review-policy-change", "patch", "/api/v1/projects/{project}/review-policy/", {"four_eyes": False}, allowed(200, "owner")),
    ("approve-passing", "post", "/api/v1/projects/{project}/approve-passing/", {"assets": [NO_SUCH_ASSET]}, allowed(200, "owner", "reviewer")),
    ("campaign-approve-passing", "post", "/api/v1/campaigns/{campaign}/approve-passing/", {"stage": "localise"}, allowed(200, "owner", "reviewer")),
    ("export", "get", "/api/v1/projects/{project}/exports/", None, allowed(200, "owner", "editor", "reviewer")),
    ("export-all", "get", "/api/v1/projects/{project}/exports/?review_status=pending", None, allowed(200, "owner", "editor", "reviewer")),
    ("webhooks", "get", "/api/v1/projects/{project}/webhooks/", None, allowed(200, "owner")),
    ("webhook-create", "post", "/api/v1/projects/{project}/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": ["asset.review_changed"]}, allowed(201, "owner")),
    ("webhook-delete", "delete", "/api/v1/webhooks/{webhook}/", None, allowed(204, "owner")),
    ("webhook-deliveries", "get", "/api/v1/webhooks/{webhook}/deliveries/", None, allowed(200, "owner")),
    ("webhook-rotate-secret", "post", "/api/v1/webhooks/{webhook}/rotate-secret/", {}, allowed(200, "owner")),
    ("brand-kit", "get", "/api/v1/projects/{project}/brand-kit/", None, READ),
    ("brand-kit-change", "patch", "/api/v1/projects/{project}/brand-kit/", {"tolerance": 12}, allowed(200, "owner")),
    ("brand-kit-recheck", "post", "/api/v1/projects/{project}/brand-kit/recheck/", None, allowed(202, "owner")),
    ("asset-checks", "get", "/api/v1/assets/{asset}/checks/", None, READ),
    ("logos", "get", "/api/v1/projects/{project}/logos/", None, READ),
    ("logo-create", "post", "/api/v1/projects/{project}/logos/", {"name": "Wordmark"}, allowed(201, *EDIT)),
    ("api-keys", "get", "/api/v1/projects/{project}/api-keys/", None, allowed(200, "owner")),
    ("api-key-create", "post", "/api/v1/projects/{project}/api-keys/", {"name": "CMS", "role": "editor"}, allowed(201, "owner")),
    ("api-key-revoke", "delete", "/api/v1/api-keys/{api_key}/", None, allowed(204, "owner")),
    ("review-links", "get", "/api/v1/projects/{project}/review-links/", None, allowed(200, "owner")),
    ("review-link-create", "post", "/api/v1/projects/{project}/review-links/", {"label": "Agency Blau", "asset": "{asset}"}, allowed(201, "owner")),
    ("review-link-revoke", "delete", "/api/v1/review-links/{review_link}/", None, allowed(204, "owner")),
    ("logo", "get", "/api/v1/logos/{logo}/", None, READ),
    ("logo-images", "get", "/api/v1/logos/{logo}/images/", None, READ),
    ("logo-image-archive", "delete", "/api/v1/logos/{logo}/images/{logo_image}/", None, allowed(204, *EDIT)),
    ("object", "get", "/api/v1/objects/{object}/", None, READ),
    ("object-change", "patch", "/api/v1/objects/{object}/", {"description": "changed"}, allowed(200, *EDIT)),
    ("object-images", "get", "/api/v1/objects/{object}/images/", None, READ),
    ("object-image-archive", "delete", "/api/v1/objects/{object}/images/{object_image}/", None, allowed(204, *EDIT)),
    ("asset-credentials", "get", "/api/v1/assets/{asset}/credentials/", None, READ),
    ("asset-refine", "post", "/api/v1/assets/{asset}/refine/", {"prompt": "warmer light"}, allowed(201, *EDIT)),
    ("asset-thread", "get", "/api/v1/assets/{asset}/thread/", None, READ),
    ("campaigns", "get", "/api/v1/projects/{project}/campaigns/", None, READ),
    ("campaign-create", "post", "/api/v1/projects/{project}/campaigns/",
     {"name": "Autumn", "products": ["{object}"], "scenes": ["a beach"], "formats": ["1:1"]}, allowed(201, *EDIT)),
    ("campaign", "get", "/api/v1/campaigns/{campaign}/", None, READ),
    ("campaign-run", "post", "/api/v1/campaigns/{campaign}/run/", {"stage": "drafts", "dry_run": True}, allowed(200, *EDIT)),
    # Deciders get 400: the asset is no draft of the cell.
    ("campaign-cell-choose", "post", "/api/v1/campaigns/{campaign}/cells/{cell}/choose/", {"asset": "{asset}"}, allowed(400, "owner", "reviewer")),
    ("campaign-export", "get", "/api/v1/campaigns/{campaign}/export/", None, allowed(200, "owner", "editor", "reviewer")),
    ("placements", "get", "/api/v1/placements/?project={project}", None, READ),
    ("project-placements", "get", "/api/v1/projects/{project}/placements/", None, READ),
    ("project-placement-create", "post", "/api/v1/projects/{project}/placements/", {"key": "promo", "width": 300, "height": 300, "max_bytes": 50000}, allowed(201, "owner")),
    ("asset-placements", "get", "/api/v1/assets/{asset}/placements/", None, READ),
    ("asset-placement-file", "get", "/api/v1/assets/{asset}/placements/iab_leaderboard/", None, READ),
    ("asset-focal-point", "patch", "/api/v1/assets/{asset}/", {"focal_point": {"x": 0.5, "y": 0.5}}, allowed(200, *EDIT)),
    ("assignments", "get", "/api/v1/projects/{project}/assignments/?assigned_to=me", None, READ),
    ("assignment-create", "post", "/api/v1/projects/{project}/assignments/", {"assets": ["{asset}"], "assignees": ["{decider}"]}, allowed(201, *EDIT)),
    ("assignment", "get", "/api/v1/assignments/{assignment}/", None, READ),
    ("assignment-change", "patch", "/api/v1/assignments/{assignment}/", {"note": "Sooner, please"}, allowed(200, *EDIT)),
    ("assignment-delete", "delete", "/api/v1/assignments/{assignment}/", None, allowed(204, *EDIT)),
    # Rights (apps/rights): members read; owners and editors record them; owners override and set the policy.
    ("reference-image-rights", "get", "/api/v1/reference-images/{image}/rights/", None, READ),
    ("reference-image-rights-add", "post", "/api/v1/reference-images/{image}/rights/", {"holder": "Mira", "kind": "talent_release"}, allowed(201, *EDIT)),
    ("asset-rights", "get", "/api/v1/assets/{asset}/rights/", None, READ),
    ("asset-rights-add", "post", "/api/v1/assets/{asset}/rights/", {"holder": "Getty", "kind": "stock"}, allowed(201, *EDIT)),
    ("asset-rights-override", "post", "/api/v1/assets/{asset}/rights/override/", {"reason": "agreed", "until": "{later}"}, allowed(200, "owner")),
    ("asset-rights-override-clear", "delete", "/api/v1/assets/{asset}/rights/override/", None, allowed(200, "owner")),
    ("right", "get", "/api/v1/rights/{right}/", None, READ),
    ("right-change", "patch", "/api/v1/rights/{right}/", {"notes": "changed"}, allowed(200, *EDIT)),
    ("right-delete", "delete", "/api/v1/rights/{right}/", None, allowed(204, *EDIT)),
    ("right-document", "get", "/api/v1/rights/{right}/document/", None, allowed(200, *EDIT)),  # it names people: not for viewers
    ("rights-expiring", "get", "/api/v1/projects/{project}/rights/expiring/", None, READ),
    ("rights-policy", "get", "/api/v1/projects/{project}/rights-policy/", None, READ),
    ("rights-policy-change", "patch", "/api/v1/projects/{project}/rights-policy/", {"require_on_references": True}, allowed(200, "owner")),
]

# The pages, through Django's test client with a session: (name, method, url, form data, status by member role).
PAGES = [
    ("project-home", "get", "/projects/{project}/", None, READ),
    ("library", "get", "/projects/{project}/library/", None, READ),
    ("library-entry", "get", "/library/{character}/", None, READ),
    ("library-entry-upload", "post", "/library/{character}/images/", {}, allowed(302, *EDIT)),
    ("library-entry-archive", "post", "/library/{character}/archive/", {}, allowed(302, *EDIT)),
    ("reference-image-archive", "post", "/library/images/{image}/archive/", {}, allowed(302, *EDIT)),
    ("generate", "get", "/projects/{project}/generate/", None, allowed(200, *EDIT)),
    ("generation-page", "get", "/jobs/{generation}/", None, READ),
    ("job-cancel", "post", "/jobs/{generation}/cancel/", {}, allowed(302, *EDIT)),
    ("derive", "post", "/assets/{asset}/derive/", {}, allowed(302, *EDIT)),
    ("gallery", "get", "/projects/{project}/gallery/", None, READ),
    ("gallery-bulk", "post", "/projects/{project}/gallery/selection/", {"assets": ["{asset}"], "action": "favourite"}, allowed(302, *MEMBER_ROLES)),
    ("asset-page", "get", "/assets/{asset}/", None, READ),
    ("asset-favourite", "post", "/assets/{asset}/favourite/", {}, allowed(302, *MEMBER_ROLES)),
    ("asset-pick", "post", "/assets/{asset}/pick/", {}, allowed(302, *MEMBER_ROLES)),
    ("asset-credentials-panel", "get", "/assets/{asset}/credentials/", None, READ),
    ("refine-panel", "get", "/assets/{asset}/refine/", None, READ),
    ("refine-send", "post", "/assets/{asset}/refine/send/", {}, allowed(302, *EDIT)),
    ("review-queue", "get", "/projects/{project}/review/", None, READ),
    # Only the decision's own maker may take it back (moments after): anyone else finds no such decision.
    ("review-undo", "post", "/reviews/{review}/undo/", {}, {**{r: 404 for r in MEMBER_ROLES}, "reviewer": 302}),
    ("audit-log", "get", "/projects/{project}/audit/", None, allowed(200, "owner")),
    ("campaigns", "get", "/projects/{project}/campaigns/", None, READ),
    ("campaign-new", "get", "/projects/{project}/campaigns/new/", None, allowed(200, *EDIT)),
    ("campaign-summary", "post", "/projects/{project}/campaigns/summary/", {}, READ),  # prices a form; creates nothing
    ("campaign-page", "get", "/campaigns/{campaign}/", None, READ),
    ("campaign-run-page", "post", "/campaigns/{campaign}/run/", {"stage": "drafts"}, allowed(302, *EDIT)),
    ("campaign-decide", "post", "/campaigns/{campaign}/decide/", {}, allowed(400, *MEMBER_ROLES)),
    ("campaign-approve-passing-page", "post", "/campaigns/{campaign}/approve-passing/", {"stage": "localise"}, allowed(302, "owner", "reviewer")),
    ("brand-kit-page", "get", "/projects/{project}/brand-kit/", None, READ),
    ("brand-kit-page-save", "post", "/projects/{project}/brand-kit/", {"action": "recheck"}, allowed(302, "owner")),
    ("campaign-cell", "get", "/campaigns/{campaign}/cells/{cell}/", None, READ),
    ("asset-comment-post", "post", "/assets/{asset}/comments/", {"body": "Here", "pin": '{{"x": 0.2, "y": 0.2}}'}, allowed(302, "owner", "editor", "reviewer")),
    ("comment-resolve", "post", "/comments/{comment}/resolve/", {"resolved": "1"}, allowed(302, "owner", "editor", "reviewer")),
    ("comment-apply-page", "post", "/comments/{comment}/apply/", {"mode": "crop"}, allowed(302, *EDIT)),
    ("region-edit-page", "post", "/assets/{asset}/region-edit/", {"prompt": "Red cap", "region": '{{"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}}', "mode": "crop", "feather": "8"},
     allowed(302, *EDIT)),
    ("region-edit-preview", "get", "/assets/{asset}/region-edit/preview/?x=0.1&y=0.1&w=0.2&h=0.2", None, allowed(200, *EDIT)),
    ("members-page", "get", "/projects/{project}/members/", None, READ),
    ("members-page-invite", "post", "/projects/{project}/members/", {"email": "newcomer@example.com", "role": "viewer"}, allowed(302, "owner")),
    ("member-role-page", "post", "/projects/{project}/members/{target}/role/", {"role": "editor"}, allowed(302, "owner")),
    ("member-remove-page", "post", "/projects/{project}/members/{target}/remove/", {}, allowed(302, "owner")),
    ("invitation-withdraw-page", "post", "/invitations/{invitation}/withdraw/", {}, allowed(302, "owner")),
    ("settings-page", "get", "/projects/{project}/settings/", None, allowed(200, "owner")),
    ("settings-page-save", "post", "/projects/{project}/settings/", {"form": "budget", "budget-monthly_budget_usd": "50"}, allowed(302, "owner")),
    ("api-keys-page", "get", "/projects/{project}/settings/api-keys/", None, allowed(200, "owner")),
    ("api-keys-page-create", "post", "/projects/{project}/settings/api-keys/", {"name": "CMS", "role": "editor"}, allowed(200, "owner")),  # shows the key once
    ("api-key-revoke-page", "post", "/api-keys/{api_key}/revoke/", {}, allowed(302, "owner")),
    ("webhooks-page", "get", "/projects/{project}/settings/webhooks/", None, allowed(200, "owner")),
    ("webhooks-page-create", "post", "/projects/{project}/settings/webhooks/",
     {"url": "http://127.0.0.1:9/hook", "events": ["asset.review_changed"]}, allowed(200, "owner")),  # shows the secret once
    ("webhook-test-page", "post", "/webhooks/{webhook}/test/", {}, allowed(302, "owner")),
    ("webhook-rotate-page", "post", "/webhooks/{webhook}/rotate/", {}, allowed(200, "owner")),  # shows the new secret once
    ("webhook-delete-page", "post", "/webhooks/{webhook}/delete/", {}, allowed(302, "owner")),
    ("review-links-page", "get", "/projects/{project}/review-links/", None, allowed(200, "owner")),
    ("review-link-revoke-page", "post", "/review-links/{review_link}/revoke/", {}, allowed(302, "owner")),
    ("asset-placements-panel", "get", "/assets/{asset}/placements/", None, READ),
    ("asset-focal-point-page", "post", "/assets/{asset}/focal-point/", {"x": "0.5", "y": "0.5"}, allowed(302, *EDIT)),
    ("project-placements-page", "get", "/projects/{project}/placements/", None, allowed(200, "owner")),
    ("project-placements-page-add", "post", "/projects/{project}/placements/",
     {"key": "shop_banner", "width": "1200", "height": "600", "max_bytes": "200000", "formats": "JPEG"}, allowed(302, "owner")),
    ("assignments-page", "get", "/projects/{project}/assignments/?view=all", None, READ),
    ("assign-page", "post", "/projects/{project}/assign/", {"assets": ["{asset}"], "assignees": ["{decider}"]}, allowed(302, *EDIT)),
    ("assignment-delete-page", "post", "/assignments/{assignment}/delete/", {}, allowed(302, *EDIT)),
    ("rights-page", "get", "/projects/{project}/rights/", None, READ),
    ("rights-page-policy", "post", "/projects/{project}/rights/", {"require_on_references": "on"}, allowed(302, "owner")),
    ("entry-rights-add", "post", "/library/{character}/rights/", {"images": ["{image}"], "holder": "Mira", "kind": "talent_release"}, allowed(302, *EDIT)),
    ("right-edit", "get", "/rights/{right}/", None, READ),
    ("right-edit-save", "post", "/rights/{right}/", {"holder": "New holder", "kind": "stock"}, allowed(302, *EDIT)),
    ("right-delete-page", "post", "/rights/{right}/delete/", {}, allowed(302, *EDIT)),
    ("asset-rights-override-page", "post", "/assets/{asset}/rights/override/", {"reason": "agreed", "until": "{later}"}, allowed(302, "owner")),
]


@pytest.fixture
def world(project, emulator, settings):
    """One project with a row of every kind, its four members, and two kinds of outsider."""
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    Project.objects.filter(pk=project.pk).update(name=PROJECT_NAME)
    maker = member(project, "editor")  # made the assets, so four-eyes never blocks the deciders below
    users = {role: member(project, role) for role in MEMBER_ROLES}
    users["outsider"] = UserFactory()
    elsewhere = ProjectFactory(name="Tenant-B")
    users["owner_elsewhere"] = member(elsewhere, "owner")
    small = {"width": 64, "height": 48}  # the matrix looks at who may see a file, not at its pixels
    stored_asset(elsewhere, user=users["owner_elsewhere"], **small)
    UserFactory(username="newcomer")
    character = LibraryEntryFactory(project=project)
    image = reference_image_add(entry=character, data=image_bytes(64, 64))
    product = LibraryEntryFactory(project=project, kind=EntryKind.OBJECT, name="Trail shoe")
    product_image = reference_image_add(entry=product, data=image_bytes(64, 64))
    logo = LibraryEntryFactory(project=project, kind=EntryKind.LOGO, name="House mark")
    logo_image = reference_image_add(entry=logo, data=image_bytes(64, 64))
    campaign = campaign_create(project=project, user=maker, data=CampaignInput(
        name="Spring", products=[product.pk], scenes=["a park"], formats=["1:1"],
    ))
    asset = stored_asset(project, user=maker, **small)
    child = stored_asset(project, user=maker, parents=[(asset, "edited_from")], **small)
    reviewed = stored_asset(project, user=maker, **small)
    review = Review.objects.create(asset=reviewed, reviewer=users["reviewer"], decision="reject", comment="TENANT-A-REVIEW-COMMENT")
    comment = Comment.objects.create(asset=asset, author=users["reviewer"], body="TENANT-A-COMMENT", pin={"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.3})
    generation = Generation.objects.create(
        project=project, prompt="TENANT-A-PROMPT", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1", image_size="1K", created_by=maker
    )
    webhook = WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/tenant-a-hook", events=["asset.review_changed"])
    WebhookDelivery.objects.create(endpoint=webhook, event="asset.review_changed", payload={"project": str(project.id)})
    api_key, _ = api_key_create(project=project, created_by=users["owner"], name="tenant-a-key", role="viewer")
    invitation = Invitation.objects.create(
        project=project, email="invited@example.com", role="editor", token_sha256="0" * 64, invited_by=users["owner"],
        expires_at=timezone.now() + timedelta(days=7),
    )
    review_link, _ = review_link_create(project=project, user=users["owner"], data=ReviewLinkInput(label="TENANT-A-LINK", asset=asset.pk))
    from apps.workflow.services import assignment_create

    assignment = assignment_create(user=users["owner"], project=project, assignees=[users["reviewer"]], assets=[asset], note="TENANT-A-NOTE")
    right = right_create(project=project, user=users["owner"], reference_image=image, document=b"%PDF-1.4 TENANT-A release", document_name="release.pdf",
                         fields={"holder": "TENANT-A-HOLDER", "kind": "talent_release", "territories": ["DE"]})
    ids = {
        "review_link": review_link.id,
        "assignment": assignment.id, "decider": str(users["reviewer"].id),
        "right": right.id, "later": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "project": project.id, "asset": asset.id, "child": child.id, "generation": generation.id, "character": character.id,
        "image": image.id, "webhook": webhook.id, "target": users["viewer"].id, "reviewed": reviewed.id,
        "api_key": api_key.id, "object": product.id, "object_image": product_image.id, "logo": logo.id, "logo_image": logo_image.id, "campaign": campaign.id,
        "cell": campaign.cells.first().id, "invitation": invitation.id, "comment": comment.id,
        "review": review.id,
    }
    return {"users": users, "ids": ids, "project": project, "asset": asset, "reviewed": reviewed, "generation": generation,
            "character": character, "webhook": webhook, "elsewhere": elsewhere}


def snapshot(project) -> tuple:
    """Everything a request could change in the project."""
    return (
        list(Project.objects.filter(pk=project.pk).values_list("name", "monthly_budget_usd")),
        sorted(Membership.objects.filter(project=project).values_list("user_id", "role")),
        sorted(LibraryEntry.objects.filter(project=project).values_list("name", "description", "archived_at")),
        sorted(ReferenceImage.objects.filter(entry__project=project).values_list("id", "archived_at")),
        sorted(Generation.objects.filter(project=project).values_list("id", "status")),
        sorted(Asset.objects.filter(project=project).values_list("id", "review_status")),
        AssetLink.objects.filter(child__project=project).count(),
        Review.objects.filter(asset__project=project).count(),
        sorted(Comment.objects.filter(asset__project=project).values_list("id", "body", "resolved_at", "addressed_by")),
        sorted(WebhookEndpoint.objects.filter(project=project).values_list("id", "url")),
        list(project.__class__.objects.filter(pk=project.pk).values_list("review_policy__four_eyes")),
        sorted(Campaign.objects.filter(project=project).values_list("id", "name")),
        Favourite.objects.filter(asset__project=project).count(),
        sorted(Invitation.objects.filter(project=project).values_list("email", "withdrawn_at")),
        sorted(ReviewLink.objects.filter(project=project).values_list("label", "revoked_at")),
        sorted(ProjectPlacement.objects.filter(project=project).values_list("key", "width")),
        sorted((str(pk), str(point)) for pk, point in Asset.objects.filter(project=project).values_list("id", "focal_point")),
        sorted((str(a.pk), a.note, a.due_at, tuple(sorted(a.assignees.values_list("pk", flat=True))))
               for a in project.assignments.all()),
        sorted(Right.objects.filter(project=project).values_list("id", "holder", "kind", "notes", "ends_on")),
        sorted(EffectiveRights.objects.filter(asset__project=project).values_list("asset_id", "override_until")),
        list(ProjectRightsPolicy.objects.filter(project=project).values_list("require_on_references")),
    )


def filled(value, ids):
    """A request body with its "{name}" placeholders replaced by the world's ids."""
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [filled(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: filled(item, ids) for key, item in value.items()}
    return value


def call(client, method, url, body, ids=None):
    data, fmt = body() if callable(body) else (filled(body, ids or {}), "json")
    return getattr(client, method)(url, data, format=fmt) if data is not None else getattr(client, method)(url)


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), REST_CASES, ids=[case[0] for case in REST_CASES])
def test_rest_matrix(api, world, role, name, method, url, body, expected):
    want = expected.get(role, 404)
    before = snapshot(world["project"])

    response = call(api(world["users"][role]), method, url.format(**world["ids"]), body, world["ids"])

    assert response.status_code == want, (role, name, getattr(response, "data", None))
    if want >= 400:
        assert snapshot(world["project"]) == before, f"{role} was refused {name} but something changed"
        if want == 404:
            assert PROJECT_NAME not in response.content.decode()


@pytest.mark.parametrize("role", MEMBER_ROLES + OUTSIDERS)
def test_the_project_list_shows_only_ones_own_projects(api, world, role):
    names = [p["name"] for p in api(world["users"][role]).get("/api/v1/projects/").json()]
    assert (PROJECT_NAME in names) == (role in MEMBER_ROLES)
    assert ("Tenant-B" in names) == (role == "owner_elsewhere")


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize(("name", "method", "url", "data", "expected"), PAGES, ids=[case[0] for case in PAGES])
def test_page_matrix(client, world, role, name, method, url, data, expected):
    want = expected.get(role, 404)
    before = snapshot(world["project"])
    client.force_login(world["users"][role])

    response = getattr(client, method)(url.format(**world["ids"]), filled(data, world["ids"]) if data is not None else None)

    assert response.status_code == want, (role, name)
    if want >= 400:
        assert snapshot(world["project"]) == before, f"{role} was refused {name} but something changed"
        if want == 404:
            assert PROJECT_NAME not in response.content.decode()


@pytest.mark.parametrize("role", MEMBER_ROLES + OUTSIDERS)
@pytest.mark.parametrize("url", ["/", "/projects/"])
def test_the_project_pages_list_only_ones_own_projects(client, world, role, url):
    client.force_login(world["users"][role])
    page = client.get(url, follow=True).content.decode()
    assert (PROJECT_NAME in page) == (role in MEMBER_ROLES)
    assert ("Tenant-B" in page) == (role == "owner_elsewhere")


# --- the admin: staff users see and decide only inside their projects


@pytest.fixture
def staff(world):
    """Every user is staff and holds Django's view permission on every admin model, so the only
    wall left to test is the tenant wall."""
    permissions = Permission.objects.filter(
        codename__in=["view_generation", "view_libraryentry", "view_webhookendpoint", "view_webhookdelivery", "view_project", "view_membership",
                      "view_upstreambatch", "view_auditevent", "view_campaign", "view_brandkit", "view_assetcheck",
                      "view_projectplacement",
                      "view_right", "view_effectiverights"]
    )
    for user in world["users"].values():
        user.is_staff = True
        user.save()
        user.user_permissions.add(*permissions)
    return world


DECIDERS = ("owner", "reviewer")
# (name, url, expected status by role; outsiders per the third item, "owner_elsewhere" reviews Tenant-B)
ADMIN_PAGES = [
    ("asset-changelist", "/admin/assets/asset/", {**{r: 200 for r in DECIDERS}, "editor": 403, "viewer": 403, "outsider": 403, "owner_elsewhere": 200}),
    ("asset-change", "/admin/assets/asset/{asset}/change/", {**{r: 200 for r in DECIDERS}, "editor": 404, "viewer": 404, "outsider": 404, "owner_elsewhere": 404}),
    ("asset-history", "/admin/assets/asset/{asset}/history/", {**{r: 200 for r in DECIDERS}, "editor": 404, "viewer": 404, "outsider": 404, "owner_elsewhere": 404}),
    ("review-changelist", "/admin/approvals/review/", {**{r: 200 for r in DECIDERS}, "editor": 403, "viewer": 403, "outsider": 403, "owner_elsewhere": 200}),
    ("asset-file-in-admin", "/api/v1/assets/{asset}/file/", {**{r: 200 for r in MEMBER_ROLES}, "outsider": 404, "owner_elsewhere": 404}),
    ("asset-thumbnail-in-admin", "/api/v1/assets/{asset}/thumbnail/", {**{r: 200 for r in MEMBER_ROLES}, "outsider": 404, "owner_elsewhere": 404}),
    ("reference-thumbnail-in-admin", "/api/v1/reference-images/{image}/thumbnail/", {**{r: 200 for r in MEMBER_ROLES}, "outsider": 404, "owner_elsewhere": 404}),
    ("generation-changelist", "/admin/generations/generation/", {r: 200 for r in EVERYONE}),
    ("generation-change", "/admin/generations/generation/{generation}/change/", {**{r: 200 for r in MEMBER_ROLES}, "outsider": 404, "owner_elsewhere": 404}),
    ("library-changelist", "/admin/library/libraryentry/", {r: 200 for r in EVERYONE}),
    ("library-change", "/admin/library/libraryentry/{character}/change/", {**{r: 200 for r in MEMBER_ROLES}, "outsider": 404, "owner_elsewhere": 404}),
    ("project-changelist", "/admin/projects/project/", {r: 200 for r in EVERYONE}),
    ("project-change", "/admin/projects/project/{project}/change/", {**{r: 200 for r in MEMBER_ROLES}, "outsider": 404, "owner_elsewhere": 404}),
    ("membership-changelist", "/admin/projects/membership/", {r: 200 for r in EVERYONE}),
    ("webhook-changelist", "/admin/webhooks/webhookendpoint/", {r: 200 for r in EVERYONE}),
    ("webhook-change", "/admin/webhooks/webhookendpoint/{webhook}/change/", {"owner": 200, "editor": 404, "reviewer": 404, "viewer": 404, "outsider": 404, "owner_elsewhere": 404}),
    ("delivery-changelist", "/admin/webhooks/webhookdelivery/", {r: 200 for r in EVERYONE}),
    ("upstreambatch-changelist", "/admin/batches/upstreambatch/", {r: 200 for r in EVERYONE}),
    ("auditevent-changelist", "/admin/audit/auditevent/", {r: 200 for r in EVERYONE}),
    ("campaign-changelist", "/admin/campaigns/campaign/", {r: 200 for r in EVERYONE}),
    ("campaign-change", "/admin/campaigns/campaign/{campaign}/change/", {**{r: 200 for r in MEMBER_ROLES}, "outsider": 404, "owner_elsewhere": 404}),
    ("brandkit-changelist", "/admin/checks/brandkit/", {r: 200 for r in EVERYONE}),
    ("assetcheck-changelist", "/admin/checks/assetcheck/", {r: 200 for r in EVERYONE}),
    ("projectplacement-changelist", "/admin/placements/projectplacement/", {r: 200 for r in EVERYONE}),
    ("right-changelist", "/admin/rights/right/", {r: 200 for r in EVERYONE}),
    ("right-change", "/admin/rights/right/{right}/change/", {**{r: 200 for r in MEMBER_ROLES}, "outsider": 404, "owner_elsewhere": 404}),
    ("effectiverights-changelist", "/admin/rights/effectiverights/", {r: 200 for r in EVERYONE}),
]
# What a list page shows only to someone allowed to see the project's rows there.
SECRETS = ["TENANT-A-PROMPT", "TENANT-A-REVIEW-COMMENT", "tenant-a-hook", "TENANT-A-HOLDER", PROJECT_NAME, "{asset}", "{reviewed}", "{generation}", "{character}"]
# Per list page: who sees the project's rows, and a row's text that proves they are shown.
LIST_SEES = {
    "asset-changelist": (DECIDERS, "{asset}"), "review-changelist": (DECIDERS, "{reviewed}"),
    "generation-changelist": (MEMBER_ROLES, "{generation}"), "library-changelist": (MEMBER_ROLES, PROJECT_NAME),
    "project-changelist": (MEMBER_ROLES, PROJECT_NAME), "membership-changelist": (MEMBER_ROLES, PROJECT_NAME),
    "webhook-changelist": (("owner",), "tenant-a-hook"), "delivery-changelist": (("owner",), "tenant-a-hook"),
    "auditevent-changelist": (("owner",), PROJECT_NAME), "campaign-changelist": (MEMBER_ROLES, PROJECT_NAME),
    "right-changelist": (MEMBER_ROLES, "TENANT-A-HOLDER"),
}


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize(("name", "url", "expected"), ADMIN_PAGES, ids=[page[0] for page in ADMIN_PAGES])
def test_admin_matrix(client, staff, role, name, url, expected):
    client.force_login(staff["users"][role])

    response = client.get(url.format(**staff["ids"]))

    assert response.status_code == expected[role], (role, name)
    if name in LIST_SEES and response.status_code == 200:
        page = response.content.decode()
        shown = [secret for secret in SECRETS if secret.format(**staff["ids"]) in page]
        roles, proof = LIST_SEES[name]
        if role in roles:
            assert proof.format(**staff["ids"]) in page, (role, name)
        else:
            assert shown == [], (role, name, shown)


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("action", ["approve_selected", "reject_selected", "request_changes_selected"])
def test_admin_review_actions(client, staff, role, action):
    asset = staff["asset"]
    client.force_login(staff["users"][role])

    confirmed = {} if action == "approve_selected" else {"comment": "Off brand", "confirm": "yes"}  # these ask for the comment first
    client.post("/admin/assets/asset/", {"action": action, "_selected_action": [str(asset.id)], **confirmed})

    decided = Review.objects.filter(asset=asset).exists()
    assert decided == (role in DECIDERS), (role, action)
    asset.refresh_from_db()
    assert (asset.review_status != "pending") == (role in DECIDERS)


@pytest.mark.parametrize("role", EVERYONE)
def test_admin_decision_form(client, staff, role):
    asset = staff["asset"]
    client.force_login(staff["users"][role])

    response = client.post(f"/admin/assets/asset/{asset.id}/change/", {"decision": "approve", "comment": ""})

    assert response.status_code == (302 if role in DECIDERS else 404), role
    assert Review.objects.filter(asset=asset).exists() == (role in DECIDERS)


def test_staff_superuser_still_sees_every_tenant(client, staff):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    page = client.get("/admin/assets/asset/").content.decode()
    assert str(staff["asset"].id) in page and client.get(f"/admin/webhooks/webhookendpoint/{staff['webhook'].id}/change/").status_code == 200


# --- every URL pattern has a row

# Patterns that show no project's data, each with why. Everything else needs a row above.
NOT_PROJECT_DATA = {
    "login/": "public: the login form",
    "logout/": "ends one's own session",
    "oidc/authenticate/": "single sign-on: sends the browser to the identity provider (tests/accounts)",
    "oidc/callback/": "single sign-on: the provider's answer signs one in to one's own account (tests/accounts)",
    "favicon.ico": "public: a redirect to a static file",
    "healthz": "public: liveness, no data",
    "readyz": "public: readiness, no data",
    "metrics": "operators' counters, no project's rows (tests/core)",
    "api/schema/": "public: the OpenAPI description",
    "api/docs/": "public: the API docs page",
    "api/v1/auth/token/": "one's own token, for one's own password",
    "invitations/<str:token>/": "the invitation's token is the credential (tests/projects)",
    "api/v1/invitations/accept/": "the invitation's token is the credential (tests/projects)",
    # Guest review links: the link's token is the credential, and a guest reaches only the link's
    # own assets (tests/guests/test_review_links.py tries every other asset, the gallery, REST, admin).
    "r/<str:token>/": "a review link's guest page (tests/guests)",
    "r/<str:token>/assets/<uuid:asset_id>/": "a review link's asset, among its own only (tests/guests)",
    "r/<str:token>/assets/<uuid:asset_id>/image/": "a review link's image, among its own only (tests/guests)",
    "r/<str:token>/assets/<uuid:asset_id>/download/": "a review link's approved download, among its own only (tests/guests)",
    "api/v1/me/notifications/": "one's own notification settings (tests/workflow)",
    "notifications/": "one's own notifications only (tests/workflow: another's are 404)",
    "notifications/bell/": "one's own unread count",
    "notifications/settings/": "one's own notification settings",
    "notifications/read-all/": "marks one's own notifications read",
    "notifications/<uuid:notification_id>/": "one's own notification only; another's is 404 (tests/workflow)",
    "notifications/<uuid:notification_id>/read/": "one's own notification only; another's is 404 (tests/workflow)",
    "notifications/unsubscribe/<str:token>/": "the signed token is the credential; it names one person and one event type (tests/workflow)",
}
# Patterns whose row is a test of its own above.
OWN_TESTS = {
    "": "test_the_project_pages_list_only_ones_own_projects",
    "projects/": "test_the_project_pages_list_only_ones_own_projects",
    "api/v1/projects/": "test_the_project_list_shows_only_ones_own_projects",
}
# The admin's own pages (not a model's); a model's pages are covered by its changelist's row, since
# one ModelAdmin (TenantScopedAdmin) scopes them all.
ADMIN_SITE = {"admin/", "admin/login/", "admin/logout/", "admin/password_change/", "admin/password_change/done/",
              "admin/autocomplete/", "admin/jsi18n/", "admin/r/<path:content_type_id>/<path:object_id>/",
              "admin/(?P<url>.*)$"}  # the last one answers 404 (or the login) for any other admin URL
ADMIN_APP_INDEX = "admin/^(?P<app_label>"  # an app's model list: only the models one may see
# Admin models that hold no project's rows: only superusers manage them.
ADMIN_NOT_PROJECT_DATA = {"auth.group", "auth.user", "authtoken.tokenproxy", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def url_patterns(patterns=None, prefix=""):
    """Every URL pattern of the project, as its full route (e.g. "api/v1/assets/<uuid:asset_id>/")."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


class AnyIds(dict):
    """A uuid (a number for a member) for every placeholder: enough to resolve a row's URL to its pattern."""

    def __missing__(self, name):
        return "7" if name in ("target", "comment", "review") else str(uuid.uuid4())


def route_of(url: str) -> str:
    return resolve(url.format_map(AnyIds()).split("?")[0]).route


def admin_model(url_or_route: str) -> str:
    """"assets.asset" for /admin/assets/asset/... and its patterns."""
    return ".".join(url_or_route.removeprefix("/").split("/")[1:3])


def test_every_url_pattern_has_a_row():
    covered = {route_of(case[2]) for case in REST_CASES} | {route_of(case[2]) for case in PAGES}
    admin_models = {admin_model(case[1]) for case in ADMIN_PAGES if case[1].startswith("/admin/")}
    missing = []
    for route in sorted(set(url_patterns())):
        if route in covered or route in NOT_PROJECT_DATA or route in OWN_TESTS or route in ADMIN_SITE or route.startswith(ADMIN_APP_INDEX):
            continue
        if route.startswith("admin/") and admin_model(route) in admin_models | ADMIN_NOT_PROJECT_DATA:
            continue
        missing.append(route)
    assert missing == [], "URL patterns without a row in the tenancy matrix (add one, or say in NOT_PROJECT_DATA why none is needed): " + ", ".join(missing)


def test_every_admin_model_has_a_row():
    with_rows = {admin_model(case[1]) for case in ADMIN_PAGES if case[1].startswith("/admin/")}
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    missing = sorted(registered - with_rows - ADMIN_NOT_PROJECT_DATA)
    assert missing == [], f"admin models without a changelist row in ADMIN_PAGES: {missing}"
