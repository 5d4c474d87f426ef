from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from events.models import Attendee, Event


class Round(models.Model):
    """One round of the event. Times are absolute so the state survives a restart.

    ``turns_started_at`` is when the first pitch slot of every table began: turns are derived from
    it and the pitch length, and skipping a turn or pausing moves it instead of writing each turn.
    ``turn_shifts`` holds the tables whose turns run later than that (table number as a string →
    milliseconds): the table of a pitcher who left mid-slot, whose next pitcher got a full slot
    from that moment (``services.leave_running_round``). Relative, so a pause that moves
    ``turns_started_at`` moves them along; a skip sets them again so that every table's current
    slot ends as the skip takes effect (``services.skip_turn``).
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("event")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    turns_started_at = models.DateTimeField(_("turns started at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_remaining = models.DurationField(_("remaining when paused"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    turn_shifts = models.JSONField(_("turn shifts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["event_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "number"],
                name="round_unique_number_per_event",
                violation_error_message=_("This event already has a round with this number."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="round_number_positive"),
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(status__in=["running", "paused"]),
                name="round_one_active_per_event",
                violation_error_message=_("Another round of this event is running or paused."),
            ),
            models.CheckConstraint(
                condition=Q(status="planned")
                | Q(
                    started_at__isnull=False, ends_at__isnull=False, turns_started_at__isnull=False
                ),
                name="round_started_has_times",
            ),
            models.CheckConstraint(
                condition=~Q(status="paused")
                | Q(paused_at__isnull=False, paused_remaining__isnull=False),
                name="round_paused_has_remaining",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("started_at")),
                name="round_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("Round %(number)s") % {"number": self.number}

    def is_over(self, now: datetime) -> bool:
        """Done, or running past its end: a round ends by the clock, not by a server wake-up."""
        if self.status == self.Status.DONE:
            return True
        return (
            self.status == self.Status.RUNNING and self.ends_at is not None and now >= self.ends_at
        )

    def effective_status(self, now: datetime) -> str:
        return self.Status.DONE if self.is_over(now) else self.status

    def remaining(self, now: datetime) -> timedelta:
        match self.effective_status(now):
            case self.Status.RUNNING:
                return self.ends_at - max(now, self.started_at)
            case self.Status.PAUSED:
                return self.ends_at - min(now, self.paused_at)
            case self.Status.PLANNED:
                return self.event.round_length
        return timedelta(0)

    def turn_shift(self, table: int | None) -> timedelta:
        """How much later than ``turns_started_at`` the turns of table number ``table`` run
        (``turn_shifts``; zero for a table not shifted, or ``table`` None: the round's clock)."""
        if table is None:
            return timedelta(0)
        return timedelta(milliseconds=self.turn_shifts.get(str(table), 0))

    def clock_at(self, now: datetime) -> datetime:
        """The instant the round's clocks read at ``now``: ``now``, frozen at ``paused_at``
        while paused."""
        if self.effective_status(now) == self.Status.PAUSED:
            return min(now, self.paused_at)
        return now

    def turn_index(
        self, now: datetime, pitch: timedelta, *, table: int | None = None
    ) -> int | None:
        """The speaking order whose slot runs at ``now`` (frozen while paused) at table number
        ``table`` (None: by the round's own clock, ``turns_started_at``), or None before the
        first slot and once the round is over. It may exceed the table's last seat: then the
        table talks freely."""
        status = self.effective_status(now)
        if status not in (self.Status.RUNNING, self.Status.PAUSED):
            return None
        at = self.clock_at(now)
        turns_at = self.turns_started_at + self.turn_shift(table)
        if at < turns_at:
            return None
        return (at - turns_at) // pitch


class Table(models.Model):
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="tables", verbose_name=_("round")
    )
    number = models.PositiveSmallIntegerField(_("number"))

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["round_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "number"], name="table_unique_number_per_round"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="table_number_positive"),
        ]

    def __str__(self) -> str:
        return _("Table %(number)s") % {"number": self.number}


class Seat(models.Model):
    """An attendee at a table in a round. ``round`` repeats the table's round so the database can
    enforce one seat per attendee per round."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="seats", verbose_name=_("round")
    )
    table = models.ForeignKey(
        Table, on_delete=models.CASCADE, related_name="seats", verbose_name=_("table")
    )
    attendee = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="seats", verbose_name=_("attendee")
    )
    speaking_order = models.PositiveSmallIntegerField(_("speaking order"))

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["table_id", "speaking_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "attendee"],
                name="seat_one_per_attendee_per_round",
                violation_error_message=_("This attendee already has a seat in this round."),
            ),
            models.UniqueConstraint(
                fields=["table", "speaking_order"], name="seat_unique_speaking_order_per_table"
            ),
        ]

    def __str__(self) -> str:
        return _("Seat %(order)s at table %(table)s") % {
            "order": self.speaking_order + 1,
            "table": self.table.number,
        }
