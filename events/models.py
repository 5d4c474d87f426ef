from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events import hygiene
from events.codes import new_attendee_token, new_badge_key, new_join_code, new_projector_key

MIN_ROUNDS, MAX_ROUNDS = 1, 12
MIN_TABLE_SIZE, MAX_TABLE_SIZE = 3, 10
MIN_PITCH_SECONDS, MAX_PITCH_SECONDS = 10, 120
MIN_ROUND_SECONDS, MAX_ROUND_SECONDS = 60, 1800
# An event starts within this window of years (UTC and local): a far-off year is a typo, and
# year 9999 in a zone west of UTC does not fit the database's timestamp once converted.
MIN_START_YEAR, MAX_START_YEAR = 2000, 2100
EARLIEST_START_AT = datetime(MIN_START_YEAR, 1, 1, tzinfo=UTC)
LATEST_START_AT = datetime(MAX_START_YEAR + 1, 1, 1, tzinfo=UTC)


def validate_start_year(value: datetime) -> None:
    """Refuse a start outside ``MIN_START_YEAR``..``MAX_START_YEAR`` (``ValidationError``)."""
    in_window = MIN_START_YEAR <= value.year <= MAX_START_YEAR
    if not in_window or not EARLIEST_START_AT <= value < LATEST_START_AT:
        raise ValidationError(
            _("An event starts between the years %(first)s and %(last)s."),
            code="start_year",
            params={"first": MIN_START_YEAR, "last": MAX_START_YEAR},
        )


class EventQuerySet(models.QuerySet["Event"]):
    def organized_by(self, user: Any) -> EventQuerySet:
        """The events this user runs, as organizer or co-organizer: every organizer page and
        socket starts from this."""
        return self.filter(Q(organizer=user) | Q(co_organizers=user)).distinct()


def present_filter(relation: str = "") -> Q:
    """Present: checked in and not gone (in the room now). The one rule that planning, the
    counters, the projector and the door's lists use. ``relation`` prefixes the lookups for a
    query from another model (``"attendees"`` from Event, ``"receiver"`` from Card)."""
    return _attendance(relation, checked_in_at__isnull=False, left_at__isnull=True)


def arrived_filter(relation: str = "") -> Q:
    """Arrived: checked in at some time, those who left since included (who came to the event).
    The rule of the reports and the admin's "checked in" count; ``relation`` as above."""
    return _attendance(relation, checked_in_at__isnull=False)


def invited_filter(relation: str = "") -> Q:
    """Invited and never checked in (after the event: a no-show); ``relation`` as above."""
    return _attendance(relation, checked_in_at__isnull=True)


def left_filter(relation: str = "") -> Q:
    """Checked in and left since; ``relation`` as above."""
    return _attendance(relation, left_at__isnull=False)


def removed_filter(relation: str = "") -> Q:
    """Taken out of the rounds after a report (they count as gone at the door, and apart in
    the report after the event); ``relation`` as above."""
    return _attendance(relation, removed_at__isnull=False)


def _attendance(relation: str, **lookups: bool) -> Q:
    prefix = f"{relation}__" if relation else ""
    return Q(**{prefix + name: value for name, value in lookups.items()})


class Series(models.Model):
    """A recurring group of events (a monthly chapter, an alumni evening) run by one organizer.
    People are recognised across its events by their normalised email; pairs who sat together
    at an earlier event count as already met when a later one is planned."""

    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="event_series",
        verbose_name=_("organizer"),
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="series_title_not_empty",
                violation_error_message=_("A series needs a title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CHECK_IN = "check_in", _("Check-in")
        LIVE = "live", _("Live")
        MINGLE = "mingle", _("Mingle")
        CLOSED = "closed", _("Closed")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SIMPLIFIED_CHINESE = "zh-hans", _("Simplified Chinese")

    # The settings an organizer changes on the event form, in the form's order, and the plan
    # page's size range: together every field ``events.services.update_event`` may change
    # (status, codes and keys change only through their own services).
    FORM_FIELDS = (
        "title",
        "venue",
        "starts_at",
        "time_zone",
        "language",
        "rounds_count",
        "round_seconds",
        "table_size",
        "pitch_seconds",
        "is_seating_walk_ins",
        "walk_ins_per_minute",
        "is_sending_missed_you",
        "is_favouring_new_faces",
        "is_rescuing_last_round",
    )
    GUIDE_FIELDS = ("guide_min_table_size", "guide_max_table_size")

    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organized_events",
        verbose_name=_("organizer"),
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("series"),
    )
    co_organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_organized_events",
        verbose_name=_("co-organizers"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"), validators=[validate_start_year])
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    join_code = models.CharField(_("join code"), max_length=12, unique=True, default=new_join_code)
    projector_key = models.CharField(
        _("projector key"), max_length=32, unique=True, editable=False, default=new_projector_key
    )
    rounds_count = models.PositiveSmallIntegerField(
        _("rounds"),
        default=6,
        validators=[MinValueValidator(MIN_ROUNDS), MaxValueValidator(MAX_ROUNDS)],
    )
    round_seconds = models.PositiveIntegerField(
        _("round length (seconds)"),
        default=180,
        validators=[MinValueValidator(MIN_ROUND_SECONDS), MaxValueValidator(MAX_ROUND_SECONDS)],
    )
    table_size = models.PositiveSmallIntegerField(
        _("table size"),
        default=6,
        validators=[MinValueValidator(MIN_TABLE_SIZE), MaxValueValidator(MAX_TABLE_SIZE)],
    )
    guide_min_table_size = models.PositiveSmallIntegerField(
        _("smallest table size to compare"),
        default=4,
        validators=[MinValueValidator(MIN_TABLE_SIZE), MaxValueValidator(MAX_TABLE_SIZE)],
        help_text=_("The plan page compares the table sizes from this one to the largest."),
    )
    guide_max_table_size = models.PositiveSmallIntegerField(
        _("largest table size to compare"),
        default=8,
        validators=[MinValueValidator(MIN_TABLE_SIZE), MaxValueValidator(MAX_TABLE_SIZE)],
    )
    pitch_seconds = models.PositiveSmallIntegerField(
        _("pitch length (seconds)"),
        default=30,
        validators=[MinValueValidator(MIN_PITCH_SECONDS), MaxValueValidator(MAX_PITCH_SECONDS)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    walk_ins_per_minute = models.PositiveSmallIntegerField(
        _("walk-ins a minute"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "How many people may join with the event code in one minute (a guard against "
            "scripted sign-ups). Raise it when a crowd arrives at once."
        ),
    )
    is_seating_walk_ins = models.BooleanField(
        _("seat walk-ins automatically at the next round"),
        default=False,
        help_text=_(
            "When a round starts, people who arrived after the plan take free seats at tables "
            "that are not full, in every remaining round, without moving anyone else. Otherwise "
            "the control page asks you to re-plan."
        ),
    )
    is_sending_missed_you = models.BooleanField(
        _("send “sorry we missed you” to no-shows"),
        default=False,
        help_text=_(
            "After the event, people who registered but never checked in get a short note with "
            "their link instead of nothing. The follow-up digest goes only to people who came."
        ),
    )
    is_favouring_new_faces = models.BooleanField(
        _("new faces first (series)"),
        default=True,
        help_text=_(
            "In a series, pairs who sat together at earlier events of the series count as "
            "already met when the plan is made, the most recent events most."
        ),
    )
    is_rescuing_last_round = models.BooleanField(
        _("rescue round before the last round"),
        default=False,
        help_text=_(
            "Once the second-to-last round is over, the control page's next step re-plans the "
            "last round so that the people with the fewest cards so far sit with the listeners "
            "best able to help them, with no pair you keep apart and no new repeat meeting. "
            "Only the phones whose table or tablemates change are told."
        ),
    )
    last_round_rescued_at = models.DateTimeField(
        _("last round rescued at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the last round was re-planned as the rescue round (once an event)."),
    )
    last_round_started_at = models.DateTimeField(
        _("last round started at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the plan's last round started: from then on no plan or re-plan is left to "
            "seat anyone."
        ),
    )
    plan_version = models.PositiveIntegerField(
        _("plan version"),
        default=0,
        editable=False,
        help_text=_(
            "One more each time the seating plan changes (made, re-planned, dropped): a phone "
            "that was away when it changed loads its itinerary again when it reconnects."
        ),
    )
    announcement = models.CharField(_("announcement"), max_length=280, blank=True)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    announcement_expires_at = models.DateTimeField(
        _("announcement expires at"),
        null=True,
        blank=True,
        help_text=_("Phones and the projector stop showing the announcement at this time."),
    )
    state_version = models.PositiveBigIntegerField(
        _("state version"),
        default=0,
        editable=False,
        help_text=_("Grows with every change phones see, so a phone can tell it missed one."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(
        _("personal data erased at"),
        null=True,
        blank=True,
        help_text=_("When the organizer erased the attendees' personal data; the figures remain."),
    )
    conduct_text = models.TextField(
        _("code of conduct"),
        max_length=4000,
        blank=True,
        help_text=_(
            "The rules of the evening, in the event's language(s). Each attendee accepts them "
            "once on their phone; a change of text asks everyone again. Empty: no code."
        ),
    )
    conduct_version = models.PositiveIntegerField(
        _("code of conduct version"),
        default=0,
        editable=False,
        help_text=_("Grows with every change of the text: 0 while there is none."),
    )
    is_mailing_reports = models.BooleanField(
        _("mail me each report"),
        default=False,
        help_text=_("Besides the alert on the control page, each organizer gets a mail."),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__gte=EARLIEST_START_AT, starts_at__lt=LATEST_START_AT),
                name="event_starts_at_in_range",
                violation_error_message=_("An event starts between the years 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(rounds_count__gte=MIN_ROUNDS, rounds_count__lte=MAX_ROUNDS),
                name="event_rounds_count_in_range",
                violation_error_message=_("An event has between 1 and 12 rounds."),
            ),
            models.CheckConstraint(
                condition=Q(table_size__gte=MIN_TABLE_SIZE, table_size__lte=MAX_TABLE_SIZE),
                name="event_table_size_in_range",
                violation_error_message=_("Tables seat between 3 and 10 people."),
            ),
            models.CheckConstraint(
                condition=Q(
                    guide_min_table_size__gte=MIN_TABLE_SIZE,
                    guide_max_table_size__lte=MAX_TABLE_SIZE,
                    guide_min_table_size__lte=F("guide_max_table_size"),
                ),
                name="event_guide_table_sizes_in_order",
                violation_error_message=_(
                    "The table sizes to compare go from the smallest to the largest, between 3 "
                    "and 10."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    pitch_seconds__gte=MIN_PITCH_SECONDS, pitch_seconds__lte=MAX_PITCH_SECONDS
                ),
                name="event_pitch_seconds_in_range",
                violation_error_message=_("A pitch lasts between 10 and 120 seconds."),
            ),
            models.CheckConstraint(
                condition=Q(round_seconds__gte=F("table_size") * F("pitch_seconds")),
                name="event_round_fits_every_pitch",
                violation_error_message=_(
                    "A round must be long enough for everyone at a full table to pitch."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(closed_at__isnull=True),
                name="event_closed_at_only_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        low, high = self.guide_min_table_size, self.guide_max_table_size
        if low and high and low > high:
            raise ValidationError(
                {
                    "guide_max_table_size": _(
                        "The largest table size to compare (%(high)s) is below the smallest "
                        "(%(low)s)."
                    )
                    % {"low": low, "high": high}
                }
            )
        if self.table_size and self.pitch_seconds and self.round_seconds:
            needed = self.table_size * self.pitch_seconds
            if self.round_seconds < needed:
                raise ValidationError(
                    {
                        "round_seconds": _(
                            "A round of %(round)s s is too short: %(size)s people × %(pitch)s s "
                            "each need at least %(needed)s s."
                        )
                        % {
                            "round": self.round_seconds,
                            "size": self.table_size,
                            "pitch": self.pitch_seconds,
                            "needed": needed,
                        }
                    }
                )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The event's time zone, for times shown or sent to people; UTC should the stored name
        be unknown to this machine's time-zone database."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def compared_table_sizes(self) -> range:
        """The table sizes the plan page compares (the organizer's guide range): the only sizes
        any advice after planning may suggest."""
        return range(self.guide_min_table_size, self.guide_max_table_size + 1)

    @property
    def round_length(self) -> timedelta:
        return timedelta(seconds=self.round_seconds)

    @property
    def pitch_length(self) -> timedelta:
        return timedelta(seconds=self.pitch_seconds)

    @property
    def is_open_for_joining(self) -> bool:
        return self.status in {self.Status.CHECK_IN, self.Status.LIVE, self.Status.MINGLE}

    @property
    def has_seating_ahead(self) -> bool:
        """Whether a seating plan or re-plan can still come: what a phone's wish list and
        "don't seat me with" act on. Before the rounds (draft, check-in) and while a round of
        the plan is still to start (live); no longer once the last one has started
        (``last_round_started_at``, set by ``rounds.services.start_round``: the phone says
        "Time to mingle" when it ends, and no re-plan is left) nor in mingle and closed. The
        phone then no longer offers them. No queries."""
        return (
            self.status in {self.Status.DRAFT, self.Status.CHECK_IN, self.Status.LIVE}
            and self.last_round_started_at is None
        )

    @property
    def has_conduct(self) -> bool:
        return bool(self.conduct_text.strip())


class AttendeeQuerySet(models.QuerySet["Attendee"]):
    def present(self) -> AttendeeQuerySet:
        """Checked in and not gone (``present_filter``)."""
        return self.filter(present_filter())

    def arrived(self) -> AttendeeQuerySet:
        """Checked in at some time, those who left included (``arrived_filter``)."""
        return self.filter(arrived_filter())


# The name an erased attendee's row keeps (a name is required): shown as ``erased_name()``.
ERASED_NAME = "Erased attendee"


def erased_name() -> str:
    """What an erased attendee is called, in the active language (the reader's)."""
    return gettext("Erased attendee")


class Attendee(models.Model):
    class SeriesAnswer(models.TextChoices):
        UNASKED = "", _("Not asked")
        SAME = "same", _("Same person")
        OTHER = "other", _("Someone else")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("As the person writes it."))
    given_name = models.CharField(
        _("given name"),
        max_length=120,
        blank=True,
        help_text=_("When known separately (from a ticketing export); used in contact cards."),
    )
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    external_id = models.CharField(
        _("id on the ticketing site"),
        max_length=120,
        blank=True,
        help_text=_(
            "The attendee's or ticket's id in the imported list (Meetup user id, ti.to ticket "
            "id…); matches them on a later import."
        ),
    )
    email = models.EmailField(_("email"), blank=True)
    company = models.CharField(_("company"), max_length=160, blank=True)
    job_title = models.CharField(_("job title"), max_length=160, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=40, blank=True)
    linkedin_url = models.CharField(_("LinkedIn profile"), max_length=200, blank=True)
    is_consenting_to_share = models.BooleanField(
        _("shares contact details"),
        default=False,
        help_text=_(
            "The attendee's own answer, given on their phone (the room, My details or the join "
            "form): contact details are shown to people who asked to see this attendee."
        ),
    )
    consent_decided_at = models.DateTimeField(
        _("consent decided at"),
        null=True,
        blank=True,
        help_text=_("When the attendee chose, on their own page, whether to share their details."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Event.Language.choices,
        blank=True,
        help_text=_("The language the attendee used on their phone; their mail speaks it."),
    )
    is_language_chosen = models.BooleanField(
        _("language chosen"),
        default=False,
        help_text=_(
            "Whether the attendee chose the language with the switch on their own page: then "
            "their pages speak it on any phone, whatever the browser asks for."
        ),
    )
    invited_at = models.DateTimeField(
        _("invitation sent at"), null=True, blank=True, help_text=_("The last invitation sent.")
    )
    registration_need = models.TextField(
        _("looking for (from registration)"),
        max_length=600,
        blank=True,
        help_text=_(
            "The answer to a registration question such as “What are you looking for?”; the "
            "attendee's pitch starts from it."
        ),
    )
    is_consent_suggested = models.BooleanField(
        _("said yes to sharing when registering"),
        default=False,
        help_text=_(
            "From the registration form or the organizer; a suggestion the attendee confirms on "
            "their phone before anything is shared."
        ),
    )
    token = models.CharField(
        _("secret token"), max_length=64, unique=True, editable=False, default=new_attendee_token
    )
    # The printed badge's QR code: worn in view, so not the token (events/codes.py).
    badge_key = models.CharField(
        _("badge key"), max_length=64, unique=True, editable=False, default=new_badge_key
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(
        _("unsubscribed at"),
        null=True,
        blank=True,
        help_text=_("When the attendee asked for no more follow-up mail."),
    )
    erased_at = models.DateTimeField(
        _("personal data erased at"),
        null=True,
        blank=True,
        help_text=_("Name, contact details, pitch and notes removed; cards and seats remain."),
    )
    conduct_accepted_version = models.PositiveIntegerField(
        _("code of conduct accepted (version)"), default=0
    )
    conduct_accepted_at = models.DateTimeField(
        _("code of conduct accepted at"), null=True, blank=True
    )
    removed_at = models.DateTimeField(
        _("removed from the remaining rounds at"),
        null=True,
        blank=True,
        help_text=_("An organizer took them out of the remaining rounds after a report."),
    )
    # The second factor for "Delete my data" and My details (a badge photo gives only the token):
    # the browser that first opened the personal link, and a code mailed to the attendee.
    device_hash = models.CharField(
        _("confirmed device"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A hash of the device cookie of the browser that first opened the link."),
    )
    # An email typed at the door by a walk-in is theirs only once a code mailed to it comes back
    # (events/devices.py): until then it links them to nobody's earlier events.
    is_email_unconfirmed = models.BooleanField(
        _("email not confirmed yet"), default=False, editable=False
    )
    series_answer = models.CharField(
        _("same person as at earlier events of the series"),
        max_length=8,
        choices=SeriesAnswer.choices,
        blank=True,
        default=SeriesAnswer.UNASKED,
        help_text=_(
            "The attendee's own answer to “Is this you from …?” when their link first opened. "
            "People with the same email are one person across the series unless they said "
            "“Someone else”."
        ),
    )
    series_answered_at = models.DateTimeField(
        _("series question answered at"), null=True, blank=True
    )
    is_listed_as_connector = models.BooleanField(
        _("listed as a connector of the series"),
        default=False,
        help_text=_(
            "The attendee's own yes to appearing on the series page's connectors list when "
            "their introductions were confirmed met."
        ),
    )
    is_listed_in_guest_list = models.BooleanField(
        _("on the event's guest list"),
        default=False,
        help_text=_(
            "The attendee's own yes, given on their phone: other attendees of this event may find "
            "them (name, company, the ask of their pitch) to put on their private wish list."
        ),
    )
    confirmation_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The nonce of the join form that added them (events.codes.new_join_nonce): the same form
    # sent again (a double tap) finds them instead of adding someone else.
    join_nonce = models.CharField(max_length=64, blank=True, editable=False)
    confirmation_code_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_code_tries = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = AttendeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "event",
                condition=~Q(email=""),
                name="attendee_unique_email_per_event",
                violation_error_message=_("Someone with this email is already at this event."),
            ),
            models.UniqueConstraint(
                fields=["event", "join_nonce"],
                condition=~Q(join_nonce=""),
                name="attendee_unique_join_nonce_per_event",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="attendee_name_not_empty",
                violation_error_message=_("An attendee needs a name."),
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="attendee_left_only_after_check_in",
                violation_error_message=_("Only someone who checked in can leave."),
            ),
        ]
        indexes = [models.Index(fields=["event", "checked_in_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        """An erased attendee's name is read in the reader's language (the active one: a page's,
        a mail's recipient's, an export's), never as stored: the stored ``ERASED_NAME`` holds no
        language and no id."""
        attendee = super().from_db(db, field_names, values)
        if attendee.__dict__.get("erased_at") is not None and "name" in attendee.__dict__:
            attendee.name = erased_name()
        return attendee

    @property
    def is_checked_in(self) -> bool:
        return self.checked_in_at is not None

    @property
    def has_left(self) -> bool:
        return self.left_at is not None

    @property
    def is_present(self) -> bool:
        return self.is_checked_in and not self.has_left

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def has_seating_ahead(self) -> bool:
        """Whether a seating plan or re-plan can still seat this person: what their phone's
        wish list and "don't seat me with" act on. The event's ``has_seating_ahead``, and never
        for someone an organizer took out of the rounds after a report (no table is left for
        them; the phone shows "You have no more tables this evening"). No queries when
        ``event`` is loaded with them."""
        return self.removed_at is None and self.event.has_seating_ahead

    @property
    def is_marked_gone(self) -> bool:
        """Marked gone at the door: their phone says so and how to come back (check in again).
        A person removed from the rounds after a report has left too, but their phone shows
        only the neutral "You have no more tables this evening": it never sends them back to
        the organizers' desk."""
        return self.left_at is not None and self.removed_at is None

    @property
    def has_decided_consent(self) -> bool:
        return self.consent_decided_at is not None

    @property
    def is_sharing_contact(self) -> bool:
        """Whether this attendee's contact details may be shown to the people they exchanged
        cards with: only when they said yes themselves (an imported "yes" is a suggestion)."""
        return self.is_consenting_to_share and self.consent_decided_at is not None

    @property
    def mail_language(self) -> str:
        """The language of mail to this attendee: the one they used on their phone, else the
        event's."""
        return self.language or self.event.language

    @property
    def name_parts(self) -> tuple[str, str]:
        """(family name, given name), for a vCard ``N:`` field: the stored parts when the
        attendee came with them, else the whole name as the given name ("Ada Kim" → ("",
        "Ada Kim")): a name is not guessed apart at its spaces or characters, which splits
        "Walter 🙂 <img src=x>" or "Jean-Baptiste de la Salle" wrongly."""
        if self.given_name or self.family_name:
            return self.family_name, self.given_name
        return "", self.name

    @property
    def company_key(self) -> str:
        """The company as compared to find colleagues ("" for none or "Freelance")."""
        return hygiene.company_key(self.company)


class PairRule(models.Model):
    """The organizer's word on two attendees: keep them at different tables (a couple, rivals,
    a manager and their report), or let colleagues the company names matched sit together."""

    class Kind(models.TextChoices):
        KEEP_APART = "apart", _("Keep apart")
        MAY_SIT_TOGETHER = "together", _("May sit together")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="pair_rules", verbose_name=_("event")
    )
    first = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="+", verbose_name=_("attendee")
    )
    second = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="+", verbose_name=_("other attendee")
    )
    kind = models.CharField(_("rule"), max_length=10, choices=Kind.choices, default=Kind.KEEP_APART)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seating rule")
        verbose_name_plural = _("seating rules")
        ordering = ["event", "first", "second"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first__lt=F("second")),
                name="pair_rule_ordered_distinct",
                violation_error_message=_("A rule names two different attendees."),
            ),
            models.UniqueConstraint(
                fields=["first", "second"],
                name="pair_rule_one_per_pair",
                violation_error_message=_("These two already have a seating rule."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}–{self.second_id}: {self.get_kind_display()}"

    def clean(self) -> None:
        super().clean()
        if self.first_id and self.second_id and self.first_id > self.second_id:
            self.first_id, self.second_id = self.second_id, self.first_id
        for attendee_id in (self.first_id, self.second_id):
            if (
                attendee_id
                and not Attendee.objects.filter(pk=attendee_id, event_id=self.event_id).exists()
            ):
                raise ValidationError(_("Both attendees must be at this event."))


class SeatingRequest(models.Model):
    """An attendee's private "don't seat me with": a hard keep-apart pair for the planner.
    Nobody else sees who asked; organizer pages show only how many such rules exist."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="seating_requests", verbose_name=_("event")
    )
    attendee = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked by")
    )
    other = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="+", verbose_name=_("not to sit with")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("private keep-apart request")
        verbose_name_plural = _("private keep-apart requests")
        ordering = ["event", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(attendee=F("other")),
                name="seating_request_two_people",
                violation_error_message=_("Choose someone other than yourself."),
            ),
            models.UniqueConstraint(
                fields=["attendee", "other"],
                name="seating_request_once",
                violation_error_message=_("You asked this already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attendee_id}↔{self.other_id}"


class EmailBlock(models.Model):
    """An email an organizer blocked from their future events, kept only as a keyed hash
    (``events.hygiene.email_digest``): the address itself is never stored."""

    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_blocks",
        verbose_name=_("organizer"),
    )
    email_hash = models.CharField(_("email hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked email")
        verbose_name_plural = _("blocked emails")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "email_hash"], name="email_block_once_per_organizer"
            )
        ]

    def __str__(self) -> str:
        return self.email_hash[:12]


class ImportUpload(models.Model):
    """A file uploaded for import, kept on the server between the preview and the import (the
    browser only carries its random key); removed once imported or after a day."""

    key = models.CharField(
        _("key"), max_length=64, unique=True, editable=False, default=new_attendee_token
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="import_uploads", verbose_name=_("event")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    data = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("uploaded attendee list")
        verbose_name_plural = _("uploaded attendee lists")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name or self.key[:8]


class LogEntry(models.Model):
    """What happened at an event, for the organizer's dashboard log and the post-event record."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="log_entries", verbose_name=_("event")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=40)
    message = models.CharField(_("message"), max_length=300, blank=True)
    # ids and numbers the sentence is made of (``events.logs``); people only as ids
    params = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["event", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.params}" if self.params else self.message or self.action


class CoOrganizerInvitation(models.Model):
    """The owner asked someone, by email, to help run the event. The link in the mail (its random
    ``token``) makes the person who follows it, signed in with an account of that email that
    then confirms a link mailed to it, a co-organizer, once, within ``CO_ORGANIZER_INVITATION_DAYS``
    (``services.accept_co_organizer_invitation``). Nothing tells the owner whether the address
    has an account."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="co_organizer_invitations"
    )
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=new_attendee_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("co-organizer invitation")
        verbose_name_plural = _("co-organizer invitations")

    def __str__(self) -> str:
        return self.email


CO_ORGANIZER_INVITATION_DAYS = 7
