from django.urls import path

from apps.rights import views

urlpatterns = [
    path("projects/<uuid:project_id>/rights/", views.rights_page, name="rights-page"),
    path("library/<uuid:entry_id>/rights/", views.entry_rights_add, name="entry-rights-add"),
    path("rights/<uuid:right_id>/", views.right_edit, name="right-edit"),
    path("rights/<uuid:right_id>/delete/", views.right_delete, name="right-delete"),
    path("assets/<uuid:asset_id>/rights/override/", views.asset_override, name="asset-rights-override-page"),
]
