from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from apps.audit.api.serializers import AuditEventOutputSerializer
from apps.audit.selectors import audit_list
from apps.core.pagination import NewestFirstCursorPagination, paginated_response
from apps.projects import policy
from apps.projects.policy import Action


class AuditListApi(APIView):
    pagination_class = NewestFirstCursorPagination

    @extend_schema(responses=AuditEventOutputSerializer(many=True))
    def get(self, request, project_id):
        """The project's audit log, newest first (owners only)."""
        project = policy.project_for(request.user, project_id, Action.VIEW_AUDIT)
        return paginated_response(request=request, view=self, queryset=audit_list(project=project), serializer_class=AuditEventOutputSerializer)
