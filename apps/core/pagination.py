from django.conf import settings
from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Cursor pages stay fast and stable however many rows a project holds."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = settings.PAGE_SIZE_MAX

    def get_paginated_response_schema(self, schema):
        """`next` and `previous` are always in the answer (null at either end), so the schema requires them."""
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["next", "previous", "results"]
        return paginated


def paginated_response(*, request, view, queryset, serializer_class, context=None):
    """Cursor-paginate a queryset from an APIView and serialise the page. The view names
    `pagination_class = NewestFirstCursorPagination`, which is also how the schema learns the envelope."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, **(context or {})}).data
    return paginator.get_paginated_response(data)
