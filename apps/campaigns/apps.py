from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"

    def ready(self):
        # Connects the Celery hook that notices when a stage's last job has finished.
        from apps.assets.provenance import field_register
        from apps.campaigns import tasks  # noqa: F401
        from apps.campaigns.selectors import asset_coordinates

        # The provenance of a campaign's assets (manifests, Content Credentials) says where in the
        # campaign they sit.
        field_register("campaign", asset_coordinates)
