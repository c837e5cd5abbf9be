"""The OpenAPI schema says what the API really does, so a generated client works unchanged.

Every operation lists the error statuses it can answer, all with the one error shape that
apps.core.exceptions.api_exception_handler writes.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR_DETAIL = inline_serializer(
    "ErrorDetail",
    {
        "code": serializers.CharField(help_text="Stable, machine-readable: `invalid`, `not_found`, `throttled`, `name_taken` ..."),
        "message": serializers.CharField(help_text="Written for the person who made the request: names field, limit and value."),
        "field": serializers.CharField(required=False, help_text="The request field at fault, when there is one."),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False,
            help_text="Every invalid field with its messages (validation errors).",
        ),
        "details": serializers.DictField(required=False, help_text="Extra facts, e.g. the allowed values."),
    },
)
ERROR = inline_serializer("Error", {"error": ERROR_DETAIL})

ERROR_DESCRIPTIONS = {
    "400": "The request is invalid: `error.field` names the field, `error.message` the limit and value.",
    "401": "No valid credentials: send `Authorization: Token ...` or `Authorization: Bearer <project API key>`.",
    "402": "The project's monthly budget would be exceeded.",
    "403": "Your role in this project may not do this.",
    "404": "No such object, or it belongs to a project you are not a member of.",
    "409": "The request conflicts with the current state (a taken name, the last owner, a finished job).",
    "415": "Unsupported content type: see the request body's media types.",
    "429": "Too many requests: wait for the seconds in the `Retry-After` header.",
}

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def error_response(status_code: str) -> OpenApiResponse:
    return OpenApiResponse(ERROR, description=ERROR_DESCRIPTIONS[status_code])


class PlatformAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses each operation can give."""

    def _error_statuses(self) -> list[str]:
        authenticated = bool(self.view.get_authenticators()) and bool(self.view.get_permissions())
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        statuses = []
        if self.method in ("POST", "PUT", "PATCH") or has_query:
            statuses.append("400")
        if authenticated:
            statuses += ["401", "403", "404"]
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            statuses.append("415")
        if self.method in UNSAFE_METHODS and authenticated:
            statuses.append("409")
            if self.view.get_throttles():  # the throttles here limit writes only
                statuses.append("429")
        return statuses

    def _map_basic_serializer(self, serializer, direction):
        """A model serialised in an answer carries every field (null when empty), so in answers they
        are all required; drf-spectacular would leave out the ones whose model field has a default."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(force_instance(serializer), serializers.ModelSerializer):
            schema["required"] = sorted(schema["properties"])
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status_code in self._error_statuses():
            if status_code not in responses:
                responses[status_code] = self._get_response_for_code(error_response(status_code), status_code, direction=direction)
        return responses


def binary_responses(*media_types: str, description: str) -> dict:
    """A download: the bytes with their real media type, or (files on object storage) a redirect
    to a short-lived signed URL."""
    responses = {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description) for media_type in media_types}
    responses[302] = OpenApiResponse(description="On object storage: `Location` holds a signed URL valid for SIGNED_URL_SECONDS.")
    return responses
