from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import Card
from feedback.services import INTRODUCTION_MOVE_LABELS, MAX_NOTE_CHARS


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


class IntroductionMoveForm(forms.Form):
    """One tap on an introduction's status button; "made" may name whom."""

    action = forms.ChoiceField(choices=list(INTRODUCTION_MOVE_LABELS.items()))
    target = forms.CharField(max_length=MAX_NOTE_CHARS, required=False)
