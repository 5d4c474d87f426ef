"""The control page's contexts shared by the pages that draw them: the button panel (drawn by
``rounds.views`` and, after the rescue round, by ``feedback.views``, which counts the cards),
and the walk-in banner (the control page and its counters fragment, ``feedback.views``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from events.models import Event
from rounds import queries, services
from rounds.forms import ControlForm
from rounds.models import Round


def gaps_context(
    event: Event,
    *,
    round_: Round | bool | None = True,
    next_round: Round | bool | None = True,
    gaps: queries.SeatingGaps | None = None,
) -> dict[str, Any]:
    """The walk-in banner's context: who is not seated or gone, and the re-plan's question if a
    round is on. ``round_``, ``next_round`` and ``gaps`` as in ``panel_context`` when already
    read."""
    if round_ is True:
        round_ = queries.current_round(event.pk)
    return {
        "gaps": gaps if gaps is not None else queries.seating_gaps(event.pk, upcoming=next_round),
        "replan_question": services.confirmations(event, round_).get("replan", ""),
    }


def panel_context(event: Event, *, error: str = "", info: str = "") -> dict[str, Any]:
    """The button panel's context: the current and next round, the actions allowed now and the
    next step, the questions asked first, and a line to show (``error`` or ``info``)."""
    round_ = queries.current_round(event.pk)
    next_round = queries.next_round(event.pk)
    round_status = round_.effective_status(timezone.now()) if round_ else ""
    available = services.allowed_actions(event, round_, next_round)
    # the walk-in banner's condition, read once: it makes re-planning the next step
    gaps = queries.seating_gaps(event.pk, upcoming=next_round)
    return {
        "event": event,
        "round": round_,
        # what the clock says (a round whose time ran out is over, ended or not), as the
        # buttons and the questions read it
        "round_status": Round.Status(round_status).label if round_ else "",
        # the state the panel was drawn for, as control.js reads it from a push; the plan
        # version too: a plan, re-plan or rescue round changes the buttons (the rescue is
        # gone once made), not the event's or the round's status; and whether a turn can be
        # skipped, which the clock changes (the count-in ends, the last slot begins)
        "state_key": (
            f"{event.status}:{round_.number if round_ else ''}:{round_status}"
            f":{event.plan_version}:{'skip' if 'skip' in available else ''}"
        ),
        "next_round": next_round,
        "available": available,
        "gaps": gaps,
        "is_replan_due": bool(gaps.count),
        "primary": services.primary_action(
            event, round_, next_round, is_replan_due=bool(gaps.count)
        ),
        "confirm": services.confirmations(event, round_),
        "rescue_due": services.is_rescue_due(event, next_round),
        "form": ControlForm(initial={"seconds": 30}),
        "error": error,
        "info": info,
    }
