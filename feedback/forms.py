from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import unquote, urlsplit

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from events.codes import normalize_join_code
from events.forms import EmailInputField, IdentityFieldsMixin
from events.models import Attendee, Event
from feedback.models import Card
from feedback.services import INTRODUCTION_MOVE_LABELS, MAX_NOTE_CODE_POINTS


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
    # The note's own limit (characters as a reader counts them) is the service's, refused in
    # the attendee's words; the field only bounds the column.
    note = forms.CharField(max_length=MAX_NOTE_CODE_POINTS, required=False)

    def clean(self) -> dict:
        data = super().clean()
        for field, message in missing_for_tap(data).items():
            self.add_error(field, message)
        return data


# What each action needs beside its client id: a "give" names the card; a "take_back" the round
# whose stop it was tapped in, so that a card given in another round is never taken back
# (``services.take_back_card``).
NEEDED = {"give": ("receiver", "round", "kind"), "take_back": ("round",)}


def missing_for_tap(data: dict[str, Any]) -> dict[str, str]:
    """The fields a tap lacks for its action (``CardForm``'s rule), each with its message."""
    required = _("This field is required.")
    return {f: required for f in NEEDED.get(data.get("action", ""), ()) if not data.get(f)}


CARD_ACTIONS = frozenset(("give", "take_back"))
CARD_KINDS = frozenset(Card.Kind.values)


def plain_card_frame(frame: dict[str, Any]) -> dict[str, Any] | None:
    """A valid card frame in the phone's own shape (strings and whole numbers, as
    ``static/js/room.js`` sends them) cleaned as ``CardForm``'s fields clean it, without going
    through them; None for anything else, which the fields read and explain. The same cleaned
    data as the form's (``tests/feedback/test_card_frames.py`` compares them on generated
    frames)."""
    action, client_id = frame.get("action"), frame.get("client_id")
    if type(action) is not str or action not in CARD_ACTIONS or type(client_id) is not str:
        return None
    try:
        cleaned_id = uuid.UUID(client_id.strip())
    except ValueError:
        return None
    numbers = []
    for name in ("receiver", "round"):
        value = frame.get(name)
        if value is None:
            numbers.append(None)
        elif type(value) is int and value >= 1:
            numbers.append(value)
        else:
            return None
    kind, note = frame.get("kind"), frame.get("note")
    if kind is None:
        kind = ""
    elif type(kind) is not str or kind not in CARD_KINDS:
        return None
    if note is None:
        note = ""
    elif type(note) is not str or "\x00" in note:
        return None
    note = note.strip()
    if len(note) > MAX_NOTE_CODE_POINTS:
        return None
    receiver, round_number = numbers
    if action == "give" and not (receiver and round_number and kind):
        return None
    if action == "take_back" and not round_number:
        return None
    return {
        "action": action,
        "client_id": cleaned_id,
        "receiver": receiver,
        "round": round_number,
        "kind": kind,
        "note": note,
    }


def read_card_frame(frame: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A card frame from the phone's socket read as ``CardForm`` reads a POST: (cleaned data,
    errors by field); valid when the errors are empty. The same fields clean each value and the
    same rule adds the "give" fields' errors, but no form is built: a Django form deep-copies its
    fields when it is made, which cost more than half of a tap's 0.3 ms of validation, and a
    room taps a thousand cards a second on one process (docs/benchmarks-cards.md).
    Raises nothing: every problem is in the errors. A frame as the phone writes it takes
    ``plain_card_frame``'s short way (the fields' cleaning was a tenth of the event loop's work in
    a room tapping a thousand cards a second); anything else the fields read."""
    plain = plain_card_frame(frame)
    if plain is not None:
        return plain, {}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, field in CardForm.base_fields.items():
        try:
            cleaned[name] = field.clean(frame.get(name))
        except ValidationError as error:
            errors[name] = list(error.messages)
    for name, message in missing_for_tap(cleaned).items():
        errors.setdefault(name, []).append(str(message))
        cleaned.pop(name, None)
    return cleaned, errors


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


class EraseAttendeeForm(forms.Form):
    """The organizer confirms deleting one attendee's data."""

    is_confirmed = forms.BooleanField(
        label=_("Yes, delete this attendee's name, contact details, pitch and notes"),
        required=True,
    )


class DeviceCodeForm(forms.Form):
    """Confirming a browser with a mailed code: ask for one (``send``) or enter it (``check``)."""

    action = forms.ChoiceField(choices=[("send", "send"), ("check", "check")])
    code = forms.CharField(
        label=_("6-digit code from your email"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    next_page = forms.ChoiceField(
        choices=[
            (page, page) for page in ("details", "erase", "memory", "series", "leads", "sharing")
        ],
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if cleaned.get("action") == "check" and not cleaned.get("code", "").strip():
            self.add_error("code", _("Enter the code from your email."))
        return cleaned


class IntroductionMoveForm(forms.Form):
    """One tap on an introduction's status button; "made" may name whom."""

    action = forms.ChoiceField(choices=list(INTRODUCTION_MOVE_LABELS.items()))
    target = forms.CharField(max_length=MAX_NOTE_CODE_POINTS, required=False)


SHARE_CHOICES = [
    ("yes", _("Yes, share my contact details")),
    ("no", _("No, keep them to myself")),
]
# WeChat's own rule for a WeChat ID: 6 to 20 letters, digits, "_" or "-", starting with a letter.
WECHAT_ID = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}")
LINKEDIN_HOST = re.compile(r"(?:[a-z]{2,3}\.|www\.)?linkedin\.com")
LINKEDIN_PATH = re.compile(r"/(in|pub)/([^/?#\s]{3,100})/?")
# Where a number without a country code is most likely from, by the event's language.
PHONE_REGION = {"zh-hans": "CN"}


def normalize_phone(raw: str, *, region: str | None) -> str:
    """A phone number in international format (``+86 138 0013 8000``). Raises
    ``ValidationError`` for anything that is not a possible number; without a leading ``+`` the
    number is read as one from ``region``."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(
            _(
                "This is not a phone number we can read: write it with the country code, e.g. "
                "+86 138 0013 8000."
            ),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_linkedin(raw: str) -> str:
    """A LinkedIn profile address as ``https://www.linkedin.com/in/<name>``, from what people
    paste: with or without ``https://`` or ``www.``, a country subdomain, a trailing slash or
    tracking parameters. Raises ``ValidationError`` for anything else."""
    text = raw.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        host, parts = "", None
    match = LINKEDIN_PATH.fullmatch(parts.path) if parts and LINKEDIN_HOST.fullmatch(host) else None
    name = unquote(match.group(2)) if match else ""
    if not match or not all(char.isalnum() or char in "-_" for char in name):
        raise ValidationError(
            _(
                "Paste the address of your LinkedIn profile, e.g. https://www.linkedin.com/in/your-name"
            ),
            code="linkedin",
        )
    return f"https://www.linkedin.com/{match.group(1)}/{match.group(2)}"


class SharingForm(forms.Form):
    """The attendee's own yes or no to sharing contact details: the room's question (posted to
    ``consent_answer``) and the top of My details."""

    share = forms.ChoiceField(
        label=_("Share my contact details with the people I exchange cards with?"),
        help_text=_(
            "With people who asked to see you or whom you asked to see, and who share theirs "
            "too. You can change this at any time."
        ),
        choices=SHARE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )

    @property
    def is_sharing(self) -> bool:
        """The answer, once the form is valid."""
        return self.cleaned_data["share"] == "yes"


def sharing_initial(attendee: Attendee) -> str:
    """What the yes/no starts from: the attendee's own answer, else "yes" when an import or the
    organizer suggested it, else nothing (never chosen for them)."""
    if attendee.has_decided_consent:
        return "yes" if attendee.is_consenting_to_share else "no"
    return "yes" if attendee.is_consent_suggested else ""


class MyDetailsForm(IdentityFieldsMixin, SharingForm):
    """The attendee's own choice to share contact details, and the channels to share. What an
    import or the organizer entered is the initial value: a suggestion until saved here. Email
    and phone pass the identity hygiene rule first (``events.hygiene``), as at every entry point;
    the phone is then written in international format."""

    email = EmailInputField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    wechat_id = forms.CharField(label=_("WeChat ID"), max_length=40, required=False)
    linkedin_url = forms.CharField(label=_("LinkedIn profile"), max_length=300, required=False)

    def __init__(self, *args: Any, region: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["email"].widget.attrs.update(autocomplete="email", inputmode="email")
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields["linkedin_url"].widget.attrs.update(inputmode="url")
        self.fields["wechat_id"].widget.attrs.update(autocapitalize="none", spellcheck="false")

    def clean_phone(self) -> str:
        raw = super().clean_phone()
        return normalize_phone(raw, region=self.region) if raw else ""

    def clean_wechat_id(self) -> str:
        raw = self.cleaned_data["wechat_id"].strip()
        if raw and not WECHAT_ID.fullmatch(raw):
            raise ValidationError(
                _("A WeChat ID has 6 to 20 letters, digits, “_” or “-”, and starts with a letter."),
                code="wechat",
            )
        return raw

    def clean_linkedin_url(self) -> str:
        raw = self.cleaned_data["linkedin_url"].strip()
        return normalize_linkedin(raw) if raw else ""


class InvitationsForm(forms.Form):
    """The organizer sends invitations to everyone or only to the people not invited yet."""

    which = forms.ChoiceField(
        choices=[("new", _("People not invited yet")), ("all", _("Everyone, again"))]
    )
