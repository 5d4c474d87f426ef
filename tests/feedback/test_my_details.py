"""My details: the attendee's own consent to share and the channels to share, and that a change
takes effect on leads, exports and the next digest at once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from events.models import Attendee
from feedback import digest, exports, queries
from feedback.forms import MyDetailsForm, normalize_linkedin, normalize_phone
from tests.factories import AttendeeFactory, CardFactory, RoundFactory
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db


def details(**fields) -> dict[str, str]:
    return {"share": "yes", "email": "", "phone": "", "wechat_id": "", "linkedin_url": "", **fields}


@pytest.fixture
def imported_pair(db):
    """Two attendees of a closed event, imported with a "yes" in the consent column (a
    suggestion), who exchanged "See me" cards."""
    round_ = RoundFactory(event__closed=True, event__title="Harbour night", number=1, done=True)
    me = AttendeeFactory(
        event=round_.event, name="Me", email="me@example.com", suggested_consent=True
    )
    other = AttendeeFactory(
        event=round_.event,
        name="Ana Costa",
        email="ana@example.com",
        phone="+49 170 5550123",
        suggested_consent=True,
        checked_in=True,
    )
    CardFactory(round=round_, giver=other, receiver=me)
    CardFactory(round=round_, giver=me, receiver=other)
    return me, other


def test_imported_yes_is_only_a_suggestion(imported_pair):
    me, _other = imported_pair

    leads = queries.leads_of(me)

    assert [lead.has_contact for lead in leads.want_to_see_me] == [False]
    assert not me.is_sharing_contact


def test_my_details_first_open_asks_and_offers_the_suggestion(client, imported_pair):
    me, _ = imported_pair

    response = client.get(reverse("my_details", args=[me.token]))

    assert response.status_code == 200
    assert "One question before you start" in response.text
    assert "Your registration said yes; it counts once you confirm it here." in response.text
    assert response.context["form"].initial["share"] == "yes"


def test_my_details_first_open_without_a_suggestion_ticks_nothing(client):
    attendee = AttendeeFactory()

    response = client.get(reverse("my_details", args=[attendee.token]))

    assert response.context["form"].initial["share"] == ""


def test_my_details_one_tap_share_changes_leads_exports_and_the_next_digest(client, imported_pair):
    me, other = imported_pair
    other_details = details(email="ana@example.com", phone="+49 170 5550123")
    open_link(client, other.token)
    client.post(reverse("my_details", args=[other.token]), other_details)

    open_link(client, me.token)
    response = client.post(reverse("my_details", args=[me.token]), details(email="me@example.com"))

    me.refresh_from_db()
    assert response.status_code == 302
    assert me.is_sharing_contact
    leads_page = client.get(reverse("leads", args=[me.token]))
    assert "ana@example.com" in leads_page.text
    sheet = exports.leads_rows(me)
    assert [row[9:11] for row in sheet.rows] == [
        ["ana@example.com", "+49 170 5550123"],
        ["ana@example.com", "+49 170 5550123"],
    ]
    assert "EMAIL;TYPE=INTERNET:ana@example.com" in exports.leads_vcards(me)
    assert "Email: ana@example.com" in digest.digest_message(me).body


def test_my_details_saying_no_hides_contact_everywhere_at_once(client, imported_pair):
    me, other = imported_pair
    for person in (me, other):
        open_link(client, person.token)
        client.post(reverse("my_details", args=[person.token]), details(email=person.email))

    open_link(client, other.token)
    client.post(reverse("my_details", args=[other.token]), details(share="no"))

    me.refresh_from_db()
    assert "ana@example.com" not in client.get(reverse("leads", args=[me.token])).text
    assert [row[9] for row in exports.leads_rows(me).rows] == ["", ""]
    assert "EMAIL" not in exports.leads_vcards(me)
    assert "ana@example.com" not in digest.digest_message(me).body
    vcard = client.get(reverse("contact_vcard", args=[me.token, other.pk]))
    assert vcard.status_code == 404


def test_my_details_requires_a_choice(client):
    attendee = AttendeeFactory()

    open_link(client, attendee.token)
    response = client.post(reverse("my_details", args=[attendee.token]), details(share=""))

    attendee.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors["share"] == ["Choose yes or no."]
    assert attendee.consent_decided_at is None


# The room asks the same question until it is answered, and records the answer as My details does.


def test_room_asks_anyone_who_has_not_answered_without_choosing_for_them(client):
    attendee = AttendeeFactory()

    response = client.get(reverse("room", args=[attendee.token]))

    assert f'id="attendee-{attendee.pk}-consent"' in response.text
    assert response.context["sharing_form"].initial == {"share": ""}
    assert (
        "checked"
        not in response.text.split(f'id="attendee-{attendee.pk}-consent"')[1].split("</form>")[0]
    )


def test_room_links_my_details_at_the_bottom(client):
    attendee = AttendeeFactory(consenting=True)

    response = client.get(reverse("room", args=[attendee.token]))

    links = response.text.split('<p class="room-links">')[1].split("</p>")[0]
    assert (
        f'<a class="button button-quiet" href="{reverse("my_details", args=[attendee.token])}">'
        "My details</a>"
    ) in links


def test_room_answer_in_one_tap_shares_like_my_details(client, imported_pair):
    me, other = imported_pair
    open_link(client, other.token)
    client.post(reverse("consent_answer", args=[other.token]), {"share": "yes"})

    open_link(client, me.token)
    response = client.post(reverse("consent_answer", args=[me.token]), {"share": "yes"})

    me.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("room", args=[me.token])
    assert (me.is_sharing_contact, me.is_consent_suggested, me.email) == (
        True,
        False,
        "me@example.com",
    )
    assert [lead.has_contact for lead in queries.leads_of(me).want_to_see_me] == [True]
    room = client.get(reverse("room", args=[me.token]))
    assert f'id="attendee-{me.pk}-consent"' not in room.text


def test_room_answer_without_a_choice_records_nothing_and_asks_on_my_details(client):
    attendee = AttendeeFactory(is_consent_suggested=True)

    open_link(client, attendee.token)
    response = client.post(reverse("consent_answer", args=[attendee.token]), {"share": "maybe"})

    attendee.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("my_details", args=[attendee.token])
    assert (attendee.consent_decided_at, attendee.is_consent_suggested) == (None, True)
    page = client.get(response["Location"])
    assert "Choose yes or no." in page.text


def test_room_answer_changes_only_the_owner_of_the_token(client, imported_pair):
    me, other = imported_pair

    open_link(client, me.token)
    client.post(reverse("consent_answer", args=[me.token]), {"share": "yes"})

    other.refresh_from_db()
    assert other.consent_decided_at is None


def test_my_details_saves_normalised_channels(client):
    attendee = AttendeeFactory(event__language="zh-hans")

    open_link(client, attendee.token)
    client.post(
        reverse("my_details", args=[attendee.token]),
        details(
            email=" Li@Example.COM ",
            phone="138 0013 8000",
            wechat_id="li_lei-88",
            linkedin_url="cn.linkedin.com/in/li-lei/?trk=public",
        ),
    )

    attendee.refresh_from_db()
    assert (
        attendee.email,
        attendee.phone,
        attendee.wechat_id,
        attendee.linkedin_url,
    ) == ("li@example.com", "+86 138 0013 8000", "li_lei-88", "https://www.linkedin.com/in/li-lei")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "not-an-email", "“not-an-email” is not an email address."),
        ("email", "a@b.com\r\nBcc: x@y.z", "has spaces or hidden characters inside."),
        ("phone", "call me maybe", "“call me maybe” is not a phone number."),
        ("phone", "123", "This is not a phone number we can read"),
        ("wechat_id", "12345678", "A WeChat ID has 6 to 20 letters"),
        ("wechat_id", "li\nlei", "A WeChat ID has 6 to 20 letters"),
        ("linkedin_url", "https://evil.example.com/in/x", "Paste the address of your LinkedIn"),
        ("linkedin_url", "javascript:alert(1)", "Paste the address of your LinkedIn"),
    ],
)
def test_my_details_refuses_bad_channels_and_keeps_the_rest(client, field, value, error):
    attendee = AttendeeFactory(phone="")

    open_link(client, attendee.token)
    response = client.post(
        reverse("my_details", args=[attendee.token]),
        details(**{"phone": "+44 20 7946 0958", field: value}),
    )

    attendee.refresh_from_db()
    assert response.status_code == 400
    assert error in response.context["form"].errors[field][0]
    assert attendee.consent_decided_at is None
    assert attendee.phone == ""


def test_my_details_refuses_an_email_someone_else_at_the_event_has(client):
    other = AttendeeFactory(email="taken@example.com")
    attendee = AttendeeFactory(event=other.event)

    open_link(client, attendee.token)
    response = client.post(
        reverse("my_details", args=[attendee.token]), details(email="Taken@example.com")
    )

    assert response.status_code == 400
    assert "Someone else at this event has this email address." in response.text


def test_my_details_of_an_unknown_token_is_404(client):
    assert client.get(reverse("my_details", args=["no-such-token"])).status_code == 404


def test_my_details_changes_only_the_owner_of_the_token(client, imported_pair):
    me, other = imported_pair

    open_link(client, me.token)
    client.post(reverse("my_details", args=[me.token]), details(share="no"))

    other.refresh_from_db()
    assert other.consent_decided_at is None


def test_leads_and_pitch_pages_link_to_my_details(client):
    attendee = AttendeeFactory()
    link = reverse("my_details", args=[attendee.token])

    assert link in client.get(reverse("leads", args=[attendee.token])).text
    assert link in client.get(reverse("pitch_edit", args=[attendee.token])).text


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+49 170 5550123", None, "+49 170 5550123"),
        ("13800138000", "CN", "+86 138 0013 8000"),
        ("+1 (415) 555-0132", None, "+1 415-555-0132"),
    ],
)
def test_normalize_phone_writes_international_format(raw, region, expected):
    assert normalize_phone(raw, region=region) == expected


def test_normalize_phone_needs_a_country_code_without_a_region():
    with pytest.raises(ValidationError):
        normalize_phone("0170 5550123", region=None)


@pytest.mark.parametrize(
    "raw",
    [
        "linkedin.com/in/ana-costa",
        "https://www.linkedin.com/in/ana-costa/",
        "http://de.linkedin.com/in/ana-costa?originalSubdomain=de",
        "www.linkedin.com/in/ana-costa#about",
    ],
)
def test_normalize_linkedin_one_form_for_what_people_paste(raw):
    assert normalize_linkedin(raw) == "https://www.linkedin.com/in/ana-costa"


def test_my_details_form_normalises_the_email_like_every_entry_point():
    form = MyDetailsForm(details(email=" Ana.Costa@Example.COM "))

    assert form.is_valid()
    assert form.cleaned_data["email"] == "ana.costa@example.com"


def test_imported_attendee_who_taps_share_once_gets_contact_details_in_their_language(
    client, mailoutbox
):
    """The issue's end state: an imported attendee with a consent "yes" in the file (only a
    suggestion), who opens the link on a Chinese phone and taps "share" once, gets leads and a
    digest with working contact details, in Chinese."""
    round_ = RoundFactory(event__title="Harbour night", event__language="en", number=1, done=True)
    event = round_.event
    csv_file = (
        b"name,email,company,consent\n"
        b"Li Lei,li@example.com,Harbor,yes\n"
        b"Ana Costa,ana@example.com,Port,yes\n"
    )
    event_services.import_attendees(event, data=csv_file, by=None)
    li, ana = (Attendee.objects.get(email=email) for email in ("li@example.com", "ana@example.com"))
    Attendee.objects.filter(pk__in=[li.pk, ana.pk]).update(checked_in_at=timezone.now())
    CardFactory(round=round_, giver=ana, receiver=li)
    assert not queries.leads_of(li).want_to_see_me[0].has_contact
    open_link(client, ana.token)
    client.post(
        reverse("my_details", args=[ana.token]),
        details(email="ana@example.com", phone="+49 170 5550123"),
    )

    client.get(reverse("my_details", args=[li.token]), HTTP_ACCEPT_LANGUAGE="zh-CN")
    open_link(client, li.token)
    client.post(
        reverse("my_details", args=[li.token]),
        details(email="li@example.com"),
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    leads_page = client.get(reverse("leads", args=[li.token]), HTTP_ACCEPT_LANGUAGE="zh-CN")
    event.status, event.closed_at = "closed", timezone.now() - timedelta(hours=1)
    event.save()
    call_command("send_followups", stdout=StringIO(), stderr=StringIO())

    assert "mailto:ana@example.com" in leads_page.text
    [to_li] = [m for m in mailoutbox if m.to == ["Li Lei <li@example.com>"]]
    assert to_li.subject == "你在 Harbour night 的后续跟进"
    assert "ana@example.com" in to_li.body
    assert "+49 170 5550123" in to_li.body
