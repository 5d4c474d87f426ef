"""The control page's walk-in banner context, shared by the pages that draw it: the control page
(``rounds.views``) and its counters fragment (``feedback.views``, which counts the cards)."""

from __future__ import annotations

from typing import Any

from events.models import Event
from rounds import queries, services
from rounds.models import Round


def gaps_context(
    event: Event, *, round_: Round | bool | None = True, next_round: Round | bool | None = True
) -> dict[str, Any]:
    """The walk-in banner's context: who is not seated or gone, and the re-plan's question if a
    round is on. ``round_`` and ``next_round`` as in ``panel_context`` when already read."""
    if round_ is True:
        round_ = queries.current_round(event.pk)
    return {
        "gaps": queries.seating_gaps(event.pk, upcoming=next_round),
        "replan_question": services.confirmations(event, round_).get("replan", ""),
    }
