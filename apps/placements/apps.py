from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "apps.placements"
    verbose_name = "Channel placements"

    def ready(self):
        """An approved asset's placements are rendered ahead on the `renditions` queue; its
        placement files are nodes of its lineage."""
        from apps.approvals.signals import review_decided
        from apps.assets.selectors import lineage_files_register
        from apps.placements import selectors, services

        review_decided.connect(services.render_ahead_on_approval, dispatch_uid="placements.render_ahead_on_approval")
        lineage_files_register(
            "placements", selectors.lineage_placement_files, {selectors.PLACEMENT_RELATION: selectors.PLACEMENT_RELATION_LABEL},
        )
