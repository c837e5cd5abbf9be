from collections import Counter

from django.urls import get_resolver


def test_every_url_name_is_unique_so_reverse_finds_the_page_or_api_meant():
    """Page and API names share one namespace; a clash makes reverse() silently pick one of them."""
    names = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif pattern.name:
                names.append(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    assert [name for name, count in Counter(names).items() if count > 1] == []
