from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events import csv_import, services
from events.models import Attendee
from tests.factories import EventFactory, UserFactory

GOOD = b"Name,Email,Company,Job Title\nLi Wei,li@example.com,Harbor,Founder\nAna Costa,,Costa,\n"
EVENTBRITE = (
    "\ufeffOrder #,First Name,Last Name,Email,Company,Job Title,Cell Phone\n"
    "1,Li,Wei,LI@example.com,Harbor,Founder,+1 555\n"
).encode()
MIXED = (
    b"name,email\n"
    b"Li Wei,li@example.com\n"
    b",nobody@example.com\n"
    b"Ana,not-an-email\n"
    b"Li Again,LI@example.com\n"
    b"Kwame,taken@example.com\n"
)


def test_parse_reads_a_plain_file():
    parsed = csv_import.parse(GOOD)

    assert parsed.errors == []
    assert [(r.line, r.name, r.email, r.company) for r in parsed.rows] == [
        (2, "Li Wei", "li@example.com", "Harbor"),
        (3, "Ana Costa", "", "Costa"),
    ]


def test_parse_maps_a_ticketing_export_with_other_column_names():
    parsed = csv_import.parse(EVENTBRITE)

    [row] = parsed.rows
    assert (row.name, row.email, row.phone, row.job_title) == (
        "Li Wei",
        "li@example.com",
        "+1 555",
        "Founder",
    )


def test_parse_reports_every_bad_row_by_line_number():
    parsed = csv_import.parse(MIXED, existing_emails=["taken@example.com"])

    assert parsed.errors == [
        "Line 3: the name is missing.",
        "Line 4: “not-an-email” is not an email address.",
        "Line 5: li@example.com is also on line 2.",
        "Line 6: taken@example.com is already at this event.",
    ]


def test_parse_semicolons_and_a_manual_mapping():
    data = b"Wer;Mail\nLi Wei;li@example.com\n"

    parsed = csv_import.parse(
        data, mapping={**csv_import.guess_mapping(["Wer", "Mail"]), "name": 0, "email": 1}
    )

    assert [(r.name, r.email) for r in parsed.rows] == [("Li Wei", "li@example.com")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfe\x00n\x00a", "Save it as “CSV UTF-8”"),
        (b"email,company\nli@example.com,Harbor\n", "No column holds the names."),
    ],
)
def test_parse_refuses_unreadable_files_with_the_reason(data, message):
    with pytest.raises(ValidationError, match=message):
        csv_import.parse(data)


@pytest.mark.django_db
def test_import_attendees_imports_all_rows():
    event = EventFactory()

    count = services.import_attendees(event, data=GOOD, by=None)

    assert count == 2
    assert sorted(event.attendees.values_list("name", flat=True)) == ["Ana Costa", "Li Wei"]
    assert all(len(a.token) >= 43 for a in event.attendees.all())


@pytest.mark.django_db
def test_import_attendees_with_one_bad_row_imports_nothing():
    event = EventFactory()

    with pytest.raises(ValidationError):
        services.import_attendees(event, data=MIXED, by=None)

    assert not Attendee.objects.exists()


@pytest.fixture
def organizer(client, db):
    event = EventFactory()
    client.force_login(event.organizer)
    return client, event


def upload(client, event, data: bytes):
    return client.post(
        reverse("attendee_import", args=[event.pk]),
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
    )


def test_import_view_previews_then_imports(organizer):
    client, event = organizer

    preview = upload(client, event, GOOD)
    assert preview.status_code == 200
    assert "2 attendees are ready to import." in preview.text
    assert not Attendee.objects.exists()
    content = base64.b64encode(GOOD).decode()
    mapping = {
        f"column_{k}": "" if v is None else str(v)
        for k, v in csv_import.guess_mapping(["Name", "Email", "Company", "Job Title"]).items()
    }

    done = client.post(
        reverse("attendee_import", args=[event.pk]),
        {
            "content": content,
            "headers": ["Name", "Email", "Company", "Job Title"],
            "step": "import",
            **mapping,
        },
    )

    assert done.status_code == 302
    assert event.attendees.count() == 2


def test_import_view_shows_every_problem_and_imports_nothing(organizer):
    client, event = organizer

    response = upload(client, event, MIXED)

    assert response.status_code == 400
    assert "Nothing was imported: 3 problems to fix first." in response.text
    assert "Line 4: “not-an-email” is not an email address." in response.text
    assert not Attendee.objects.exists()


def test_import_view_of_another_organizers_event_is_not_found(client, db):
    event = EventFactory()
    client.force_login(UserFactory())

    response = upload(client, event, GOOD)

    assert response.status_code == 404
    assert not event.attendees.exists()
