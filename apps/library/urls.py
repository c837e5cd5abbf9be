from django.urls import path

from apps.library import views

urlpatterns = [
    path("projects/<uuid:project_id>/library/", views.library, name="library"),
    path("library/<uuid:entry_id>/", views.library_entry, name="library-entry"),
    path("library/<uuid:entry_id>/images/", views.library_entry_upload, name="library-entry-upload"),
    path("library/<uuid:entry_id>/archive/", views.library_entry_archive, name="library-entry-archive"),
    path("library/images/<uuid:image_id>/archive/", views.reference_image_archive, name="reference-image-archive"),
]
