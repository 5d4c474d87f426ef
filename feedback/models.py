from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Attendee
from rounds.models import Round


class Card(models.Model):
    """A card a listener hands a pitcher. ``client_id`` is generated on the phone so a repeated
    submission of the same tap is recognised and never counted twice."""

    class Kind(models.TextChoices):
        SEE_ME = "see_me", _("See me")
        INTRODUCE = "introduce", _("I can introduce you to someone")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="cards", verbose_name=_("round")
    )
    giver = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="cards_given", verbose_name=_("giver")
    )
    receiver = models.ForeignKey(
        Attendee,
        on_delete=models.CASCADE,
        related_name="cards_received",
        verbose_name=_("receiver"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # 200 characters as a reader counts them (feedback.services.MAX_NOTE_CHARS): emoji
    # sequences take several code points each.
    note = models.CharField(_("note"), max_length=1000, blank=True)
    client_id = models.UUIDField(_("client id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["round_id", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(giver=F("receiver")),
                name="card_not_to_oneself",
                violation_error_message=_("You cannot give a card to yourself."),
            ),
            models.UniqueConstraint(
                fields=["giver", "receiver", "kind"],
                name="card_one_of_a_kind_per_pair",
                violation_error_message=_("You already gave this person this card."),
            ),
            models.UniqueConstraint(
                fields=["giver", "client_id"], name="card_unique_client_id_per_giver"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["see_me", "introduce"]), name="card_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["receiver", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.giver_id} → {self.receiver_id}"


class Introduction(models.Model):
    """The follow-through of an "I can introduce you to someone" card."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        MADE = "made", _("Made")
        MET = "met", _("Met")
        DECLINED = "declined", _("Declined")

    card = models.OneToOneField(
        Card, on_delete=models.CASCADE, related_name="introduction", verbose_name=_("card")
    )
    target = models.CharField(
        _("introduce to"),
        max_length=1000,
        blank=True,
        help_text=_("Whom the introducer will introduce the pitcher to."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OFFERED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    made_at = models.DateTimeField(_("made at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_said_by = models.ForeignKey(
        Attendee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting reported by"),
        help_text=_(
            "Who of the two said the introduction led to a meeting; it counts as met once the "
            "other confirms."
        ),
    )
    met_said_at = models.DateTimeField(_("meeting reported at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["offered", "accepted", "made", "met", "declined"]),
                name="introduction_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="made") | Q(made_at__isnull=False),
                name="introduction_made_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="met") | Q(met_at__isnull=False),
                name="introduction_met_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | Q(declined_at__isnull=False),
                name="introduction_declined_has_time",
            ),
            models.CheckConstraint(
                condition=Q(met_said_by__isnull=True) | Q(met_said_at__isnull=False),
                name="introduction_met_said_has_time",
            ),
        ]

    def __str__(self) -> str:
        return _("Introduction (%(status)s)") % {"status": self.get_status_display()}

    @property
    def is_waiting_for_confirmation(self) -> bool:
        """One side said they met; the other has not confirmed yet."""
        return self.status == self.Status.MADE and self.met_said_by_id is not None


class Digest(models.Model):
    """A follow-up message to an attendee, one of each kind, ever; the row is the claim.

    A run claims the row (status "sending") before it builds and sends the message, marks it
    "sent" after, or "failed" with the reason; a failed message is tried again by later runs until
    ``attempts`` reaches ``MAX_ATTEMPTS``. A row left "sending" (the process died mid-send) is
    never sent again: better one lost digest than the same digest twice."""

    MAX_ATTEMPTS = 3
    # A failed message waits this long before its second attempt, twice as long before the
    # third: a mail server's "try again later" is given time.
    RETRY_AFTER = timedelta(minutes=10)

    class Kind(models.TextChoices):
        DIGEST = "digest", _("24-hour digest")
        REMINDER = "reminder", _("Seven-day reminder")
        MISSED = "missed", _("Sorry we missed you")

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    attendee = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="digests", verbose_name=_("attendee")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SENT
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    error = models.CharField(_("last error"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(_("last tried at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = _("follow-up message")
        verbose_name_plural = _("follow-up messages")
        ordering = ["-claimed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attendee", "kind"],
                name="digest_one_of_a_kind_per_attendee",
                violation_error_message=_("This message was already sent."),
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="digest_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["sending", "sent", "failed"]), name="digest_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.attendee_id} ({self.get_status_display()})"

    @property
    def is_retryable(self) -> bool:
        """Failed with attempts left (whether or not it is time yet)."""
        return self.status == self.Status.FAILED and self.attempts < self.MAX_ATTEMPTS

    @property
    def retry_at(self) -> datetime:
        """When the next attempt may start: ``RETRY_AFTER`` after the last, doubling."""
        return self.claimed_at + self.RETRY_AFTER * 2 ** (self.attempts - 1)
