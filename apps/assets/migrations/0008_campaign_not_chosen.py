from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0007_placements_focal_point"),
    ]

    operations = [
        migrations.AlterField(
            model_name="asset",
            name="review_status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected"),
                         ("changes_requested", "Changes requested"), ("not_chosen", "Not chosen")],
                default="pending", max_length=20,
            ),
        ),
    ]
