"""Request bodies are capped before they are read: an upload past its byte limit is a 413 while
it streams in, never a whole file held by a web process.

Two gates, both from settings: REQUEST_MAX_BYTES against the declared Content-Length (refused
before one byte of the body is read), and UPLOAD_MAX_BYTES per file while the multipart body
streams (covers chunked bodies that declare no length). Files below FILE_UPLOAD_MAX_MEMORY_SIZE
are held in memory, larger ones go to a temporary file; neither handler sees past the cap.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import JsonResponse
from django.shortcuts import render

from apps.core.exceptions import PayloadTooLarge


def too_large(*, size: int, limit: int, field: str | None = None, what: str = "The file") -> PayloadTooLarge:
    return PayloadTooLarge(
        f"{what} is {size:,} bytes or more; the limit is {limit:,} bytes.",
        field=field, code="too_large", details={"limit": limit, "value": size},
    )


class SizeCappedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts each file's bytes and stops the upload at the cap."""

    def new_file(self, field_name, *args, **kwargs):
        self.field_name, self.received = field_name, 0
        super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            raise too_large(size=self.received, limit=settings.UPLOAD_MAX_BYTES, field=self.field_name)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) builds the file


def _refusal(request, error: PayloadTooLarge):
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": error.as_dict()}, status=413)
    else:
        response = render(request, "refused.html", {"title": "Too large", "message": error.message}, status=413)
    response["Connection"] = "close"  # the rest of the body is not read; do not reuse the connection
    return response


class RequestBodyLimitMiddleware:
    """Refuses a body whose Content-Length passes REQUEST_MAX_BYTES before anything reads it, and
    turns a cap reached while streaming (raised outside DRF, e.g. by a form page) into a 413."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.REQUEST_MAX_BYTES:
            return _refusal(request, too_large(size=declared, limit=settings.REQUEST_MAX_BYTES, what="The request body"))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PayloadTooLarge):
            return _refusal(request, exception)
        return None
