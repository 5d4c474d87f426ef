"""Each attendee gets a badge key, a secret of its own for the printed badge's QR code (the
personal token is a credential and must not be worn in view). Existing rows get a distinct key
each; 0017 then makes the column unique and required (a separate migration: on PostgreSQL a
table cannot be altered in the transaction that updated its rows)."""

import secrets

from django.db import migrations, models

BATCH = 500


def give_each_attendee_a_badge_key(apps, schema_editor):
    Attendee = apps.get_model("events", "Attendee")
    rows = list(Attendee.objects.filter(badge_key__isnull=True).only("pk"))
    for row in rows:
        row.badge_key = secrets.token_urlsafe(16)
    Attendee.objects.bulk_update(rows, ["badge_key"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0018_connector_opt_in"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendee",
            name="badge_key",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="badge key"
            ),
        ),
        migrations.RunPython(give_each_attendee_a_badge_key, migrations.RunPython.noop),
    ]
