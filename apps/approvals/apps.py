from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "apps.approvals"

    def ready(self):
        from apps.approvals.receivers import credentials_sign_ahead
        from apps.approvals.signals import review_decided

        review_decided.connect(credentials_sign_ahead, dispatch_uid="approvals.credentials_sign_ahead")
