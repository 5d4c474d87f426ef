"""The sentences the phone's live room composes on the device (static/js/room.js), translated
here once per page into the attendee's language. Placeholders are ``{name}`` style, filled by
``fill`` in static/js/now.js."""

from __future__ import annotations

from django.utils.translation import gettext as _

from events.models import erased_name
from events.services import no_more_tables
from feedback.services import MAX_NOTE_CHARS


def room_texts() -> dict[str, str]:
    """The room's instruction sentences by kind (see ``instructionFor`` in static/js/now.js),
    and the few labels it composes; in the active language."""
    return {
        "connecting": _("Connecting…"),
        "reconnecting": _("No connection: reconnecting…"),
        "gone": _("This link no longer works"),
        "welcome": _("Welcome! Check in at the door: your table appears here."),
        "waiting_plan": _(
            "You're checked in. Your table appears here when the organizer makes the plan."
        ),
        "first_table": _("Your first table: {table}"),
        # no seat in the round under way, one in a later round (a walk-in seated by a re-plan)
        "joins_later": _("You join from round {round} — your first table: {table}"),
        # checked in, no seat in this round or a later one yet: a walk-in before the organizer
        # seats them (a re-plan, or the next round's start when walk-ins are seated then)
        "not_seated": _(
            "You're checked in. Your table appears here when the organizer seats you "
            "for a coming round."
        ),
        # the same, at an event that seats walk-ins as a round starts: the next round seats them
        "table_at_start": _("You get a table when round {round} starts"),
        # Taken out of the rounds after a report: the same neutral words as every page says.
        "removed": no_more_tables(),
        # marked gone at the door (no seat, no round, whatever the plan still holds)
        "left": _(
            "Thank you for coming! You are marked as gone, so you have no table. Still here? "
            "Check in again at the door."
        ),
        "starting": _("Round {round} is starting · Table {table}"),
        "my_turn": _("Your turn · Table {table}"),
        "listening": _("Table {table} · {pitcher} is pitching"),
        "open_talk": _("Table {table} · Open conversation"),
        "paused": _("Paused · Table {table}"),
        "move": _("Move to table {table}"),
        "stay": _("Stay at table {table}"),
        "mingle": _("Time to mingle — see who wants to meet you"),
        "closed": _("Thank you — your leads"),
        # a no-show opening the link after the close: no thanks for coming, nothing to collect
        "closed_absent": _("The event is closed."),
        # never checked in, once the rounds are over: nothing to collect, the mingling still open
        "mingle_absent": _("The rounds are over. Check in at the door to join the mingling."),
        "round_of": _("Round {round} of {count}"),
        "next_round": _("Round {round} of {count} starts soon"),
        "pitch_of": _("Pitch {index} of {count}"),
        "see_me": _("See me"),
        "introduce": _("I can introduce you"),
        "card_from": _("{giver}: {kind}"),
        "card_note": _("{giver}: {kind} — “{note}”"),
        # the introduction's note: characters as a reader counts them (note_characters)
        "note_left": _("Characters left: {count}"),
        "note_over": _("Characters over the limit: {count}"),
        "note_too_long": _("The note is at most %(max)s characters.") % {"max": MAX_NOTE_CHARS},
        "sound_on": _("Sound on"),
        "sound_off": _("Sound off"),
        "you": _("(you)"),
        # a tablemate who deleted their data during the evening (the ``person`` push)
        "erased": erased_name(),
        # a re-plan changed the attendee's coming stop (static/js/room.js followComingStop)
        "table_changed": _("Your table for round {round} changed: now table {table}."),
        "mates_changed": _("Your tablemates for round {round} changed (table {table})."),
    }
