from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"

    def ready(self):
        """A finished job becomes a generation.succeeded / generation.failed event."""
        from apps.generations.signals import job_finished
        from apps.webhooks.receivers import generation_finished

        job_finished.connect(generation_finished, dispatch_uid="webhooks.generation_finished")

        from apps.generations.budget_alerts import budget_alert_reached
        from apps.webhooks.receivers import budget_alert

        budget_alert_reached.connect(budget_alert, dispatch_uid="webhooks.budget_alert")
