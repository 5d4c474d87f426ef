from django.db import migrations, models

import events.codes


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0019_attendee_badge_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attendee",
            name="badge_key",
            field=models.CharField(
                default=events.codes.new_badge_key,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="badge key",
            ),
        ),
    ]
