from __future__ import annotations

from django import forms
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from pitches.models import WISH_LENGTH


class TextField(forms.CharField):
    """A textarea's text with its line breaks as the browser counts them: a browser submits
    each line break as CR LF (two characters) but counts one against ``maxlength``, so without
    this a 600-character need typed on several lines is refused as 605 characters."""

    widget = forms.Textarea

    def to_python(self, value: object) -> str:
        return normalize_newlines(super().to_python(value))


class PitchForm(forms.Form):
    need = TextField(
        label=_("What I need"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One concrete need: a kind of client, a supplier, a hire, an introduction."),
    )
    offer = TextField(
        label=_("What I offer"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Serve, don't sell: what can you do for the people at your table?"),
    )
    ask = forms.CharField(
        label=_("My ask"),
        max_length=200,
        required=False,
        help_text=_('Close with one clear question: "Who do you know who…?"'),
    )

    def clean(self) -> dict:
        data = super().clean()
        if not any(data.get(field, "").strip() for field in ("need", "offer", "ask")):
            raise forms.ValidationError(_("Write at least what you need."))
        return data


ID_MAX = 2**63 - 1
"""The largest id a database row can have (a 64-bit key): a larger number is refused as input."""


class WishForm(forms.Form):
    """One wish to add: ``person`` (an attendee id, picked from the guest list) or ``text`` (a
    kind of person). Exactly one; the service checks the person and the list's length."""

    person = forms.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput
    )
    text = forms.CharField(
        label=_("Or describe a kind of person"),
        max_length=WISH_LENGTH,
        required=False,
        help_text=_('For example "investors in hardware" or "someone at a hospital group".'),
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        if data.get("person") is None and not data.get("text", "").strip():
            raise forms.ValidationError(
                _("Describe a kind of person, or pick someone from the guest list."),
                code="empty",
            )
        if data.get("person") is not None and data.get("text", "").strip():
            raise forms.ValidationError(_("Pick a person or describe one, not both."), code="both")
        return data


class WishRemoveForm(forms.Form):
    wish = forms.IntegerField(min_value=1, max_value=ID_MAX)


class GuestListingForm(forms.Form):
    is_listed = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes"
    )
