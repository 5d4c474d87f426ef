from django.db import migrations, models

import events.codes


def give_each_event_its_own_key(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    for event in Event.objects.only("pk"):
        event.projector_key = events.codes.new_projector_key()
        event.save(update_fields=["projector_key"])


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="projector_key",
            field=models.CharField(
                default=events.codes.new_projector_key, editable=False, max_length=32,
                verbose_name="projector key",
            ),
        ),
        migrations.RunPython(give_each_event_its_own_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="projector_key",
            field=models.CharField(
                default=events.codes.new_projector_key, editable=False, max_length=32,
                unique=True, verbose_name="projector key",
            ),
        ),
    ]
