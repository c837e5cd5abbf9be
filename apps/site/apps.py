from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: pages that compose several apps (an asset with its job, reviews, checks and
    rights; the project home; settings that span apps). It may import every app; none imports it."""

    name = "apps.site"
    label = "site"
