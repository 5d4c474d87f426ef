from __future__ import annotations

from django import forms
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from pitches.models import MAX_WISHES, WISH_LENGTH


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

    wishes = TextField(
        label=_("People I would like to meet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Up to five lines, each a name from the guest list or a kind of person ("investors '
            'in hardware"). Only the seating reads it: nobody is shown your list.'
        ),
    )

    def clean_wishes(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["wishes"].split("\n") if line.strip()]
        if len(lines) > MAX_WISHES:
            raise forms.ValidationError(
                _("At most %(max)s lines, one person or kind of person each."),
                code="too_many",
                params={"max": MAX_WISHES},
            )
        if any(len(line) > WISH_LENGTH for line in lines):
            raise forms.ValidationError(
                _("Each line at most %(max)s characters."),
                code="too_long",
                params={"max": WISH_LENGTH},
            )
        return "\n".join(lines)

    def clean(self) -> dict:
        data = super().clean()
        if not any(data.get(field, "").strip() for field in ("need", "offer", "ask")):
            raise forms.ValidationError(_("Write at least what you need."))
        return data
