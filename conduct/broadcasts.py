"""Pushes of the conduct app: a new report reaches the organizers' control pages only (the
control group), never a phone's group. Called through ``transaction.on_commit``."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from conduct.models import Report
from config.site import public_url
from rounds.broadcasts import send_to_group
from rounds.groups import control_group
from rounds.queries import epoch_ms

log = logging.getLogger(__name__)


def report_json(report: Report) -> dict[str, object]:
    """The ``report`` message (docs/protocol.md): what the organizers' alert shows."""
    return {
        "type": "report",
        "id": report.pk,
        "kind": report.kind,
        "kind_label": report.kind_for_organizers,
        "reporter": report.reporter.name,
        "about": report.about.name if report.about else "",
        "message": report.message,
        "at": epoch_ms(report.created_at),
        "url": reverse("conduct_reports", args=[report.event_id]) + f"#report-{report.pk}",
    }


def broadcast_report(report_id: int) -> None:
    """Alert every organizer dashboard of the report's event."""
    report = Report.objects.select_related("reporter", "about", "event").get(pk=report_id)
    with translation.override(report.event.language):
        send_to_group(control_group(report.event_id), report_json(report))


def mail_report(report_id: int) -> None:
    """Mail each organizer of the event who has an email, each its own step: a failure is
    logged and the others still get theirs."""
    report = Report.objects.select_related("reporter", "about", "event").get(pk=report_id)
    event = report.event
    people = [event.organizer, *event.co_organizers.all()]
    link = public_url(reverse("conduct_reports", args=[event.pk]))
    with translation.override(event.language):
        subject = _("Report at %(event)s") % {"event": event.title}
        body = "\n".join(
            line
            for line in (
                _("%(who)s reported a problem (%(kind)s).")
                % {"who": report.reporter.name, "kind": report.kind_for_organizers},
                _("About: %(name)s") % {"name": report.about.name} if report.about else "",
                report.message,
                "",
                _("See it and act: %(link)s") % {"link": link},
            )
            if line is not None
        )
    for person in people:
        if not person.email:
            continue
        try:
            send_mail(subject, body, None, [person.email])
        except Exception:
            log.warning("report mail to organizer %s failed", person.pk, exc_info=True)
