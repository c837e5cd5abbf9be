from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assets", "0006_region_edit_relation")]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="focal_point",
            field=models.JSONField(
                blank=True, null=True,
                help_text='{"x", "y"} normalised 0..1: the point every placement crop keeps in frame (set by a person); empty: found from the pixels.',
            ),
        ),
    ]
