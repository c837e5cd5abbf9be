from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"

    def ready(self):
        from apps.assets.provenance import field_register
        from apps.approvals.signals import review_decided
        from apps.assets.signals import asset_stored
        from apps.campaigns.receivers import drafts_settle_on_decision, stage_run_settle_on_finish, title_on_stored
        from apps.campaigns.expected import campaign_expected
        from apps.campaigns.selectors import asset_coordinates
        from apps.assets.summaries import summary_register
        from apps.checks.expected import expectation_register
        from apps.generations.signals import job_finished

        # A stage run is settled when its last job has finished, however it finished.
        job_finished.connect(stage_run_settle_on_finish, dispatch_uid="campaigns.stage_run_settle")
        # A cell's chosen draft (picked or approved) sends its sibling drafts out of the review queue.
        review_decided.connect(drafts_settle_on_decision, dispatch_uid="campaigns.drafts_settle")
        # Campaign images are titled by their coordinates ("Trail One · scene 1 · 9:16 · de · final").
        asset_stored.connect(title_on_stored, dispatch_uid="campaigns.title_on_stored")

        # The provenance of a campaign's assets (manifests, Content Credentials) says where in the
        # campaign they sit.
        field_register("campaign", asset_coordinates)
        # Brand checks read a campaign job's image against the campaign's copy and language.
        expectation_register(campaign_expected)
        # The asset's REST representation shows where in a campaign it sits.
        summary_register("campaign", asset_coordinates)
