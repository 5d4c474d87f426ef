"""Reports of a problem, made privately from an attendee's phone to the event's organizers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Attendee, Event


class Report(models.Model):
    """A problem an attendee reported: about a tablemate, someone else, or the event. Only the
    event's organizers see it; the person it is about is never told."""

    class Kind(models.TextChoices):
        PERSON = "person", _("About a person at my table")
        SOMEONE_ELSE = "someone_else", _("About someone else")
        EVENT = "event", _("About the event")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="reports", verbose_name=_("event")
    )
    reporter = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="+", verbose_name=_("reported by")
    )
    kind = models.CharField(_("about"), max_length=16, choices=Kind.choices)
    about = models.ForeignKey(
        Attendee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person reported"),
    )
    about_email_hash = models.CharField(
        _("email hash of the person reported"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "A keyed hash, kept so the organizers can still block the email after the person "
            "deleted their data."
        ),
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    organizer_note = models.TextField(
        _("organizer's note"),
        max_length=2000,
        blank=True,
        help_text=_("Private to the organizers."),
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="person", about__isnull=False)
                | (~Q(kind="person") & Q(about__isnull=True)),
                name="report_about_a_person_names_them",
                violation_error_message=_("A report about a tablemate names them."),
            ),
            models.CheckConstraint(
                condition=~Q(about=models.F("reporter")),
                name="report_not_about_oneself",
                violation_error_message=_("A report is about someone else."),
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.event_id}#{self.pk} {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def kind_for_organizers(self) -> str:
        """What the report is about, as its organizers read it, in the active language: the
        kind's own label is the reporter's choice on the phone, in their voice ("a person at
        my table")."""
        return str(ORGANIZER_KIND_LABELS[self.kind])


# What a report is about, worded for the organizers who read it (``Report.kind_for_organizers``).
ORGANIZER_KIND_LABELS = {
    Report.Kind.PERSON: _("About a tablemate"),
    Report.Kind.SOMEONE_ELSE: _("About someone else"),
    Report.Kind.EVENT: _("About the event"),
}
