from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "apps.placements"
    verbose_name = "Channel placements"

    def ready(self):
        """An approved asset's placements are rendered ahead on the `renditions` queue."""
        from apps.approvals.signals import review_decided
        from apps.placements import services

        review_decided.connect(services.render_ahead_on_approval, dispatch_uid="placements.render_ahead_on_approval")
