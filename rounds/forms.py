from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
