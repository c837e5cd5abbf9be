from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "apps.batches"

    def ready(self):
        """Batch delivery plugs into the job engine's delivery table."""
        from apps.batches.delivery import register

        register()
