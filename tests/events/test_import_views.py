"""The import pages: the file kept on the server, the mapping always shown, the dry run, then
all or nothing; the seating rules page."""

from __future__ import annotations

import io
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from conduct import services as conduct_services
from events import csv_import
from events import services as event_services
from events.forms import ImportMappingForm
from events.models import Attendee, ImportUpload, PairRule
from feedback import retention
from tests.factories import AttendeeFactory, EventFactory, UserFactory
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db
CASES = Path(__file__).parent / "field_cases"
GOOD = b"Name,Email,Company,Job Title\nLi Wei,li@example.com,Harbor,Founder\nAna Costa,,Costa,\n"
MIXED = b"name,email\nLi Wei,li@example.com\n,nobody@example.com\nAna,not-an-email\n"


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def organizer(client, event):
    client.force_login(event.organizer)
    return client


def upload(client, event, data: bytes, name: str = "people.csv"):
    return client.post(
        reverse("attendee_import", args=[event.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


class FormValues(HTMLParser):
    """The values a browser would post from the preview's mapping form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.select = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden":
            self.values[attributes["name"]] = attributes.get("value") or ""
        elif tag == "select":
            self.select = attributes["name"]
            self.values.setdefault(self.select, "")
        elif tag == "option" and "selected" in attributes:
            self.values[self.select] = attributes.get("value") or ""


def previewed(response) -> dict[str, str]:
    parser = FormValues()
    parser.feed(response.text)
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def mapping_of(headers: list[str]) -> dict[str, str]:
    return {
        f"column_{k}": "" if v is None else str(v)
        for k, v in csv_import.guess_mapping(headers).items()
    }


def test_import_view_keeps_the_file_on_the_server_and_imports_by_its_key(organizer, event):
    preview = upload(organizer, event, GOOD)

    stored = ImportUpload.objects.get()
    assert preview.status_code == 200
    assert "2 new attendees" in preview.text
    assert f'name="upload" value="{stored.key}"' in preview.text
    assert "base64" not in preview.text
    assert not Attendee.objects.exists()

    done = organizer.post(
        reverse("attendee_import", args=[event.pk]),
        {**previewed(preview), "step": "import"},
    )

    assert done.status_code == 302
    assert event.attendees.count() == 2
    assert not ImportUpload.objects.exists()


def test_import_view_shows_a_chooser_for_every_field_when_names_are_not_found(organizer, event):
    response = upload(organizer, event, b"Wer,Mail\nLi Wei,li@example.com\n")

    assert response.status_code == 400
    assert "No column holds the names: choose it below" in response.text
    for name in csv_import.FIELDS:
        assert f'name="column_{name}"' in response.text
    assert '<option value="0">Wer</option>' in response.text


def test_import_view_with_a_chosen_column_previews_then_imports(organizer, event):
    upload(organizer, event, b"Wer,Mail\nLi Wei,li@example.com\n")
    key = ImportUpload.objects.get().key
    chosen = {"upload": key, "column_name": "0", "column_email": "1"}

    preview = organizer.post(reverse("attendee_import", args=[event.pk]), chosen)
    done = organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    assert preview.status_code == 200
    assert "1 new attendee" in preview.text
    assert done.status_code == 302
    assert list(event.attendees.values_list("name", "email")) == [("Li Wei", "li@example.com")]


def test_import_view_shows_every_problem_and_imports_nothing(organizer, event):
    response = upload(organizer, event, MIXED)

    assert response.status_code == 400
    assert "Nothing was imported: 2 problems to fix first." in response.text
    assert "Line 4: “not-an-email” is not an email address." in response.text
    assert 'value="import"' not in response.text
    assert not Attendee.objects.exists()


def test_import_view_import_step_with_errors_imports_nothing(organizer, event):
    upload(organizer, event, MIXED)

    response = organizer.post(
        reverse("attendee_import", args=[event.pk]),
        {"upload": ImportUpload.objects.get().key, "step": "import", "column_name": "0"},
    )

    assert response.status_code == 400
    assert not Attendee.objects.exists()


def test_import_view_dry_run_reports_new_updated_unchanged_and_left_out(organizer, event):
    AttendeeFactory(event=event, name="Li Wei", email="li@example.com", company="Harbor")
    AttendeeFactory(event=event, name="Bo Lund", email="bo@example.se", company="Lund AB")
    data = (
        b"Name,Email,Company,Status\n"
        b"Li Wei,li@example.com,Harbor,\n"
        b"Bo Lund,bo@example.se,Lund Group,\n"
        b"Eve Ruiz,eve@example.es,,\n"
        b"Cy Diaz,cy@example.mx,,cancelled\n"
    )

    response = upload(organizer, event, data)

    text = response.text
    assert response.status_code == 200
    assert "<li>1 new attendee</li>" in text
    assert "<li>1 attendee updated</li>" in text
    assert "<li>1 unchanged</li>" in text
    assert "<li>1 row left out</li>" in text
    assert "Line 5: status “cancelled”; left out." in text
    assert event.attendees.get(email="bo@example.se").company == "Lund AB"


def test_import_view_of_a_2_mb_file_imports(organizer, event):
    lines = ["Name,Email,Company,Job title,Phone,Notes"] + [
        f"Person {i:05d},person{i}@example.org,Company {i % 900},Engineer,+1 555 {i:07d},"
        + "x" * 340
        for i in range(4672)
    ]
    data = "\n".join(lines).encode()
    assert len(data) > 1.9e6

    preview = upload(organizer, event, data)
    done = organizer.post(
        reverse("attendee_import", args=[event.pk]),
        {**previewed(preview), "step": "import"},
    )

    assert "4672 new attendees" in preview.text
    assert done.status_code == 302
    assert event.attendees.count() == 4672


def test_import_view_refuses_a_file_over_the_limit_at_upload(organizer, event, settings):
    data = b"name\n" + b"x" * (csv_import.MAX_BYTES + 1)

    response = upload(organizer, event, data)

    assert response.status_code == 400
    assert "at most 10 MB can be imported at once" in response.text
    assert not ImportUpload.objects.exists()


def test_import_view_states_the_size_limit_on_the_upload_form(organizer, event):
    response = organizer.get(reverse("attendee_import", args=[event.pk]))

    assert "at most 10 MB and 10,000 rows" in response.text


def test_import_view_refuses_an_old_excel_file_by_name(organizer, event):
    response = upload(organizer, event, b"\xd0\xcf\x11\xe0", name="people.xls")

    assert response.status_code == 400
    assert "Save the list as CSV or as an Excel workbook (.xlsx)" in response.text


def test_import_view_of_another_organizers_event_is_not_found(client, event):
    client.force_login(UserFactory())

    response = upload(client, event, GOOD)

    assert response.status_code == 404
    assert not ImportUpload.objects.exists()


def test_import_view_upload_key_of_another_organizer_opens_nothing(client, event):
    upload_of_other = ImportUpload.objects.create(
        event=EventFactory(), uploaded_by=UserFactory(), data=GOOD, file_name="theirs.csv"
    )
    client.force_login(event.organizer)

    response = client.post(
        reverse("attendee_import", args=[event.pk]),
        {"upload": upload_of_other.key, "step": "import", "column_name": "0"},
    )

    assert response.status_code == 400
    assert "The uploaded file is no longer here; upload it again." in response.text
    assert not Attendee.objects.exists()


def test_import_view_upload_key_of_a_co_organizer_is_theirs_alone(client, event):
    helper = UserFactory()
    event.co_organizers.add(helper)
    theirs = ImportUpload.objects.create(event=event, uploaded_by=helper, data=GOOD)
    client.force_login(event.organizer)

    response = client.post(
        reverse("attendee_import", args=[event.pk]), {"upload": theirs.key, "step": "import"}
    )

    assert response.status_code == 400
    assert not Attendee.objects.exists()


def test_store_upload_removes_uploads_older_than_a_day(organizer, event):
    old = ImportUpload.objects.create(event=event, uploaded_by=event.organizer, data=GOOD)
    ImportUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))

    upload(organizer, event, GOOD)

    assert list(ImportUpload.objects.values_list("pk", flat=True)) != [old.pk]
    assert ImportUpload.objects.count() == 1


def test_import_view_field_case_gbk_imports_first_time(organizer, event):
    preview = upload(organizer, event, (CASES / "gbk-excel-zh.csv").read_bytes())

    organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    assert sorted(event.attendees.values_list("name", "company")) == [
        ("张伟", "北京星河科技"),
        ("李娜", "朝阳咨询"),
    ]


# Variants of the field cases, each previewed and then imported as previewed.
VARIANTS = [
    (
        b"madonna,madonna@example.com,Acme\nZhang Wei,zw@example.com,Harbor\n",
        ["Zhang Wei", "madonna"],
    ),
    (
        b"zhang wei;Acme\nAda Lovelace;Kite Labs\nLi Wei;Harbor\n",
        ["Ada Lovelace", "Li Wei", "zhang wei"],
    ),
    ("Name,Email\nKőrösi Csoma,k@example.hu\n".encode("cp1250"), ["Kőrösi Csoma"]),
    ("Név;E-mail;Cég\nSzűcs Anna;s@example.hu;Győri Keksz\n".encode("cp1250"), ["Szűcs Anna"]),
    (b"Column1,Column2\nAda Kim,ada@example.kr\nBo Lund,bo@example.se\n", ["Ada Kim", "Bo Lund"]),
    (b"Speed networking 2026-11-02\nmadonna,madonna@example.com\n", ["madonna"]),
    ("Na\u200bme,E\u00admail\nAl Bo,\u202aal@example.com\u202c\n".encode(), ["Al Bo"]),
]


@pytest.mark.parametrize(("data", "names"), VARIANTS)
def test_import_view_previews_and_imports_field_case_variants(organizer, event, data, names):
    preview = upload(organizer, event, data)

    assert preview.status_code == 200
    assert f"{len(names)} new attendee" in preview.text
    done = organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    assert done.status_code == 302
    assert sorted(event.attendees.values_list("name", flat=True)) == names


# Seating rules.


def test_seating_shows_colleague_groups_and_rules(organizer, event):
    AttendeeFactory(event=event, name="Kim Yoon", company="Kite Labs")
    AttendeeFactory(event=event, name="Lee Park", company="KiteLabs Ltd.")
    AttendeeFactory(event=event, name="Solo", company="Freelance")
    AttendeeFactory(event=event, name="Solo Two", company="Freelance")

    response = organizer.get(reverse("seating", args=[event.pk]))

    assert response.status_code == 200
    assert "Kim Yoon (Kite Labs) · Lee Park (KiteLabs Ltd.)" in response.text
    assert "Solo (Freelance) · Solo Two (Freelance)" not in response.text


def test_pair_rule_add_and_remove(organizer, event):
    ana = AttendeeFactory(event=event, name="Ana Lima")
    rui = AttendeeFactory(event=event, name="Rui Lima")

    added = organizer.post(
        reverse("pair_rule_add", args=[event.pk]),
        {"first": rui.pk, "second": ana.pk, "kind": "apart"},
    )
    rule = PairRule.objects.get()
    removed = organizer.post(reverse("pair_rule_remove", args=[event.pk, rule.pk]))

    assert added.status_code == 302
    assert (rule.first_id, rule.second_id, rule.kind) == (ana.pk, rui.pk, "apart")
    assert removed.status_code == 302
    assert not PairRule.objects.exists()


def test_pair_rule_add_refuses_the_same_person_twice(organizer, event):
    ana = AttendeeFactory(event=event)

    response = organizer.post(
        reverse("pair_rule_add", args=[event.pk]),
        {"first": ana.pk, "second": ana.pk, "kind": "apart"},
    )

    assert response.status_code == 400
    assert "Choose two different people." in response.text
    assert not PairRule.objects.exists()


def test_pair_rule_add_cannot_name_an_attendee_of_another_event(organizer, event):
    mine = AttendeeFactory(event=event)
    theirs = AttendeeFactory()

    response = organizer.post(
        reverse("pair_rule_add", args=[event.pk]),
        {"first": mine.pk, "second": theirs.pk, "kind": "apart"},
    )

    assert response.status_code == 400
    assert not PairRule.objects.exists()


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "seating"), ("post", "pair_rule_add"), ("post", "pair_rule_remove")],
)
def test_seating_pages_of_another_organizers_event_are_not_found(client, event, method, name):
    a, b = AttendeeFactory(event=event), AttendeeFactory(event=event)
    rule = PairRule.objects.create(event=event, first=a, second=b)
    client.force_login(UserFactory())
    args = [event.pk, rule.pk] if name == "pair_rule_remove" else [event.pk]

    response = getattr(client, method)(
        reverse(name, args=args), {"first": a.pk, "second": b.pk, "kind": "together"}
    )

    assert response.status_code == 404
    assert list(PairRule.objects.values_list("kind", flat=True)) == ["apart"]


def test_pair_rule_remove_of_another_event_changes_nothing(organizer, event):
    other = EventFactory()
    a, b = AttendeeFactory(event=other), AttendeeFactory(event=other)
    rule = PairRule.objects.create(event=other, first=a, second=b)

    response = organizer.post(reverse("pair_rule_remove", args=[event.pk, rule.pk]))

    assert response.status_code == 302
    assert PairRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize("count", [1, 3])
def test_seating_queries_do_not_grow_with_rules(organizer, event, count, django_assert_num_queries):
    for _ in range(count):
        a = AttendeeFactory(event=event, company="Kite Labs")
        b = AttendeeFactory(event=event, company="Kite Labs", is_listed_in_guest_list=True)
        PairRule.objects.create(event=event, first=a, second=b, kind="together")
        conduct_services.ask_apart(a, other_id=b.pk)  # private: only counted on the page

    with django_assert_num_queries(8):
        response = organizer.get(reverse("seating", args=[event.pk]))

    assert response.status_code == 200
    assert len(response.context["rules"]) == count


# The sharing suggestion an import brings, confirmed by the attendee.


def test_room_asks_to_confirm_a_suggested_yes_to_sharing(client):
    attendee = AttendeeFactory(is_consent_suggested=True)

    response = client.get(reverse("room", args=[attendee.token]))

    assert f'id="attendee-{attendee.pk}-consent"' in response.text
    assert reverse("consent_answer", args=[attendee.token]) in response.text


def test_room_starts_the_question_at_the_suggested_yes(client):
    attendee = AttendeeFactory(is_consent_suggested=True)

    response = client.get(reverse("room", args=[attendee.token]))

    assert response.context["sharing_form"].initial == {"share": "yes"}
    assert f'id="attendee-{attendee.pk}-share_0" required checked>' in response.text


def test_room_does_not_ask_once_the_attendee_answered(client):
    attendee = AttendeeFactory(declining=True, is_consent_suggested=True)

    response = client.get(reverse("room", args=[attendee.token]))

    assert f'id="attendee-{attendee.pk}-consent"' not in response.text


@pytest.mark.parametrize(("answer", "sharing"), [("yes", True), ("no", False)])
def test_consent_answer_records_the_attendees_choice(client, answer, sharing):
    attendee = AttendeeFactory(is_consent_suggested=True)
    open_link(client, attendee.token)  # the phone that opened the link answers

    response = client.post(reverse("consent_answer", args=[attendee.token]), {"share": answer})

    attendee.refresh_from_db()
    assert response.status_code == 302
    assert (attendee.is_consenting_to_share, attendee.is_consent_suggested) == (sharing, False)
    assert attendee.has_decided_consent
    assert attendee.is_sharing_contact is sharing


def test_consent_answer_with_an_unknown_token_is_not_found(client):
    AttendeeFactory(is_consent_suggested=True)

    response = client.post(reverse("consent_answer", args=["nope"]), {"share": "yes"})

    assert response.status_code == 404
    assert not Attendee.objects.filter(is_consenting_to_share=True).exists()


@pytest.mark.parametrize("value", ["²", "٣", "1e3", "-1", "99999999999"])
def test_import_mapping_form_posted_mapping_ignores_what_is_no_column_number(value):
    mapping = ImportMappingForm.posted_mapping({"column_name": value, "column_email": "2"})

    assert (mapping["name"], mapping["email"]) == (None, 2)


def test_import_mapping_form_labels_repeated_headers_with_their_column():
    form = ImportMappingForm(headers=["Name", "Email", "Email"])

    assert list(form.fields["column_email"].choices) == [
        ("", "(none)"),
        ("0", "Name"),
        ("1", "Email (column 2)"),
        ("2", "Email (column 3)"),
    ]


def test_import_view_imports_only_the_mapping_and_encoding_previewed(organizer, event):
    preview = upload(organizer, event, b"Name,Email,Company\nLi Wei,li@example.com,Harbor\n")
    changed = {**previewed(preview), "column_company": "", "step": "import"}

    again = organizer.post(reverse("attendee_import", args=[event.pk]), changed)

    assert again.status_code == 200
    assert not Attendee.objects.exists()
    done = organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(again), "step": "import"}
    )
    assert done.status_code == 302
    assert list(event.attendees.values_list("name", "company")) == [("Li Wei", "")]


def test_import_view_previews_again_in_the_encoding_the_organizer_chose(organizer, event):
    data = "Name,Email\nRenée Côté,renee@example.fr\n".encode("mac_roman")
    preview = upload(organizer, event, data)
    assert previewed(preview)["encoding"] == "mac_roman"

    chosen = organizer.post(
        reverse("attendee_import", args=[event.pk]),
        {**previewed(preview), "encoding": "cp1252", "step": "preview"},
    )
    organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(chosen), "step": "import"}
    )

    assert previewed(chosen)["encoding"] == "cp1252"
    assert "Windows-1252, separated by commas" in chosen.text
    assert list(event.attendees.values_list("name", flat=True)) == ["Ren\u017de C\u2122t\u017d"]


def test_import_view_reports_an_encoding_that_cannot_read_the_file(organizer, event):
    preview = upload(organizer, event, "Name\n王芳\n".encode("gbk"))

    response = organizer.post(
        reverse("attendee_import", args=[event.pk]),
        {**previewed(preview), "encoding": "utf_8", "step": "preview"},
    )

    assert "This file cannot be read as UTF-8; choose another encoding." in response.text
    assert "王芳" in response.text


def test_import_view_shows_a_confirmed_sharer_as_confirmed_not_to_confirm(organizer, event):
    AttendeeFactory(  # her own yes, given on her phone
        event=event,
        name="Ada Kim",
        email="ada@example.kr",
        is_consenting_to_share=True,
        consent_decided_at=timezone.now(),
    )
    AttendeeFactory(event=event, name="Bo Lund", email="bo@example.se")

    response = upload(
        organizer,
        event,
        b"Name,Email,Share contact details\n"
        b"Ada Kim,ada@example.kr,yes\n"
        b"Bo Lund,bo@example.se,yes\n",
    )

    assert response.text.count("yes, confirmed") == 1
    assert response.text.count("yes, to confirm") == 1


def test_import_page_help_is_in_the_organizers_language(organizer, event):
    response = organizer.get(
        reverse("attendee_import", args=[event.pk]), headers={"accept-language": "zh-CN"}
    )

    assert "带标题行的 CSV、制表符分隔文本或 Excel（.xlsx）文件" in response.text
    assert "A CSV, tab-separated text" not in response.text


def test_import_mapping_form_names_each_encoding_once():
    form = ImportMappingForm(headers=["Name"], is_text=True)

    labels = [label for _value, label in form.fields["encoding"].choices]
    assert len(labels) == len(set(labels))
    assert {"UTF-16 LE", "UTF-16 BE"} <= set(labels)


def test_import_view_says_which_encoding_it_guessed_and_asks_to_check_the_names(organizer, event):
    data = "Name,Email\nИван Петров,ivan@example.ru\n".encode("cp1251")

    response = upload(organizer, event, data)

    assert (
        "The file does not say its encoding; it was read as Windows-1251 (Cyrillic). Check "
        "that the names below read right; if they look garbled, choose another encoding below."
    ) in response.text
    assert "Иван Петров" in response.text
    assert "does not say its encoding" not in upload(organizer, event, GOOD).text


def test_import_view_guesses_the_columns_again_in_the_encoding_the_organizer_chose(
    organizer, event
):
    data = "Name\tEmail\r\nAnn Lee\tann@example.com\r\n".encode("utf-16-le")
    preview = upload(organizer, event, data)
    # What the page held after a wrong reading: no column found, the form's encoding UTF-8.
    wrong = {
        **previewed(preview),
        **{f"column_{name}": "" for name in csv_import.FIELDS},
        "previewed": ImportMappingForm.fingerprint(dict.fromkeys(csv_import.FIELDS), "utf_8"),
    }

    chosen = organizer.post(
        reverse("attendee_import", args=[event.pk]),
        {**wrong, "encoding": "utf_16_le", "step": "preview"},
    )

    assert "No column holds the names" not in chosen.text
    assert (previewed(chosen)["column_name"], previewed(chosen)["column_email"]) == ("0", "1")
    assert "Ann Lee" in chosen.text


def test_import_into_an_event_whose_personal_data_were_deleted_is_refused_and_keeps_nothing(
    organizer, event
):
    AttendeeFactory(event=event, name="Li Wei", email="li@example.com")
    event.status = "closed"
    event.save(update_fields=["status"])
    retention.erase_event_personal_data(event, by=event.organizer)

    response = upload(organizer, event, b"name,email\nLi Wei,li@example.com\nAna,ana@example.com\n")

    assert response.status_code == 400
    assert "This event&#x27;s personal data were deleted" in response.text
    assert not ImportUpload.objects.exists()
    assert list(event.attendees.values_list("name", flat=True)) == ["Erased attendee"]


def test_import_into_a_closed_event_is_refused_even_from_a_file_uploaded_before(organizer, event):
    kept = event_services.store_upload(
        event, data=b"name,email\nAna,ana@example.com\n", file_name="p.csv", by=event.organizer
    )
    event.status = "closed"
    event.save(update_fields=["status"])

    response = organizer.post(
        reverse("attendee_import", args=[event.pk]),
        {"upload": kept.key, "step": "import", "column_name": "0", "column_email": "1"},
    )

    assert response.status_code == 400
    assert "This event is closed: no one can be added to it any more." in response.text
    assert not event.attendees.exists()


# Files of the kinds that were misread, previewed then imported through the organizer's page:
# what the preview says by line is what is imported, and a file with a wrong line imports
# nothing.
READ_RIGHT = [
    (
        "Name,Email\nJosé Pérez,jp@example.com\n".encode()
        + "Zoë Müller,zm@example.com\n".encode("cp1252")
        + b"Ann Lee,al@example.com\n",
        ["Ann Lee", "José Pérez", "Zoë Müller"],
        "Line 3 was not UTF-8; read as Windows-1252: check the names.",
    ),
    (
        "姓名,邮箱\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode("gbk")
        + "José Pérez,jp@example.com\n".encode(),
        ["José Pérez", "张伟", "李娜"],
        "Line 4 was not GB18030 (GBK); read as UTF-8: check the names.",
    ),
    (
        "Name,Email\n林䶮,ly@example.cn\n𡃁子,dz@example.cn\n".encode("gb18030"),
        ["林䶮", "𡃁子"],
        "it was read as GB18030 (GBK)",
    ),
    (
        b"madonna\nzhang wei,zhang@example.com\nann lee,ann@example.com\n",
        ["ann lee", "madonna", "zhang wei"],
        "Line 1: only “madonna”, written like the names below: read as a person.",
    ),
    (
        "报名名单\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode(),
        ["张伟", "李娜"],
        "The lines above line 2 are a title, not people; left out.",
    ),
    (
        "Vezetéknév;Keresztnév;E-mail\nKovács;Anna;ka@example.hu\nSzűcs;Győző;sg@example.hu\n".encode(
            "cp1250"
        ),
        ["Kovács Anna", "Szűcs Győző"],
        "Kovács Anna",
    ),
    (
        "Họ,Tên,Email\nNguyễn,Văn An,an@example.vn\n".encode(),
        ["Nguyễn Văn An"],
        "Nguyễn Văn An",
    ),
    (
        # A line pasted from a web page in Windows-1252: its no-break space (A0) is no half of
        # a GBK ideograph ("Ann燣ee").
        "Name,Email\nJosé Pérez,jp@example.com\n".encode()
        + "Ann\xa0Lee,al@example.com\n".encode("cp1252"),
        ["Ann Lee", "José Pérez"],
        "Line 3 was not UTF-8; read as Windows-1252: check the names.",
    ),
    # A title alone on line 1 in another language, written like the names below, is no person.
    (
        b"Teilnehmerliste\nAnn Lee,al@example.com\nBo Lund,bo@example.com\n",
        ["Ann Lee", "Bo Lund"],
        "The lines above line 2 are a title, not people; left out.",
    ),
    (
        "Участники\nАнна Смирнова,as@example.com\nИван Петров,ip@example.com\n".encode(),
        ["Анна Смирнова", "Иван Петров"],
        "The lines above line 2 are a title, not people; left out.",
    ),
    # Hungarian columns as an export without accents names them: family name first still.
    (
        b"Vezeteknev;Keresztnev;E-mail\nKovacs;Anna;ka@example.hu\nSzucs;Gyozo;sg@example.hu\n",
        ["Kovacs Anna", "Szucs Gyozo"],
        "Kovacs Anna",
    ),
    (
        b"Csaladi nev,Utonev,E-mail\nKovacs,Anna,ka@example.hu\n",
        ["Kovacs Anna"],
        "Kovacs Anna",
    ),
    # A column of one-word names alone: every line a person, line 1 included.
    (
        b"Madonna\nCher\nBono\n",
        ["Bono", "Cher", "Madonna"],
        "No row of column names was found",
    ),
    (
        b"CHER\r\nBONO\r\nSTING\r\n",
        ["BONO", "CHER", "STING"],
        "No row of column names was found",
    ),
    # Vietnamese columns without accents: family name first.
    (
        b"Ho,Ten,Email\nNguyen,Van An,an@example.vn\n",
        ["Nguyen Van An"],
        "Nguyen Van An",
    ),
    (
        b"Ho,Ten dem,Ten,Email\nTran,Thi,Mai,mai@example.vn\n",
        ["Tran Thi Mai"],
        "Tran Thi Mai",
    ),
    (
        b"Ho va ten;Email\nLe Van Binh;binh@example.vn\n",
        ["Le Van Binh"],
        "Le Van Binh",
    ),
    # "Ho" and "Ten" with no other column name we know: column names, not a person "Ho".
    (
        b"STT,Ho,Ten,Don vi\n1,Nguyen Van,An,FPT\n2,Tran Thi,Mai,Viettel\n",
        ["Nguyen Van An", "Tran Thi Mai"],
        "2 new attendees",
    ),
    # A "Middle" column beside "First" and "Last": joined between them.
    (
        b"Last,First,Middle,Email\nAdams,John,Quincy,ja@example.com\n",
        ["John Quincy Adams"],
        "John Quincy Adams",
    ),
    # A place alone on line 1 above column names: a title, not a person.
    (
        b"Beijing\nAttendee,Ticket type\nZhang Wei,VIP\nLi Na,GA\n",
        ["Li Na", "Zhang Wei"],
        "The lines above line 2 are a title, not people; left out.",
    ),
    (
        "北京\n姓名\n张伟\n李娜\n".encode(),
        ["张伟", "李娜"],
        "The lines above line 2 are a title, not people; left out.",
    ),
]


@pytest.mark.parametrize(("data", "names", "said"), READ_RIGHT)
def test_import_view_previews_and_imports_each_line_read_right(organizer, event, data, names, said):
    preview = upload(organizer, event, data)

    assert preview.status_code == 200
    assert said in preview.text
    assert not Attendee.objects.exists()
    done = organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    assert done.status_code == 302
    assert sorted(event.attendees.values_list("name", flat=True)) == names


WRONG_LINE = [
    (
        "Name,Email\nJosé Pérez,jp@example.com\n".encode()
        + "Zoë Müller,zm@example.com\n".encode("cp1252")
        + b"Ann Lee,not-an-email\n",
        4,
    ),
    (b"madonna\nzhang wei,zhang@example.com\nann lee,not-an-email\n", 3),
    (
        "Vezetéknév,Keresztnév,E-mail\nKovács,Anna,ka@example.hu\nSzűcs,Győző,not-an-email\n".encode(),
        3,
    ),
    ("Name,Email\n林䶮,ly@example.cn\n张伟,not-an-email\n".encode("gb18030"), 3),
    (b"Ho,Ten,Email\nNguyen,An,an@example.vn\nTran,Mai,not-an-email\n", 3),
]


@pytest.mark.parametrize(("data", "line"), WRONG_LINE)
def test_import_view_of_a_misread_kind_with_a_wrong_line_imports_nothing(
    organizer, event, data, line
):
    preview = upload(organizer, event, data)
    done = organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    assert preview.status_code == 400
    assert f"Line {line}: “not-an-email” is not an email address." in preview.text
    assert done.status_code == 400
    assert not Attendee.objects.exists()


# Files of two encodings that are not UTF-8 with another: each line is read in its own and the
# odd line named, or the file is refused naming the line; no line is imported garbled.
TWO_ENCODINGS_UNREAD = [
    pytest.param(
        "Name\tEmail\nAnn Lee\tal@example.com\n".encode("utf-16")
        + "José Pérez\tjp@example.com\n".encode(),
        ["Ann Lee", "José Pérez"],
        3,
        id="utf16-with-a-utf8-line",
    ),
    pytest.param(
        "Name,Email\nJosé,jp@example.com\n".encode()
        + "Ann Lee,al@example.com\n".encode("utf-16-le"),
        ["Ann Lee", "José"],
        3,
        id="utf8-with-a-utf16-line",
    ),
    pytest.param(
        "姓名,邮箱\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode("gbk")
        + "Zoë Müller,zm@example.com\n".encode("cp1252"),
        ["Zoë Müller", "张伟", "李娜"],
        4,
        id="gbk-with-a-windows-1252-line",
    ),
    pytest.param(
        "姓名,邮箱\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode("gbk")
        + "山田太郎,yt@example.jp\n".encode("shift_jis"),
        ["山田太郎", "张伟", "李娜"],
        4,
        id="gbk-with-a-shift-jis-line",
    ),
    pytest.param(
        "姓名,邮箱\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode("gbk")
        + "陳大文,cd@example.hk\n".encode("big5"),
        ["张伟", "李娜", "陳大文"],
        4,
        id="gbk-with-a-big5-line",
    ),
]


@pytest.mark.parametrize(("data", "names", "line"), TWO_ENCODINGS_UNREAD)
def test_import_view_of_two_encodings_names_the_odd_line_and_garbles_none(
    organizer, event, data, names, line
):
    preview = upload(organizer, event, data)
    organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    imported = sorted(event.attendees.values_list("name", flat=True))
    assert imported in ([], names)
    assert f"Line {line}" in preview.text


def test_import_view_refuses_a_line_of_more_columns_than_a_list_has_by_line(organizer, event):
    """A row of thousands of values (a wrong separator, a pasted log) is refused at once by
    line, in the organizer's language: weighing each column as every field took minutes."""
    wide = ",".join(f"q{i}" for i in range(1_500))
    data = f"Name,Email\nAnn Lee,al@example.com\n{wide}\n".encode()

    preview = upload(organizer, event, data)
    with translation.override("zh-hans"):
        said = str(tabular_error(data))

    assert preview.status_code == 400
    assert "Line 3 has values in 1,500 columns, more than the 1,000" in preview.text
    assert "第 3 行有 1,500 列填了值" in said
    assert not Attendee.objects.exists()


def tabular_error(data: bytes) -> str:
    try:
        csv_import.parse(data)
    except ValidationError as error:
        return error.messages[0]
    return ""


def test_import_view_imports_a_list_with_empty_columns_far_to_the_right(organizer, event):
    data = b"Name,Email" + b"," * 1_500 + b"\nAnn Lee,al@example.com" + b"," * 1_500 + b"\n"

    preview = upload(organizer, event, data)
    organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    assert preview.status_code == 200
    assert list(event.attendees.values_list("name", flat=True)) == ["Ann Lee"]


def test_import_view_of_a_place_above_unknown_column_names_previews_then_imports_the_chosen(
    organizer, event
):
    book = io.BytesIO()
    workbook = Workbook()
    for row in [["Beijing"], ["Who", "Org"], ["Zhang Wei", "Acme"], ["Li Na", "Harbor"]]:
        workbook.active.append(row)
    workbook.save(book)
    first = upload(organizer, event, book.getvalue(), name="people.xlsx")
    key = ImportUpload.objects.get().key
    chosen = {"upload": key, "column_name": "0", "column_company": "1"}

    preview = organizer.post(reverse("attendee_import", args=[event.pk]), chosen)
    done = organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    assert "The lines above line 2 are a title, not people; left out." in first.text
    assert '<option value="0">Who</option>' in first.text
    assert "2 new attendees" in preview.text
    assert done.status_code == 302
    assert sorted(event.attendees.values_list("name", "company")) == [
        ("Li Na", "Harbor"),
        ("Zhang Wei", "Acme"),
    ]


def test_import_view_of_a_title_above_one_column_of_names_imports_the_names_only(organizer, event):
    first = upload(organizer, event, b"Waitlisted\nZhang Wei\nAnn Lee\nBo Chen\n")
    key = ImportUpload.objects.get().key

    preview = organizer.post(
        reverse("attendee_import", args=[event.pk]), {"upload": key, "column_name": "0"}
    )
    done = organizer.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )

    assert "No column holds the names" in first.text
    assert "3 new attendees" in preview.text
    assert done.status_code == 302
    assert sorted(event.attendees.values_list("name", flat=True)) == [
        "Ann Lee",
        "Bo Chen",
        "Zhang Wei",
    ]
