from django.urls import path

from apps.library.api import views
from apps.library.models import EntryKind

urlpatterns = [
    path("reference-images/<uuid:image_id>/file/", views.ReferenceImageFileApi.as_view(), name="reference-image-file"),
    path("reference-images/<uuid:image_id>/thumbnail/", views.ReferenceImageThumbnailApi.as_view(), name="reference-image-thumbnail"),
]
for segment, kind in (("characters", EntryKind.CHARACTER), ("objects", EntryKind.OBJECT), ("logos", EntryKind.LOGO)):
    urlpatterns += [
        path(f"projects/<uuid:project_id>/{segment}/", views.EntryListApi.as_view(kind=kind), name=f"{kind}-list"),
        path(f"{segment}/<uuid:entry_id>/", views.EntryDetailApi.as_view(kind=kind), name=f"{kind}-detail"),
        path(f"{segment}/<uuid:entry_id>/images/", views.ReferenceImageListApi.as_view(kind=kind), name=f"{kind}-images"),
        path(
            f"{segment}/<uuid:entry_id>/images/<uuid:image_id>/",
            views.ReferenceImageDetailApi.as_view(kind=kind),
            name=f"{kind}-image-detail",
        ),
    ]
