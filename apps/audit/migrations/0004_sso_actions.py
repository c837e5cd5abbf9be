from django.db import migrations, models
import django.db.models.deletion


# Making `project` nullable rebuilds the table on SQLite, which drops its trigger: put it back
# (migration 0001's append-only rule), idempotently on both databases.
def refuse_changes_again(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_append_only")
        schema_editor.execute(
            """CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_auditevent
               BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"""
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$"""
        )
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent")
        schema_editor.execute(
            """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
               FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"""
        )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_alter_auditevent_action'),
        ('projects', '0006_invitation_withdrawn'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('review_policy.changed', 'Review policy changed'), ('member.invited', 'Member invited'), ('member.invitation_withdrawn', 'Invitation withdrawn'), ('member.added', 'Member added'), ('member.role_changed', "Member's role changed"), ('member.removed', 'Member removed'), ('budget.changed', 'Budget changed'), ('project.changed', 'Project settings changed'), ('api_key.created', 'API key created'), ('api_key.revoked', 'API key revoked'), ('webhook.created', 'Webhook created'), ('webhook.deleted', 'Webhook deleted'), ('webhook.changed', 'Webhook changed'), ('webhook.secret_rotated', 'Webhook secret rotated'), ('brand_kit.changed', 'Brand kit changed'), ('review.checks_waived', 'Failing brand checks waived'), ('sso.signed_in', 'Signed in with single sign-on'), ('sso.refused', 'Single sign-on refused'), ('review_link.created', 'Review link created'), ('review_link.revoked', 'Review link revoked'), ('review.guest_decided', 'Guest decided a review')], max_length=40),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='project',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='audit_events', to='projects.project'),
        ),
        migrations.RunPython(refuse_changes_again, migrations.RunPython.noop),
    ]
