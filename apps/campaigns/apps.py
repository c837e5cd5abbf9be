from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"

    def ready(self):
        # Connects the Celery hook that notices when a stage's last job has finished.
        from apps.campaigns import tasks  # noqa: F401
