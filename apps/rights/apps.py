from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "apps.rights"
    verbose_name = "Rights"

    def ready(self):
        """Every stored asset (job output or upload) gets its effective rights as it is stored."""
        from apps.assets.signals import asset_stored
        from apps.rights import receivers

        asset_stored.connect(receivers.on_asset_stored, dispatch_uid="rights.on_asset_stored")
        # The export manifest and the Content Credentials assertion carry the effective rights.
        from apps.assets.provenance import field_register
        from apps.rights.selectors import describe

        field_register("rights", describe)
