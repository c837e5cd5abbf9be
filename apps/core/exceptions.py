"""One application error type and one DRF handler, so every error has the same shape:
`{"error": {"code", "message", "field"?, "details"?}}`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A rule of the platform was broken; the message is written for the user who broke it."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.details = details or {}

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(ApplicationError):
    pass


class NotFound(ApplicationError):
    """Also what an outsider gets for another tenant's id: they learn nothing."""

    status_code = status.HTTP_404_NOT_FOUND


class NotAllowed(ApplicationError):
    """A member whose role or a rule (four-eyes, review roles) does not let them do this."""

    status_code = status.HTTP_403_FORBIDDEN


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT


class PayloadTooLarge(ApplicationError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class BudgetExceeded(ApplicationError):
    status_code = status.HTTP_402_PAYMENT_REQUIRED


class Throttled(ApplicationError):
    """Too much too fast (the job allowance); the answer carries Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        kwargs.setdefault("code", "throttled")
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors per field; flatten to `{"field.sub": ["message"]}`."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out.update(_flatten(value, f"{prefix}.{name}" if prefix and name else (prefix or name)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            return {prefix: [str(v) for v in detail]}
        out = {}
        for index, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}[{index}]"))
        return out
    return {prefix: [str(detail)]}


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return Response({"error": exc.as_dict()}, status=exc.status_code, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first_field, first_messages = next(iter(fields.items()), ("", ["Invalid input."]))
        message = f"{first_field}: {first_messages[0]}" if first_field else first_messages[0]
        error = {"code": "invalid", "message": message, "fields": fields}
        if first_field:
            error["field"] = first_field
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        error = {"code": code, "message": str(detail)}
    response.data = {"error": error}
    return response


def not_found(request, exception=None):
    """Django's 404 for URLs no view matched (e.g. a malformed id): under /api/ it has the API's error shape."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"error": {"code": "not_found", "message": f"No API endpoint at {request.path}."}}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
