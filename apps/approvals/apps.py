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
        # An asset's provenance (manifests, Content Credentials) lists its review decisions.
        from apps.approvals import provenance as review_provenance
        from apps.assets.provenance import section_register

        section_register("reviews", review_provenance.reviews_describe, prefetch=review_provenance.PREFETCH)
