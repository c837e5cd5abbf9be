from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0006_checks_must_pass_waiver'),
    ]

    operations = [
        migrations.AddField(
            model_name='review',
            name='guest',
            field=models.JSONField(blank=True, help_text='A guest\'s decision through a review link: {"name", "email", "link", "link_id"} (reviewer is then empty).', null=True),
        ),
        migrations.AddField(
            model_name='comment',
            name='guest',
            field=models.JSONField(blank=True, help_text='A guest\'s comment through a review link: {"name", "email", "link", "link_id"}.', null=True),
        ),
        migrations.AddField(
            model_name='reviewpolicy',
            name='guests_count',
            field=models.BooleanField(default=False, help_text="A guest's approval through a review link counts toward the approvals required."),
        ),
        migrations.AddField(
            model_name='reviewpolicy',
            name='editors_share_links',
            field=models.BooleanField(default=False, help_text='Editors may create and revoke review links (owners always may).'),
        ),
    ]
