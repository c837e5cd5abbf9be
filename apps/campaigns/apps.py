from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"

    def ready(self):
        from apps.assets.credentials import platform_field_register
        from apps.campaigns.receivers import stage_run_settle_on_finish
        from apps.campaigns.selectors import asset_coordinates
        from apps.generations.signals import job_finished

        # A stage run is settled when its last job has finished, however it finished.
        job_finished.connect(stage_run_settle_on_finish, dispatch_uid="campaigns.stage_run_settle")

        # Content Credentials of a campaign's assets say where in the campaign they sit.
        platform_field_register("campaign", asset_coordinates)
