"""What a re-plan sends to the phones: pushes and bytes, for 120 and 1,000 people.

For each size this makes an event on a fresh SQLite database (``bench/fanout.py``'s helpers),
checks everyone in, makes the plan, plays round 1, marks 10% of the room as gone (no-shows
noticed after the first round) and re-plans the rounds left. The channel-layer sends of the
re-plan are recorded (not sent) and printed:

- ``pushes``: ``plan`` messages, one per phone whose own table or tablemates changed;
- ``push KB``: their JSON, in total and the largest one;
- ``loads``: page loads the pushes cause. Now 0: the push carries the new stops and the phone
  redraws its itinerary from it. Before, each ``plan`` push made its phone load the itinerary
  fragment (``/a/<token>/itinerary/``); the bench renders that fragment for every phone told, so
  the "before" row is measured on the same re-plan: the pushes as they were (table numbers only)
  plus one fragment load each.

    .venv/bin/python bench/replan_push.py                  # 120 and 1,000 people
    .venv/bin/python bench/replan_push.py --people 300 --no-shows 0.2
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/replan_push.py
    sys.path.insert(0, str(ROOT))

from bench import fanout  # noqa: E402


def make_event(people: int, *, rounds: int, table_size: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from events.codes import new_attendee_token
    from events.models import Attendee, Event

    tag = f"{people}-{time.monotonic_ns()}"
    organizer = get_user_model().objects.create_user(f"replan-{tag}")
    event = Event.objects.create(
        organizer=organizer,
        title=f"Re-plan bench {people}",
        slug=f"replan-bench-{tag}",
        starts_at=timezone.now(),
        status=Event.Status.CHECK_IN,
        rounds_count=rounds,
        table_size=table_size,
    )
    Attendee.objects.bulk_create(
        Attendee(
            event=event,
            name=f"Person {n}",
            company=f"Company {n}",
            token=new_attendee_token(),
            checked_in_at=timezone.now(),
        )
        for n in range(people)
    )
    return event


def add_pitches(event: Any) -> None:
    """Every attendee with a pitch of typical length (an ask of 80 characters, a need and an
    offer of 200), as the pushes carry them."""
    from pitches.models import Pitch

    Pitch.objects.bulk_create(
        Pitch(
            attendee=person,
            ask=("Who do you know in logistics? " * 3)[:80],
            need=("A pilot customer in retail for our scanner. " * 5)[:200],
            offer=("Ten years of supply-chain software, happy to advise. " * 4)[:200],
        )
        for person in event.attendees.all()
    )


def run(people: int, *, no_shows: float, rounds: int, table_size: int) -> dict[str, Any]:
    from django.template.loader import render_to_string
    from django.utils import timezone

    from events.models import Attendee
    from feedback import queries as feedback_queries
    from rounds import broadcasts, services

    event = make_event(people, rounds=rounds, table_size=table_size)
    add_pitches(event)
    services.make_plan(event, by=None, time_limit=2.0)
    services.end_round(services.start_round(event.rounds.get(number=1), by=None), by=None)
    everyone = event.attendees.order_by("?").values_list("pk", flat=True)
    gone = list(everyone[: round(people * no_shows)])
    Attendee.objects.filter(pk__in=gone).update(left_at=timezone.now())

    sent: list[tuple[str, dict[str, Any]]] = []
    real = broadcasts.send_message
    broadcasts.send_message = lambda group, message: sent.append((group, message))
    try:
        started = time.perf_counter()
        report = services.replan(event, by=None, time_limit=1.0)
        seconds = time.perf_counter() - started
    finally:
        broadcasts.send_message = real

    plans = [json.loads(m["text"]) for _g, m in sent if json.loads(m["text"])["type"] == "plan"]
    others = [m for _g, m in sent if json.loads(m["text"])["type"] != "plan"]
    told = [int(group.rsplit(".", 1)[-1]) for group, _m in sent if group.startswith("attendee")]
    sizes = [len(json.dumps(p, separators=(",", ":")).encode()) for p in plans]
    old_sizes = [
        len(json.dumps({"type": "plan", "itinerary": p["itinerary"]}, separators=(",", ":")))
        for p in plans
    ]
    by_pk = Attendee.objects.in_bulk(told)
    fragments = [
        len(
            render_to_string(
                "feedback/partials/itinerary.html",
                {"attendee": by_pk[pk], "itinerary": feedback_queries.room_itinerary(pk)},
            ).encode()
        )
        for pk in told
    ]
    return {
        "people": people,
        "gone": len(gone),
        "changed": report.changed_attendees,
        "pushes": len(plans),
        "event_pushes": len(others),
        "push_kb": sum(sizes) / 1024,
        "push_max_kb": max(sizes, default=0) / 1024,
        "old_push_kb": sum(old_sizes) / 1024,
        "old_loads": len(fragments),
        "old_load_kb": sum(fragments) / 1024,
        "replan_s": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", nargs="+", type=int, default=[120, 1000])
    parser.add_argument("--no-shows", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--table-size", type=int, default=6)
    args = parser.parse_args(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="speednet-replan-"))
    rows = []
    try:
        with fanout.bench_database("sqlite", work_dir) as database_url:
            fanout.setup_django(database_url)
            for people in args.people:
                rows.append(
                    run(
                        people,
                        no_shows=args.no_shows,
                        rounds=args.rounds,
                        table_size=args.table_size,
                    )
                )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    print(
        "people  gone  told  | now: pushes  push KB  largest KB  loads | "
        "before: pushes  push KB  loads  load KB | re-plan s"
    )
    for r in rows:
        print(
            f"{r['people']:6d}  {r['gone']:4d}  {r['changed']:4d}  |  {r['pushes']:10d}  "
            f"{r['push_kb']:7.1f}  {r['push_max_kb']:10.2f}  {0:5d} |  {r['pushes']:13d}  "
            f"{r['old_push_kb']:7.1f}  {r['old_loads']:5d}  {r['old_load_kb']:7.1f} |  "
            f"{r['replan_s']:8.2f}"
        )
    print("(plus one `state` push to the event group per re-plan in both)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
