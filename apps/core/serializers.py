from django.urls import reverse
from rest_framework import serializers


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
    url = reverse(name, args=[pk])
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url
