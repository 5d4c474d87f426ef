from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import MAX_TABLE_SIZE, MIN_TABLE_SIZE
from rounds.services import MAX_ANNOUNCEMENT_CHARS, MAX_EXTEND_SECONDS


class ControlForm(forms.Form):
    """One click on the live control panel."""

    ACTIONS = [
        ("open", _("Open check-in")),
        ("plan", _("Make the plan")),
        ("replan", _("Re-plan the remaining rounds")),
        ("start", _("Start round")),
        ("pause", _("Pause")),
        ("resume", _("Resume")),
        ("extend", _("+30 s")),
        ("skip", _("Skip turn")),
        ("end", _("End round")),
        ("announce", _("Announce")),
        ("clear_announcement", _("Clear the announcement")),
        ("mingle", _("Start mingling")),
        ("close", _("Close the event")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    seconds = forms.IntegerField(
        min_value=1, max_value=MAX_EXTEND_SECONDS, initial=30, required=False
    )
    text = forms.CharField(max_length=MAX_ANNOUNCEMENT_CHARS, required=False, strip=True)
    minutes = forms.TypedChoiceField(
        label=_("Show for"),
        choices=[
            ("", _("until cleared")),
            ("5", _("5 minutes")),
            ("15", _("15 minutes")),
            ("30", _("30 minutes")),
            ("60", _("1 hour")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )


class GuideRangeForm(forms.Form):
    """The table sizes the plan page compares: from ``low`` to ``high`` people a table, both
    within what the planner seats (``MIN_TABLE_SIZE``–``MAX_TABLE_SIZE``), ``low`` ≤ ``high``.
    The browser gets the same bounds (min/max on the inputs, kept in order by plan_range.js)."""

    low = forms.IntegerField(
        label=_("Compare tables of"), min_value=MIN_TABLE_SIZE, max_value=MAX_TABLE_SIZE
    )
    high = forms.IntegerField(label=_("to"), min_value=MIN_TABLE_SIZE, max_value=MAX_TABLE_SIZE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("low"), cleaned.get("high")
        if low is not None and high is not None and low > high:
            self.add_error(
                "high",
                _("The largest table size to compare (%(high)s) is below the smallest (%(low)s).")
                % {"low": low, "high": high},
            )
        return cleaned
