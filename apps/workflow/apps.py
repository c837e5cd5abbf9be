from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "apps.workflow"
    label = "workflow"
    verbose_name = "Assignments and notifications"

    def ready(self):
        """Assignments and notifications listen to what other apps announce (never called by them)."""
        from apps.approvals.signals import comment_created, review_decided
        from apps.campaigns.signals import stage_finished
        from apps.checks.signals import asset_checked
        from apps.generations.signals import job_finished
        from apps.rights.signals import rights_expiring
        from apps.workflow import receivers

        review_decided.connect(receivers.on_review_decided, dispatch_uid="workflow.review_decided")
        comment_created.connect(receivers.on_comment_created, dispatch_uid="workflow.comment_created")
        asset_checked.connect(receivers.on_asset_checked, dispatch_uid="workflow.asset_checked")
        stage_finished.connect(receivers.on_stage_finished, dispatch_uid="workflow.stage_finished")
        job_finished.connect(receivers.on_job_finished, dispatch_uid="workflow.job_finished")
        rights_expiring.connect(receivers.on_rights_expiring, dispatch_uid="workflow.rights_expiring")
