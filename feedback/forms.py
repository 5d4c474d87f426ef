from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.codes import normalize_join_code
from events.models import Event
from feedback.models import Card
from feedback.services import INTRODUCTION_MOVE_LABELS, MAX_NOTE_CHARS


def tap_arguments(data: dict[str, Any]) -> dict[str, Any]:
    """A valid ``CardForm``'s data as the keyword arguments of ``services.tap_card``."""
    return {
        "action": data["action"],
        "client_id": data["client_id"],
        "receiver_id": data["receiver"],
        "round_number": data["round"],
        "kind": data["kind"],
        "note": data["note"],
    }


class CardForm(forms.Form):
    """One tap on a card button, as the phone sends it (possibly again, after being offline)."""

    action = forms.ChoiceField(choices=[("give", _("Give")), ("take_back", _("Take back"))])
    client_id = forms.UUIDField()
    receiver = forms.IntegerField(min_value=1, required=False)
    round = forms.IntegerField(min_value=1, required=False)
    kind = forms.ChoiceField(choices=Card.Kind.choices, required=False)
    note = forms.CharField(max_length=MAX_NOTE_CHARS, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "give":
            for field in ("receiver", "round", "kind"):
                if not data.get(field):
                    self.add_error(field, _("This field is required."))
        return data


class EraseEventForm(forms.Form):
    """The organizer confirms deleting an event's personal data by typing its title or code."""

    confirmation = forms.CharField(
        label=_("Type the event's title or its join code to confirm"), max_length=200
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event

    def clean_confirmation(self) -> str:
        typed = " ".join(self.cleaned_data["confirmation"].split())
        title = " ".join(self.event.title.split())
        if typed.casefold() != title.casefold() and (
            normalize_join_code(typed) != self.event.join_code
        ):
            raise forms.ValidationError(
                _("That is neither the event's title nor its join code: nothing was deleted.")
            )
        return typed


class EraseMyDataForm(forms.Form):
    """An attendee confirms deleting their own data."""

    is_confirmed = forms.BooleanField(
        label=_("Yes, delete my name, contact details, pitch and notes"), required=True
    )


class IntroductionMoveForm(forms.Form):
    """One tap on an introduction's status button; "made" may name whom."""

    action = forms.ChoiceField(choices=list(INTRODUCTION_MOVE_LABELS.items()))
    target = forms.CharField(max_length=MAX_NOTE_CHARS, required=False)
