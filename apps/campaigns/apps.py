from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"

    def ready(self):
        # Connects the Celery hook that notices when a stage's last job has finished.
        from apps.assets.credentials import platform_field_register
        from apps.campaigns import tasks  # noqa: F401
        from apps.campaigns.selectors import asset_coordinates

        # Content Credentials of a campaign's assets say where in the campaign they sit.
        platform_field_register("campaign", asset_coordinates)
