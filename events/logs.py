"""The event log as data: each line stores its action, its actor and its parameters (ids and
numbers); the sentence is written when the line is shown, in the reader's language.

People are stored as references (``attendee``, ``first``, ``second``: attendee ids; ``user``: a
user id), never as text, so erasing an attendee changes what every line about them says without
touching the log. Lines whose action has no sentence here (an announcement's own words, an old
line written before the log was data) show their stored ``message``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from events.models import Attendee, Event, LogEntry, PairRule, erased_name

ATTENDEE_KEYS = ("attendee", "first", "second")
USER_KEYS = ("user",)

# action → the sentence, with %(name)s placeholders filled from the stored parameters.
SENTENCES: dict[str, Promise] = {
    "round_started": gettext_lazy("Round %(n)s started."),
    "report_made": gettext_lazy("A problem was reported (report %(n)s)."),
    "attendee_removed": gettext_lazy("%(attendee)s was removed from the remaining rounds."),
    "attendee_restored": gettext_lazy("%(attendee)s is back in the remaining rounds."),
    "attendee_deleted": gettext_lazy("Someone who had not taken part was removed from the list."),
    "conduct_changed": gettext_lazy("Code of conduct changed (version %(v)s)."),
    "email_blocked": gettext_lazy("An email was blocked for future events."),
    "co_organizer_invited": gettext_lazy("Invitation to run this event sent to %(email)s."),
    "round_paused": gettext_lazy("Round %(n)s paused."),
    "round_resumed": gettext_lazy("Round %(n)s resumed."),
    "round_extended": gettext_lazy("Round %(n)s extended by %(s)s s."),
    "round_ended": gettext_lazy("Round %(n)s ended."),
    "round_ended_time_up": gettext_lazy("Round %(n)s ended (time up)."),
    "turn_skipped": gettext_lazy("Round %(n)s: turn %(t)s skipped."),
    "announcement_cleared": gettext_lazy("Announcement cleared."),
    "event_check_in": gettext_lazy("The event is now %(status)s."),
    "event_live": gettext_lazy("The event is now %(status)s."),
    "event_mingle": gettext_lazy("The event is now %(status)s."),
    "event_closed": gettext_lazy("The event is now %(status)s."),
    "planned": gettext_lazy("Plan made for %(n)s people over %(r)s rounds."),
    "replanned": gettext_lazy(
        "Rounds %(first_round)s–%(last_round)s re-planned for %(n)s people; %(c)s itineraries "
        "changed."
    ),
    "rescue_replanned": gettext_lazy(
        "Rescue round %(n)s. Pitchers with the fewest cards who now sit with a new helper: "
        "%(h)s of %(p)s. People changing table: %(m)s. Phones told (their table or tablemates "
        "changed): %(c)s."
    ),
    "checked_in": gettext_lazy("%(attendee)s checked in."),
    "check_in_undone": gettext_lazy("Check-in of %(attendee)s undone."),
    "attendee_left": gettext_lazy("%(attendee)s left."),
    "seat_vacated": gettext_lazy(
        "%(attendee)s no longer sits at table %(t)s in round %(n)s; the tablemates were told."
    ),
    "seat_restored": gettext_lazy(
        "%(attendee)s sits at table %(t)s in round %(n)s again, pitching last; the tablemates "
        "were told."
    ),
    "walk_in_seated": gettext_lazy(
        "%(attendee)s seated at free places from round %(n)s on, nobody else moved."
    ),
    "walk_ins_refused": gettext_lazy(
        "Walk-ins refused: more than %(n)s joined in one minute. Raise the limit in the event's "
        "settings if they are real people."
    ),
    "attendee_claimed": gettext_lazy("%(attendee)s joined and took their record from the list."),
    "unconfirmed_email_released": gettext_lazy(
        "%(attendee)s never confirmed the email they typed on joining; it now belongs to the "
        "person the organizers listed with it."
    ),
    "plan_dropped": gettext_lazy("Settings changed: the plan was dropped; make it again."),
    "event_changed": gettext_lazy("Changed: %(fields)s."),
    "imported": gettext_lazy(
        "Attendee list imported: %(added)s added, %(updated)s updated, %(unchanged)s "
        "unchanged, %(skipped)s left out."
    ),
    "pair_rule_set": gettext_lazy("%(first)s and %(second)s: %(rule)s."),
    "pair_rule_removed": gettext_lazy("%(first)s and %(second)s: rule removed."),
    "co_organizer_added": gettext_lazy("%(user)s can now run this event."),
    "co_organizer_removed": gettext_lazy("%(user)s no longer runs this event."),
    "attendee_erased": gettext_lazy("Personal data deleted for %(attendee)s."),
}

# action → (a parameter, the sentence used when lines store it): the newer sentence of an action
# whose older lines lack the parameter, which keep their own sentence in SENTENCES.
NEWER_SENTENCES: dict[str, tuple[str, Promise]] = {
    "replanned": (
        "m",
        gettext_lazy(
            "Rounds %(first_round)s–%(last_round)s re-planned for %(n)s people. People changing "
            "table: %(m)s. Phones told (their table or tablemates changed): %(c)s."
        ),
    ),
}

# action → the newer sentence when its lines name one round only (first_round == last_round):
# "Round 3 re-planned…", not "Rounds 3–3 re-planned…".
ONE_ROUND_SENTENCES: dict[str, Promise] = {
    "replanned": gettext_lazy(
        "Round %(first_round)s re-planned for %(n)s people. People changing table: %(m)s. "
        "Phones told (their table or tablemates changed): %(c)s."
    ),
}

# action → (the sentence for a count, the parameter that counts)
PLURAL_SENTENCES: dict[str, tuple[Callable[[int], str], str]] = {
    "personal_data_erased": (
        lambda n: ngettext(
            "Personal data of %(n)s attendee deleted; the figures remain.",
            "Personal data of %(n)s attendees deleted; the figures remain.",
            n,
        ),
        "n",
    ),
}


RESCUE_REASONS: dict[str, Promise] = {
    "no_cards": gettext_lazy(
        "No pitcher was brought to a new helper: no cards were given yet, and no pitch found a "
        "helper among the people present they have not met."
    ),
    "no_helpers": gettext_lazy(
        "No pitcher was brought to a new helper: none was found for the pitchers with the "
        "fewest cards (their pitches match no one present they have not met, or they wrote "
        "none)."
    ),
    "already_seated": gettext_lazy(
        "No pitcher was brought to a new helper: each pitcher with a helper found already sits "
        "with one in the last round as planned."
    ),
    "no_seating": gettext_lazy(
        "No pitcher was brought to a new helper: no seating brings them together without "
        "someone meeting twice or a pair kept apart at one table."
    ),
}
"""A rescue round's ``reason`` code (``rounds.services.RescueReport.reason``) → why it helped
nobody."""


FULL_WIDTH_ENDS = ("。", "！", "？", "）", "」")
"""Sentence ends after which Chinese text goes on without a space."""


def join_sentences(sentences: Iterable[str]) -> str:
    """Translated sentences as one text: a space between them, none after a full-width end
    (``FULL_WIDTH_ENDS``: "第 4 轮……。换桌人数……"), so each language reads as written."""
    text = ""
    for sentence in sentences:
        if text and not text.endswith(FULL_WIDTH_ENDS):
            text += " "
        text += sentence
    return text


def rescue_tally(values: dict[str, Any]) -> str:
    """One sentence accounting for every pitcher with the fewest cards (``f``), in the active
    language: how many now sit with a new helper (``h``), already sat with one as planned
    (``s``), have a helper in the room the seating could not bring to their table (the rest of
    ``p``, those with a helper found), and have no helper in the room (``f`` - ``p``). Parts that
    are 0 are left out (all of them 0: nobody is present); the parts always add up to the
    whole said first, even for figures that do not fit together (a part is never below 0 and
    the whole grows to their sum). Raises ``KeyError`` for a missing figure, ``ValueError`` for
    one that is not a number.

    ``{"f": 7, "p": 6, "h": 4, "s": 2, "g": 9, "k": 1}`` → "Of the 7 pitchers with the fewest
    cards (at most 1 card each): 4 now sit with someone who can help, 2 already sit with
    someone who can help, 1 has no helper in the room." """
    fewest, found = int(values["f"]), int(values["p"])
    helped, already = max(int(values["h"]), 0), max(int(values["s"]), 0)
    unseated = max(found - helped - already, 0)
    whole = max(fewest, helped + already + unseated)
    helpless = whole - helped - already - unseated
    if not whole:
        return _("Nobody is present, so there are no pitchers with the fewest cards.")
    parts = [
        ngettext(
            "%(n)s now sits with someone who can help",
            "%(n)s now sit with someone who can help",
            helped,
        )
        % {"n": helped}
        if helped
        else "",
        ngettext(
            "%(n)s already sits with someone who can help",
            "%(n)s already sit with someone who can help",
            already,
        )
        % {"n": already}
        if already
        else "",
        ngettext(
            "%(n)s has a helper in the room but could not be seated with one",
            "%(n)s have a helper in the room but could not be seated with one",
            unseated,
        )
        % {"n": unseated}
        if unseated
        else "",
        ngettext("%(n)s has no helper in the room", "%(n)s have no helper in the room", helpless)
        % {"n": helpless}
        if helpless
        else "",
    ]
    if int(values["g"]):
        most = int(values["k"])
        lead = ngettext(
            "Of the %(f)s pitcher with the fewest cards (%(cards)s)",
            "Of the %(f)s pitchers with the fewest cards (%(cards)s)",
            whole,
        ) % {
            "f": whole,
            "cards": ngettext("at most %(k)s card each", "at most %(k)s cards each", most)
            % {"k": most},
        }
    else:
        lead = ngettext(
            "Of the %(f)s pitcher with the fewest cards",
            "Of the %(f)s pitchers with the fewest cards",
            whole,
        ) % {"f": whole}
    separator = pgettext("between the parts of a sentence", ", ")
    return _("%(whole)s: %(parts)s.") % {
        "whole": lead,
        "parts": separator.join(part for part in parts if part),
    }


def rescue_text(values: dict[str, Any]) -> str:
    """The sentences of a rescue round's log line (``rescue_replanned`` with the newer figures,
    ``rounds.services.RescueReport.log_params``) in the active language: what changed, whom it
    was for (``rescue_tally``: every pitcher with the fewest cards counted once), and why nobody
    was helped when nobody was. Raises ``KeyError`` for a missing figure."""
    n, tables = values["n"], int(values["t"])
    sentences = [
        _("Round %(n)s re-planned as the rescue round.") % {"n": n}
        if tables
        else _("Round %(n)s kept as planned: the rescue round changed no table.") % {"n": n}
    ]
    if not int(values["g"]) and int(values["f"]):
        sentences.append(
            ngettext(
                "No cards were given yet, so the %(f)s person present counted as the pitcher "
                "with the fewest cards.",
                "No cards were given yet, so all %(f)s people present counted as the pitchers "
                "with the fewest cards.",
                int(values["f"]),
            )
            % values
        )
    sentences.append(rescue_tally(values))
    if values.get("w"):
        sentences.append(str(RESCUE_REASONS[values["w"]]))
    sentences.append(
        _(
            "Tables changed: %(t)s. People changing table: %(m)s. Phones told (their table or "
            "tablemates changed): %(c)s."
        )
        % values
    )
    return join_sentences(sentences)


# action → (a parameter, the function writing the lines that store it): actions whose sentence
# depends on their figures; older lines without the parameter keep their SENTENCES entry.
COMPOSED_SENTENCES: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "rescue_replanned": ("t", rescue_text),
}


@dataclass(frozen=True)
class LogLine:
    """One line of the log as shown: ``text`` in the active language, ``actor`` the username
    of whoever did it ("" for the system or a phone)."""

    pk: int
    created_at: datetime
    action: str
    text: str
    actor: str


def has_sentence(action: str) -> bool:
    """Whether lines of ``action`` are stored as data (rendered) rather than as text."""
    return action in SENTENCES or action in PLURAL_SENTENCES


def field_labels(names: Sequence[str]) -> str:
    """Event field names as their labels in the active language, comma-separated."""
    labels = []
    for name in names:
        try:
            labels.append(str(Event._meta.get_field(name).verbose_name))
        except Exception:  # a field since removed: its name is the best we have
            labels.append(name)
    return ", ".join(labels)


def text_of(
    action: str,
    params: dict[str, Any],
    *,
    message: str = "",
    names: dict[int, str] | None = None,
    usernames: dict[int, str] | None = None,
) -> str:
    """The sentence for one stored line in the active language. ``names`` maps attendee ids to
    names and ``usernames`` user ids to usernames (missing → "someone"); an unknown action or
    missing parameter shows the stored ``message``."""
    names = names or {}
    usernames = usernames or {}
    values: dict[str, Any] = dict(params)
    for key in ATTENDEE_KEYS:
        if key in values:
            values[key] = names.get(values[key]) or _("someone")
    for key in USER_KEYS:
        if key in values:
            values[key] = usernames.get(values[key]) or _("someone")
    if "status" in values:
        with contextlib.suppress(ValueError):
            values["status"] = Event.Status(values["status"]).label
    if "rule" in values:
        with contextlib.suppress(ValueError):
            values["rule"] = PairRule.Kind(values["rule"]).label
    if "fields" in values and isinstance(values["fields"], list):
        values["fields"] = field_labels(values["fields"])
    try:
        if action in COMPOSED_SENTENCES and COMPOSED_SENTENCES[action][0] in values:
            return COMPOSED_SENTENCES[action][1](values)
        if action in PLURAL_SENTENCES:
            sentence, counter = PLURAL_SENTENCES[action]
            return sentence(int(values[counter])) % values
        if action in NEWER_SENTENCES and NEWER_SENTENCES[action][0] in values:
            if action in ONE_ROUND_SENTENCES and values.get("first_round") == values.get(
                "last_round"
            ):
                return str(ONE_ROUND_SENTENCES[action]) % values
            return str(NEWER_SENTENCES[action][1]) % values
        if action in SENTENCES:
            return str(SENTENCES[action]) % values
    except (KeyError, TypeError, ValueError):
        pass
    return message


def lines(entries: Iterable[LogEntry]) -> list[LogLine]:
    """The entries as shown, in the active language: two queries (the attendee names and the
    usernames they refer to) whatever the number of lines; entries need ``actor`` selected."""
    entries = list(entries)
    attendee_ids = {
        entry.params[key]
        for entry in entries
        for key in ATTENDEE_KEYS
        if isinstance(entry.params, dict) and isinstance(entry.params.get(key), int)
    }
    user_ids = {
        entry.params[key]
        for entry in entries
        for key in USER_KEYS
        if isinstance(entry.params, dict) and isinstance(entry.params.get(key), int)
    }
    names = (
        {
            pk: erased_name() if erased_at else name
            for pk, name, erased_at in Attendee.objects.filter(pk__in=attendee_ids).values_list(
                "pk", "name", "erased_at"
            )
        }
        if attendee_ids
        else {}
    )
    users = get_user_model()
    usernames = (
        {user.pk: user.get_username() for user in users.objects.filter(pk__in=user_ids)}
        if user_ids
        else {}
    )
    return [
        LogLine(
            pk=entry.pk,
            created_at=entry.created_at,
            action=entry.action,
            text=text_of(
                entry.action,
                entry.params or {},
                message=entry.message,
                names=names,
                usernames=usernames,
            ),
            actor=entry.actor.get_username() if entry.actor else "",
        )
        for entry in entries
    ]


def text(entry: LogEntry) -> str:
    """One entry's sentence in the active language (a query or two; for lists use ``lines``)."""
    return lines([entry])[0].text
