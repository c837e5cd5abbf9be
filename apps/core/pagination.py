from django.conf import settings
from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Cursor pages stay fast and stable however many rows a project holds."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = settings.PAGE_SIZE_MAX


def paginated_response(*, request, view, queryset, serializer_class, context=None):
    """Cursor-paginate a queryset from an APIView and serialise the page."""
    paginator = NewestFirstCursorPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, **(context or {})}).data
    return paginator.get_paginated_response(data)
