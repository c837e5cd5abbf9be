from django.contrib import admin
from django.templatetags.static import static
from django.views.generic import RedirectView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.core import observability
from apps.generations.metrics import metrics
from apps.site.project_home import home

api_v1 = [
    path("", include("apps.apikeys.api.urls")),
    path("", include("apps.projects.api.urls")),
    path("", include("apps.library.api.urls")),
    path("", include("apps.generations.api.urls")),
    path("", include("apps.assets.api.urls")),
    path("", include("apps.refinements.api.urls")),
    path("", include("apps.approvals.api.urls")),
    path("", include("apps.webhooks.api.urls")),
    path("", include("apps.campaigns.api.urls")),
    path("", include("apps.checks.api.urls")),
    path("", include("apps.guests.api.urls")),
    path("", include("apps.placements.api.urls")),
    path("", include("apps.workflow.api.urls")),
    path("", include("apps.rights.api.urls")),
    path("", include("apps.site.api_urls")),  # endpoints composing several apps (the project export)
]

pages = [
    path("", home, name="home"),
    path("", include("apps.accounts.urls")),  # login, logout, single sign-on
    path("", include("apps.guests.urls")),
    path("", include("apps.projects.urls")),
    path("", include("apps.library.urls")),
    path("", include("apps.generations.urls")),
    path("", include("apps.site.asset_urls")),  # the gallery and the asset page compose jobs, reviews, checks, rights
    path("", include("apps.refinements.urls")),
    path("", include("apps.approvals.urls")),
    path("", include("apps.campaigns.urls")),
    path("", include("apps.site.urls")),  # pages composing several apps (apps/site)
    path("", include("apps.apikeys.urls")),
    path("", include("apps.webhooks.urls")),
    path("", include("apps.placements.urls")),
    path("", include("apps.workflow.urls")),
    path("", include("apps.rights.urls")),
]

urlpatterns = pages + [
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's, the API docs').
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True), name="favicon"),
    path("healthz", observability.healthz, name="healthz"),
    path("readyz", observability.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: no inline script, so it works under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler404 = "apps.core.exceptions.not_found"
handler500 = "apps.core.outages.server_error"  # an outage met outside a view still answers 503
