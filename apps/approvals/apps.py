from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "apps.approvals"

    def ready(self):
        from apps.approvals.policy import role_may_decide
        from apps.approvals.receivers import credentials_sign_ahead
        from apps.approvals.signals import review_decided
        from apps.projects.pages import review_rule_register

        review_decided.connect(credentials_sign_ahead, dispatch_uid="approvals.credentials_sign_ahead")
        # Every project page shows whether the user may review (projects is below approvals).
        review_rule_register(role_may_decide)
