from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events import csv_import, hygiene, tabular
from events.codes import JOIN_CODE_LENGTH, JOIN_NONCE_PATTERN, new_join_nonce, normalize_join_code
from events.models import (
    MAX_PITCH_SECONDS,
    MAX_ROUND_SECONDS,
    MAX_ROUNDS,
    MAX_TABLE_SIZE,
    MIN_PITCH_SECONDS,
    MIN_ROUND_SECONDS,
    MIN_ROUNDS,
    MIN_TABLE_SIZE,
    Attendee,
    Event,
    PairRule,
    Series,
    validate_start_year,
)
from events.services import adding_refusal


class IdentityFieldsMixin:
    """The identity hygiene rule (``events.hygiene``) on whichever of name, email, company, job
    title and phone a form has: every form that takes people's data uses it."""

    cleaned_data: dict[str, Any]

    def clean_name(self) -> str:
        return hygiene.clean_name(self.cleaned_data.get("name"))

    def clean_email(self) -> str:
        return hygiene.clean_email(self.cleaned_data.get("email"))

    def clean_company(self) -> str:
        return hygiene.clean_company(self.cleaned_data.get("company"))

    def clean_job_title(self) -> str:
        return hygiene.clean_job_title(self.cleaned_data.get("job_title"))

    def clean_phone(self) -> str:
        return hygiene.clean_phone(self.cleaned_data.get("phone"))


class EmailInputField(forms.CharField):
    """An email typed by a person: checked by the hygiene rule (which also accepts a domain in
    Chinese and encodes it), not by Django's stricter-than-mail pattern before cleaning."""

    widget = forms.EmailInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 320)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)


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


class JoinForm(IdentityFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = EmailInputField(
        label=_("Email"),
        required=False,
        help_text=_("Optional: for your follow-up digest after the event."),
    )
    company = forms.CharField(label=_("Company"), max_length=160, required=False)
    job_title = forms.CharField(label=_("What you do"), max_length=160, required=False)
    is_consenting_to_share = forms.BooleanField(
        label=_("Share my contact details with people who ask to see me"), required=False
    )
    # Issued with each form served; a repeated submit of that form joins once (join_event).
    join_nonce = forms.CharField(
        required=False, strip=True, initial=new_join_nonce, widget=forms.HiddenInput
    )

    def clean_join_nonce(self) -> str:
        """The form's nonce, or "" for a missing or malformed one (the join then goes ahead
        without the repeat check; a hidden field's error would be seen by nobody)."""
        nonce = self.cleaned_data.get("join_nonce") or ""
        return nonce if JOIN_NONCE_PATTERN.fullmatch(nonce) else ""


class MyLinkForm(IdentityFieldsMixin, forms.Form):
    """ "Email me my link" on the join page, for someone registered who lost their link; the
    address is read by the hygiene rule, as it was stored. It shares the join page with the join
    form, so its ids have their own prefix (``my-link-email``); the field's name stays ``email``."""

    email = EmailInputField(label=_("Your email"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "my-link-%s")
        super().__init__(*args, **kwargs)


def wall_clock_problem(typed: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """Why a wall-clock time (naive) cannot be an event's start in ``zone``: it does not exist
    (the clocks jump forward over it) or it happens twice (the clocks go back); "" if fine."""
    first, second = typed.replace(tzinfo=zone, fold=0), typed.replace(tzinfo=zone, fold=1)
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    values = {"time": typed.strftime("%Y-%m-%d %H:%M"), "zone": zone.key}
    if back != typed:
        return (
            _(
                "%(time)s does not exist in %(zone)s: the clocks jump forward over it that night. "
                "Choose a time an hour later or earlier."
            )
            % values
        )
    if first.utcoffset() != second.utcoffset():
        return (
            _(
                "%(time)s happens twice in %(zone)s: the clocks go back that night. Choose a time "
                "outside that hour."
            )
            % values
        )
    return ""


def time_zone_names() -> list[str]:
    """Every time zone name the server knows, sorted (the time-zone field's suggestions)."""
    return sorted(zoneinfo.available_timezones())


class SeriesForm(forms.Form):
    """A new series: its title."""

    title = forms.CharField(label=_("Series title"), max_length=200)


class EventForm(forms.ModelForm):
    """Create or change an event. The model's ``clean`` explains a round too short for a full
    table with the arithmetic."""

    class Meta:
        model = Event
        fields = Event.FORM_FIELDS
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

    # the bounds the model enforces, given to the browser too (min/max on the number inputs)
    NUMBER_BOUNDS = {
        "rounds_count": (MIN_ROUNDS, MAX_ROUNDS),
        "round_seconds": (MIN_ROUND_SECONDS, MAX_ROUND_SECONDS),
        "table_size": (MIN_TABLE_SIZE, MAX_TABLE_SIZE),
        "pitch_seconds": (MIN_PITCH_SECONDS, MAX_PITCH_SECONDS),
    }

    def __init__(self, *args: Any, organizer: Any = None, **kwargs: Any) -> None:
        """``organizer``: the user filling the form in. A new event may join one of their own
        series; an existing event in no series may join one of its owner's series, offered to
        the owner only (``services.update_event`` keeps an event in the series it joined).
        Another organizer's series id is refused as an invalid choice."""
        super().__init__(*args, **kwargs)
        if organizer is not None and not self.instance.pk:
            # a new event may join one of the organizer's own series (never another's)
            self.fields["series"] = self.series_field(organizer.pk)
        elif (
            organizer is not None
            and self.instance.series_id is None
            and organizer.pk == self.instance.organizer_id
        ):
            self.fields["series"] = self.series_field(
                self.instance.organizer_id,
                help_text=_(
                    "People who come again are recognised by their email. Once the event joins "
                    "a series it stays in it."
                ),
            )
        for name, (low, high) in self.NUMBER_BOUNDS.items():
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            field.widget.attrs.update({"min": low, "max": high})
        # a searchable list of every zone; the browser's own zone is filled in for a new event
        # (static/js/event_form.js), the server accepts only a real zone name
        zone = self.fields["time_zone"]
        zone.widget.attrs.update(
            {"list": "time-zone-names", "autocomplete": "off", "data-browser-zone": ""}
        )
        if not self.instance.pk and not self.is_bound:
            zone.widget.attrs["data-browser-zone"] = "fill"
        if self.instance.pk:
            # Shown as the wall-clock time at the venue, the way the organizer typed it.
            local = timezone.localtime(
                self.instance.starts_at, zoneinfo.ZoneInfo(self.instance.time_zone)
            )
            self.initial["starts_at"] = local.replace(tzinfo=None)

    @staticmethod
    def series_field(organizer_id: int, *, help_text: str = "") -> forms.ModelChoiceField:
        """The choice of a series among ``organizer_id``'s own (none: a one-off event)."""
        return forms.ModelChoiceField(
            label=_("Series"),
            queryset=Series.objects.filter(organizer_id=organizer_id).order_by("title", "pk"),
            required=False,
            empty_label=_("None (a one-off event)"),
            help_text=help_text or _("People who come again are recognised by their email."),
        )

    def clean(self) -> dict[str, Any]:
        """Read the start as the wall-clock time in the event's own time zone."""
        data = super().clean()
        starts_at, time_zone = data.get("starts_at"), data.get("time_zone")
        if starts_at and time_zone:
            typed = timezone.make_naive(starts_at, timezone.get_current_timezone())
            zone = zoneinfo.ZoneInfo(time_zone)
            try:
                # The year first: the zone's rules cannot be read at the ends of the calendar.
                validate_start_year(typed.replace(tzinfo=UTC))
                problem = wall_clock_problem(typed, zone)
                if problem:
                    raise forms.ValidationError(problem)
                data["starts_at"] = timezone.make_aware(typed, zone)
                validate_start_year(data["starts_at"])
            except forms.ValidationError as error:
                self.add_error("starts_at", error)
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


class AttendeeForm(IdentityFieldsMixin, forms.Form):
    """The organizer adds someone by hand (at the door, or before the event)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    email = EmailInputField(label=_("Email"), required=False)
    company = forms.CharField(label=_("Company"), max_length=160, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=160, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    # The organizer's word is a suggestion; the attendee answers on their phone.
    is_consent_suggested = forms.BooleanField(
        label=_("Agrees to share contact details"),
        required=False,
        help_text=_("A suggestion: it counts once the attendee confirms it on their own page."),
    )


class WalkInForm(IdentityFieldsMixin, forms.Form):
    """The door adds a walk-in and checks them in at once: the name, and what else they say."""

    name = forms.CharField(label=_("Name"), max_length=120)
    email = EmailInputField(label=_("Email"), required=False)
    company = forms.CharField(label=_("Company"), max_length=160, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "walk-in-%s")
        super().__init__(*args, **kwargs)


class EventAdminForm(forms.ModelForm):
    """The admin's event form: a new event's series is one of its owner's own, as
    ``services.create_event`` requires (a staff organizer may make the event for a teammate,
    and is offered only their own series)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        series = cleaned.get("series")
        if "organizer" in self.fields:
            organizer = cleaned.get("organizer")
            organizer_id = organizer.pk if organizer is not None else None
        else:
            organizer_id = self.instance.organizer_id
        if series is not None and organizer_id is not None and series.organizer_id != organizer_id:
            self.add_error("series", _("Choose one of the owner's own series."))
        return cleaned


class AttendeeAdminForm(IdentityFieldsMixin, forms.ModelForm):
    """The admin's attendee form, under the same hygiene rule as every other entry point. The
    attendee's own answer to sharing (and their WeChat and LinkedIn) is theirs to set, on their
    phone: the admin shows it, and sets only the suggestion. Check-in, leaving, unsubscribing
    and erasure are not fields: they happen through their services
    (``events.admin.AttendeeAdmin``)."""

    email = EmailInputField(label=_("email"), required=False)

    class Meta:
        model = Attendee
        fields = [
            "event",
            "name",
            "given_name",
            "family_name",
            "email",
            "company",
            "job_title",
            "phone",
            "registration_need",
            "is_consent_suggested",
        ]

    def validate_unique(self) -> None:
        """Also one email per event once the attendee exists: their event is then read-only,
        not a field, and Django leaves out the constraints naming a field the form lacks (the
        database refused the save, a server error)."""
        super().validate_unique()
        if "event" in self.fields or "email" not in self.cleaned_data:
            return
        others = {field.name for field in Attendee._meta.get_fields()} - {"event", "email"}
        try:
            self.instance.validate_constraints(exclude=others)
        except forms.ValidationError as error:
            self.add_error("email", error.messages)

    def clean(self) -> dict:
        """No one added to a closed event or one whose personal data were deleted, here as at
        every other entry point (``services.adding_refusal``)."""
        cleaned = super().clean()
        event = cleaned.get("event")
        if self.instance.pk is None and event is not None:
            refusal = adding_refusal(event)
            if refusal:
                self.add_error("event", refusal)
        return cleaned

    def clean_given_name(self) -> str:
        return hygiene.clean_name(self.cleaned_data.get("given_name"))

    def clean_family_name(self) -> str:
        return hygiene.clean_name(self.cleaned_data.get("family_name"))

    def clean_registration_need(self) -> str:
        return hygiene.clean_text(
            self.cleaned_data.get("registration_need"), label=_("answer"), max_length=600
        )


UPLOAD_SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".xlsx")


def upload_help() -> str:
    """The upload field's help, in the active language (filled in when shown, not when the
    form class is made: ``%`` on a lazy text would fix it in the language of that moment)."""
    return gettext(
        "A CSV, tab-separated text or Excel (.xlsx) file with a header row, in any encoding, "
        "at most %(mb)s MB and %(rows)s rows. Exports from ticketing sites (Eventbrite, "
        "Luma, Meetup, ti.to, pretix) and forms work as they are; you check the columns "
        "before anything is imported."
    ) % {"mb": csv_import.MAX_BYTES // (1024 * 1024), "rows": f"{csv_import.MAX_ROWS:,}"}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Attendee list (CSV or Excel)"),
        help_text=lazy(upload_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > csv_import.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(mb)s MB can be imported at once.")
                % {
                    "size": f"{upload.size / (1024 * 1024):.1f}",
                    "mb": csv_import.MAX_BYTES // (1024 * 1024),
                }
            )
        name = (upload.name or "").lower()
        if name.endswith((".xls", ".numbers", ".ods", ".pdf")):
            raise forms.ValidationError(
                _("Save the list as CSV or as an Excel workbook (.xlsx), then upload that.")
            )
        return upload


class ImportMappingForm(forms.Form):
    """Which column holds which field, every one choosable; the file itself stays on the
    server (``upload`` is its key)."""

    upload = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(
        self, *args: Any, headers: list[str], is_text: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        repeated = {h for h in headers if h and headers.count(h) > 1}
        columns = [("", _("(none)"))] + [
            (
                str(i),
                _("%(header)s (column %(n)s)") % {"header": h, "n": i + 1}
                if h in repeated
                else h or _("column %(n)s") % {"n": i + 1},
            )
            for i, h in enumerate(headers)
        ]
        for name, label in csv_import.FIELD_LABELS.items():
            self.fields[f"column_{name}"] = forms.ChoiceField(
                label=label, choices=columns, required=False
            )
        if is_text:
            self.fields["encoding"] = forms.ChoiceField(
                label=_("Encoding (if names look garbled, choose another)"),
                choices=[(c, tabular.ENCODING_NAMES[c]) for c in tabular.CHOOSABLE],
                required=False,
            )
        self.fields["previewed"] = forms.CharField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def posted_encoding(data: Any) -> str | None:
        """The encoding chosen on the preview, when it is one we offer."""
        value = str(data.get("encoding", ""))
        return value if value in tabular.CHOOSABLE else None

    @staticmethod
    def previewed_encoding(data: Any) -> str | None:
        """The encoding of the dry run the organizer saw (from its ``previewed`` field)."""
        value = str(data.get("previewed", "")).partition("|")[0]
        return value if value in tabular.CHOOSABLE else None

    @staticmethod
    def fingerprint(mapping: dict[str, int | None], encoding: str | None) -> str:
        """What was previewed, so that Import imports exactly that (``previewed`` field)."""
        columns = ",".join(
            "" if mapping.get(n) is None else str(mapping[n]) for n in csv_import.FIELDS
        )
        return f"{encoding or ''}|{columns}"

    @staticmethod
    def posted_mapping(data: Any) -> dict[str, int | None]:
        """The mapping posted with a preview or an import: ``{field: column index or None}``.
        A column beyond the file's last is dropped by ``csv_import.parse``, which knows them."""
        return {
            name: int(value)
            if re.fullmatch(r"[0-9]{1,4}", value := str(data.get(f"column_{name}", "")))
            else None
            for name in csv_import.FIELDS
        }


class PairRuleForm(forms.Form):
    """Two attendees of the event and what to do with them at the tables."""

    first = forms.ModelChoiceField(label=_("Attendee"), queryset=Attendee.objects.none())
    second = forms.ModelChoiceField(label=_("Other attendee"), queryset=Attendee.objects.none())
    kind = forms.ChoiceField(
        label=_("Rule"), choices=PairRule.Kind.choices, initial=PairRule.Kind.KEEP_APART
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = event.attendees.filter(erased_at__isnull=True).order_by("name", "pk")
        self.fields["first"].queryset = people
        self.fields["second"].queryset = people
