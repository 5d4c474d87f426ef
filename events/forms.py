from __future__ import annotations

import base64
import binascii
import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.codes import JOIN_CODE_LENGTH, normalize_join_code
from events.models import Event


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


class MyLinkForm(forms.Form):
    """ "Email me my link" on the join page, for someone registered who lost their link."""

    email = forms.EmailField(label=_("Your email"), max_length=254)


class EventForm(forms.ModelForm):
    """Create or change an event. The model's ``clean`` explains a round too short for a full
    table with the arithmetic."""

    class Meta:
        model = Event
        fields = [
            "title",
            "venue",
            "starts_at",
            "time_zone",
            "language",
            "rounds_count",
            "round_seconds",
            "table_size",
            "pitch_seconds",
            "is_sending_missed_you",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }
        help_texts = {
            "rounds_count": _("Usually 5 to 8."),
            "round_seconds": _("About 180: every seat pitches once, with a little time to talk."),
            "table_size": _("The largest table; 5 to 8 works best."),
            "pitch_seconds": _("30 seconds is the classic format."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Shown as the wall-clock time at the venue, the way the organizer typed it.
            local = timezone.localtime(
                self.instance.starts_at, zoneinfo.ZoneInfo(self.instance.time_zone)
            )
            self.initial["starts_at"] = local.replace(tzinfo=None)

    def clean(self) -> dict[str, Any]:
        """Read the start as the wall-clock time in the event's own time zone."""
        data = super().clean()
        starts_at, time_zone = data.get("starts_at"), data.get("time_zone")
        if starts_at and time_zone:
            typed = timezone.make_naive(starts_at, timezone.get_current_timezone())
            data["starts_at"] = timezone.make_aware(typed, zoneinfo.ZoneInfo(time_zone))
        return data

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("Unknown time zone %(name)s: use a name such as Europe/Berlin or Asia/Shanghai.")
                % {"name": name}
            ) from None
        return name


class OrganizerSignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), help_text=_("For password resets."))

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


class AttendeeForm(forms.Form):
    """The organizer adds someone by hand (at the door, or before the event)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    email = forms.EmailField(label=_("Email"), required=False)
    company = forms.CharField(label=_("Company"), max_length=160, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=160, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    is_consenting_to_share = forms.BooleanField(
        label=_("Agrees to share contact details"),
        required=False,
        help_text=_("A suggestion: it counts once the attendee confirms it on their own page."),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One attendee per line with a header row: name (or first and last name), email, "
            "company, job title, phone. Exports from ticketing sites work as they are."
        ),
    )


class ImportMappingForm(forms.Form):
    """Which column holds which field; carries the file itself between preview and import."""

    FIELD_LABELS = {
        "name": _("Name"),
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("Email"),
        "company": _("Company"),
        "job_title": _("Job title"),
        "phone": _("Phone"),
        "consent": _("Agrees to share contact details"),
    }

    content = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("(none)"))] + [(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]
        for name, label in self.FIELD_LABELS.items():
            self.fields[f"column_{name}"] = forms.ChoiceField(
                label=label, choices=columns, required=False
            )

    def mapping(self) -> dict[str, int | None]:
        return {
            name: int(value) if (value := self.cleaned_data.get(f"column_{name}")) else None
            for name in self.FIELD_LABELS
        }

    def data_bytes(self) -> bytes:
        try:
            return base64.b64decode(self.cleaned_data["content"], validate=True)
        except (ValueError, binascii.Error):
            raise forms.ValidationError(
                _("The file was lost on the way; upload it again.")
            ) from None
