from django.urls import path

from apps.approvals import views

urlpatterns = [
    path("projects/<uuid:project_id>/review/", views.review_queue, name="review-queue"),
    path("assets/<uuid:asset_id>/comments/", views.comment_post, name="asset-comment-post"),
    path("comments/<int:comment_id>/resolve/", views.comment_resolve, name="comment-resolve"),
    path("comments/<int:comment_id>/apply/", views.comment_apply, name="comment-apply-page"),
    path("reviews/<int:review_id>/undo/", views.review_undo, name="review-undo"),
]
