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
        # Reference images uploaded through the library's page and API come with their right.
        from apps.library.services import reference_rights_register
        from apps.rights.services import policy_for, reference_image_add_with_rights

        reference_rights_register(required=lambda project: policy_for(project).require_on_references, add=reference_image_add_with_rights)
        # Files, signing and exports (in assets, below rights) ask the rights whether an asset may go,
        # and the asset's REST representation shows its rights.
        from apps.assets.summaries import summary_register
        from apps.assets.uses import uses_register
        from apps.rights import selectors as rights_selectors
        from apps.rights.services import use_check, use_refusals, use_scope

        uses_register(check=use_check, refusals=use_refusals, scope=use_scope)
        summary_register("rights", rights_selectors.summary)
