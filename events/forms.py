from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from events.codes import JOIN_CODE_LENGTH, normalize_join_code


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Event code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "placeholder": "CG26VP",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalize_join_code(self.cleaned_data["code"])
        if len(code) != JOIN_CODE_LENGTH:
            raise forms.ValidationError(
                _("An event code has %(n)s letters and digits.") % {"n": JOIN_CODE_LENGTH}
            )
        return code


class JoinForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Optional: for your follow-up digest after the event."),
    )
    company = forms.CharField(label=_("Company"), max_length=160, required=False)
    job_title = forms.CharField(label=_("What you do"), max_length=160, required=False)
    is_consenting_to_share = forms.BooleanField(
        label=_("Share my contact details with people who ask to see me"), required=False
    )
