"""The public home page and a project's home: recent and pending assets, unfinished jobs, this
month's spend and the campaigns' progress, composed from the apps that hold them."""

from django.shortcuts import redirect, render

from apps.assets import selectors as asset_selectors
from apps.assets.models import ReviewStatus
from apps.campaigns.selectors import campaign_progress
from apps.core.pages import page
from apps.gemini import catalogue
from apps.generations import selectors as generation_selectors
from apps.projects.pages import project_page


def home(request):
    """Signed-in users go to their projects; others see what the platform is and where to log in."""
    if request.user.is_authenticated:
        return redirect("projects")
    return render(request, "home.html", {"models": catalogue.MODELS})


@page
def project_home(request, project_id):
    project, rights = project_page(request, project_id)
    assets = asset_selectors.asset_list(project=project)
    pending = asset_selectors.asset_list(project=project, review_status=ReviewStatus.PENDING)
    return render(request, "projects/home.html", {
        "project": project, "rights": rights, "section": "home",
        "recent": asset_selectors.with_page_details(assets, user=request.user)[:12],
        "pending": asset_selectors.with_page_details(pending, user=request.user)[:6],
        "pending_count": pending.count(),
        "jobs": generation_selectors.unfinished_jobs(project=project).order_by("-created_at")[:10],
        "spent": generation_selectors.spend_this_month(project),
        "campaigns": campaign_progress(project=project)[:5],
    })
