from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "apps.checks"
    verbose_name = "Brand checks"

    def ready(self):
        """Every stored asset (job output or upload) is checked on the `checks` queue."""
        from apps.assets.signals import asset_stored
        from apps.checks import receivers

        asset_stored.connect(receivers.on_asset_stored, dispatch_uid="checks.on_asset_stored")
        # The asset's REST representation shows its brand checks.
        from apps.assets.summaries import summary_register
        from apps.checks.selectors import summary

        summary_register("checks", summary)
