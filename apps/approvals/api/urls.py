from django.urls import path

from apps.approvals.api import views

urlpatterns = [
    path("assets/<uuid:asset_id>/reviews/", views.ReviewListApi.as_view(), name="review-list"),
    path("assets/<uuid:asset_id>/comments/", views.CommentListApi.as_view(), name="comment-list"),
    path("comments/<int:comment_id>/", views.CommentApi.as_view(), name="comment-detail"),
    path("comments/<int:comment_id>/apply/", views.CommentApplyApi.as_view(), name="comment-apply"),
    path("projects/<uuid:project_id>/review-policy/", views.ReviewPolicyApi.as_view(), name="review-policy"),
    path("projects/<uuid:project_id>/approve-passing/", views.ApprovePassingApi.as_view(), name="approve-passing"),
]
