# The events whose plan's last round has started already: Event.last_round_started_at is the
# last round's start (rounds.services.start_round sets it from now on).

from django.db import migrations
from django.db.models import Max


def mark_started(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Round = apps.get_model("rounds", "Round")
    waiting = Round.objects.filter(status="planned").values("event_id")
    started = (
        Round.objects.exclude(event_id__in=waiting)
        .exclude(status="planned")
        .values("event_id")
        .annotate(last=Max("started_at"))
    )
    for row in started:
        Event.objects.filter(pk=row["event_id"]).update(last_round_started_at=row["last"])


class Migration(migrations.Migration):

    dependencies = [
        ("rounds", "0002_alter_round_options_alter_seat_options_and_more"),
        ("events", "0025_event_last_round_started"),
    ]

    operations = [migrations.RunPython(mark_started, migrations.RunPython.noop)]
