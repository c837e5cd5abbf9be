import uuid
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from rest_framework import serializers

_ANY_UUID = uuid.UUID("f" * 32)


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo (`aspectRatio`) is an error, not a silent default."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [f"Unknown field. Allowed fields: {', '.join(sorted(self.fields))}."] for name in unknown}
                )
        return super().to_internal_value(data)


def absolute_url(context: dict, name: str, pk) -> str:
    """A named URL for `pk`, absolute when the serializer has a request in its context."""
    url = _uuid_reverse(name, pk) if isinstance(pk, uuid.UUID) else reverse(name, args=[pk])
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


def _uuid_reverse(name: str, pk: uuid.UUID) -> str:
    """reverse(name, args=[pk]) for a UUID: the route is reversed once (per URLconf and script
    prefix) with a stand-in UUID, then the stand-in is replaced. A list page of 50 assets reverses
    100 URLs; the resolver's search and checks cost ~20 us each, the replace ~0.3 us."""
    return _route_for_uuid(name, get_urlconf(), get_script_prefix()).replace(str(_ANY_UUID), str(pk))


@lru_cache(maxsize=256)
def _route_for_uuid(name: str, urlconf, prefix: str) -> str:
    route = reverse(name, args=[_ANY_UUID], urlconf=urlconf)
    assert route.count(str(_ANY_UUID)) == 1, route
    return route
