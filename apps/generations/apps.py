from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "apps.generations"

    def ready(self):
        """Interactive delivery is one backend of the delivery table, like any other."""
        from apps.generations.dispatch import register_interactive

        register_interactive()

        from apps.generations.budget_alerts import budget_alert_on_finish
        from apps.generations.signals import job_finished

        job_finished.connect(budget_alert_on_finish, dispatch_uid="generations.budget_alert")

        # An asset's provenance (manifests, Content Credentials) describes the job that made it.
        from apps.assets.provenance import section_register
        from apps.generations import provenance as job_provenance

        section_register("generation", job_provenance.job_describe, prefetch=job_provenance.PREFETCH)

        # The gallery's job filters and the lineage's reference images read job rows.
        from apps.assets.selectors import job_queries_register
        from apps.generations.models import jobs_sending_entry, made_from_asset, references_sent

        job_queries_register(made_from_asset=made_from_asset, jobs_sending_entry=jobs_sending_entry, references_sent=references_sent)
