from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"

    def ready(self):
        """A finished job becomes a generation.succeeded / generation.failed event."""
        from apps.generations.signals import job_finished
        from apps.webhooks.receivers import generation_finished

        job_finished.connect(generation_finished, dispatch_uid="webhooks.generation_finished")
