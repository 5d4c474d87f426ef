"""The identity hygiene rule, and the same rule at every entry point: import, join form,
organizer's add form, admin."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events import csv_import, hygiene, services
from events.forms import AttendeeAdminForm, AttendeeForm, JoinForm
from events.models import Attendee
from rounds.seating import company_pairs
from tests.factories import AttendeeFactory, EventFactory, UserFactory

CASES = Path(__file__).parent / "field_cases"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ada\u00a0 Kim ", "Ada Kim"),
        ("Ada\u200bKim", "AdaKim"),
        ("\ufeffLi Wei", "Li Wei"),
        ("Li\tWei", "Li Wei"),
        ("Cafe\u0301 Owner", "Café Owner"),
        ("Ali\u00adce", "Alice"),
        ("李\u3000娜", "李 娜"),
        ("می\u200cخواهم", "می\u200cخواهم"),
        ("Ada\u200c Kim", "Ada Kim"),
        ("", ""),
    ],
)
def test_clean_name_keeps_what_was_written_without_invisible_characters(typed, kept):
    assert hygiene.clean_name(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "\u2800",
        "\u2800 \u2800",
        "\U000e0020\U000e0041",
        "\u0301",
        "\u115f\u1160",
        " \u2060 ",
        "\U0001d159",
        "\ufffc",
    ],
)
def test_clean_name_empties_a_name_that_shows_nothing(typed):
    """The braille blank, tag characters, a mark with no letter: typed to look like a name and
    show nothing. Empty, so the form asks for the name."""
    assert hygiene.clean_name(typed) == ""


def test_clean_name_keeps_the_joiner_of_a_malayalam_chillu():
    """Malayalam's older encoding ends a word with a virama and a zero-width joiner (a chillu):
    without the joiner the virama shows."""
    name = "അര്\u200dജുന്\u200d കുമാര്\u200d"

    assert hygiene.clean_name(name) == name


@pytest.mark.parametrize(
    "typed", ["a\u2800", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"]
)
def test_clean_name_keeps_blank_looking_characters_beside_something_shown(typed):
    assert hygiene.clean_name(typed) == typed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Mallory\nBcc: list@example.net", "The name must be one line, without line breaks."),
        ("Mallory\r\nBcc: x", "The name must be one line, without line breaks."),
        ("Eve\u2028Bcc", "The name must be one line, without line breaks."),
        ("Eve\x85Bcc", "The name must be one line, without line breaks."),
        ("Eve\u202egnp.exe", "The name holds a hidden text-direction character; type it again."),
        ("Eve\x00", "The name holds a control character (U+0000); type it again."),
        ("Eve\x1b[31m", "The name holds a control character (U+001B); type it again."),
        ("Eve\x9b", "The name holds a control character (U+009B); type it again."),
        ("x" * 121, "The name is 121 characters long; at most 120 fit."),
    ],
)
def test_clean_name_refuses_breaks_controls_and_direction_overrides(typed, message):
    with pytest.raises(ValidationError) as refusal:
        hygiene.clean_name(typed)

    assert refusal.value.messages == [message]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (" Ada.Kim@Example.COM ", "ada.kim@example.com"),
        ("lin.qiao@example.cn\u200b", "lin.qiao@example.cn"),
        ("sam.okoye@example.ng\u00a0", "sam.okoye@example.ng"),
        ("\ufeffmia.tan@example.sg", "mia.tan@example.sg"),
        ("<ada@example.com>", "ada@example.com"),
        ("mailto:ada@example.com", "ada@example.com"),
        ("zhang@例子.中国", "zhang@xn--fsqu00a.xn--fiqs8s"),
        ("anna@MÜLLER.de", "anna@xn--mller-kva.de"),
        ("ada@ｅｘａｍｐｌｅ.com", "ada@example.com"),
        ("\u202aal.bo@example.com\u202c", "al.bo@example.com"),
        ("\u2067al.bo@example.com\u2069", "al.bo@example.com"),
        ("", ""),
    ],
)
def test_clean_email_normalises_once(typed, kept):
    assert hygiene.clean_email(typed) == kept


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ada kim@example.com", "“ada kim@example.com” has spaces or hidden characters inside."),
        ("ada@example.com\nBcc: x@y.z", "has spaces or hidden characters inside."),
        ("not-an-email", "“not-an-email” is not an email address."),
        ("张伟@example.cn", "cannot be mailed: the part before @ must use Latin letters"),
        ("ada@exa_mple..com", "is not a valid domain"),
        ("ada@", "“ada@” is not an email address."),
    ],
)
def test_clean_email_refuses_what_cannot_be_mailed(typed, message):
    with pytest.raises(ValidationError) as refusal:
        hygiene.clean_email(typed)

    assert message in refusal.value.messages[0]


@pytest.mark.parametrize(
    "typed",
    [
        "a@x.com, b@y.com", "a@x.com; b@y.com", "a@x.com / b@y.com", "a@x.com b@y.com",
        "a@x.com and b@y.com", "a@x.com，b@y.com", "Ada <a@x.com>; Bo <b@y.com>",
        "a@x.com,b@y.com,c@z.com", "a@x.com|b@y.com",
    ],
)  # fmt: skip
def test_clean_email_says_a_field_holding_two_addresses_holds_more_than_one(typed):
    with pytest.raises(ValidationError) as refusal:
        hygiene.clean_email(typed)

    assert refusal.value.code == hygiene.SEVERAL_ADDRESSES
    assert refusal.value.messages[0].endswith(
        "holds more than one address; give one address per person."
    )


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("'+86 138 0000 0001", "+86 138 0000 0001"),
        ("＋８６ １３８ ００００ ０００１", "+86 138 0000 0001"),
        ("(555) 010-0100 ext. 12", "(555) 010-0100 ext. 12"),
        ("+1\u00a0555\u200b0100", "+1 5550100"),
        ("", ""),
    ],
)
def test_clean_phone_keeps_numbers(typed, kept):
    assert hygiene.clean_phone(typed) == kept


@pytest.mark.parametrize("typed", ["call me", "=HYPERLINK(1)", "555\n0100", "+"])
def test_clean_phone_refuses_what_is_no_number(typed):
    with pytest.raises(ValidationError):
        hygiene.clean_phone(typed)


@pytest.mark.parametrize(
    ("company", "stored"),
    [
        ("N/A", ""),
        ("-", ""),
        ("无", ""),
        ("none", ""),
        ("Freelance", "Freelance"),
        ("个人", "个人"),
    ],
)
def test_clean_company_blanks_placeholders_and_keeps_self_descriptions(company, stored):
    assert hygiene.clean_company(company) == stored


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kite Labs", "Kite Labs Ltd."),
        ("Kite Labs", "KiteLabs"),
        ("kite labs, inc", "KITE LABS LLC"),
        ("北京星河科技有限公司", "星河科技"),
        ("上海朝阳咨询股份有限公司", "朝阳咨询"),
        ("Berger & Söhne GmbH", "berger and söhne"),
        ("Ｋｉｔｅ Ｌａｂｓ", "Kite Labs"),
    ],
)
def test_company_key_matches_spellings_of_one_company(a, b):
    assert hygiene.company_key(a) == hygiene.company_key(b) != ""


@pytest.mark.parametrize(
    "placeholder",
    ["Freelance", "self-employed", "Independent", "n/a", "None", "-", "个人", "无", "自由职业", ""],
)
def test_company_key_of_a_placeholder_is_no_company(placeholder):
    assert hygiene.company_key(placeholder) == ""


def test_company_key_keeps_different_companies_apart():
    assert hygiene.company_key("Kite Labs") != hygiene.company_key("Kite Studio")
    assert hygiene.company_key("星河科技") != hygiene.company_key("银河科技")


@pytest.mark.parametrize(
    ("given", "family", "name"),
    [("娜", "李", "李娜"), ("娜娜", "欧阳", "欧阳娜娜"), ("太郎", "山田", "山田太郎"),
     ("Ada", "Kim", "Ada Kim"), ("Ada", "", "Ada"), ("", "李", "李")],
)  # fmt: skip
def test_full_name_joins_cjk_names_family_first(given, family, name):
    assert hygiene.full_name(given, family) == name


@pytest.mark.parametrize(
    ("given", "family", "name"),
    [("Anna", "Kovács", "Kovács Anna"), ("Văn An", "Nguyễn", "Nguyễn Văn An"),
     ("娜", "李", "李娜"), ("Anna", "", "Anna"), ("", "Kovács", "Kovács")],
)  # fmt: skip
def test_full_name_family_first_puts_a_latin_family_name_first_with_a_space(given, family, name):
    assert hygiene.full_name(given, family, is_family_first=True) == name


@pytest.mark.parametrize(
    ("name", "parts"),
    [("李娜", ("李", "娜")), ("欧阳娜娜", ("欧阳", "娜娜")), ("Ada Kim", ("Kim", "Ada")),
     ("Jean-Baptiste de la Salle", ("Salle", "Jean-Baptiste de la")), ("Anjali", ("", "Anjali")),
     ("김 민수", ("김", "민수"))],
)  # fmt: skip
def test_name_parts_gives_family_and_given(name, parts):
    assert hygiene.name_parts(name) == parts


@pytest.mark.django_db
def test_attendee_name_parts_prefers_the_stored_parts():
    built = AttendeeFactory(name="李娜", given_name="娜", family_name="李")
    guessed = AttendeeFactory(name="Ada Kim")

    assert (built.name_parts, guessed.name_parts) == (("李", "娜"), ("", "Ada Kim"))


@pytest.mark.django_db
def test_import_names_from_given_and_family_columns_give_vcard_parts():
    event = EventFactory()

    services.import_attendees(event, data="名,姓,Email\n娜,李,lina@example.cn\n".encode(), by=None)

    attendee = event.attendees.get()
    assert (attendee.name, attendee.name_parts) == ("李娜", ("李", "娜"))


# The same rule at each entry point.

BAD_NAME = "Mallory\nBcc: list@example.net"


def test_join_form_applies_the_rule():
    form = JoinForm({"name": " Ada\u200b Kim ", "email": "ADA@Example.com\u200b", "company": "N/A"})

    assert form.is_valid(), form.errors
    assert (
        form.cleaned_data["name"],
        form.cleaned_data["email"],
        form.cleaned_data["company"],
    ) == (
        "Ada Kim",
        "ada@example.com",
        "",
    )


def test_organizer_add_form_applies_the_rule():
    form = AttendeeForm(
        {"name": BAD_NAME, "email": "zhang@例子.中国", "phone": "'+86 138 0000 0001"}
    )

    assert not form.is_valid()
    assert form.errors["name"] == ["The name must be one line, without line breaks."]
    assert form.cleaned_data["email"] == "zhang@xn--fsqu00a.xn--fiqs8s"
    assert form.cleaned_data["phone"] == "+86 138 0000 0001"


@pytest.mark.django_db
def test_admin_form_applies_the_rule():
    event = EventFactory()
    data = {"event": event.pk, "name": BAD_NAME, "email": "lin.qiao@example.cn\u200b"}

    form = AttendeeAdminForm(data)

    assert not form.is_valid()
    assert form.errors["name"] == ["The name must be one line, without line breaks."]
    assert form.cleaned_data["email"] == "lin.qiao@example.cn"


@pytest.mark.django_db
def test_admin_change_page_refuses_a_name_with_a_line_break(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    attendee = AttendeeFactory(name="Ada")
    client.force_login(admin)

    response = client.post(
        reverse("admin:events_attendee_change", args=[attendee.pk]),
        {"event": attendee.event_id, "name": BAD_NAME, "email": attendee.email},
    )

    assert response.status_code == 200
    assert "The name must be one line, without line breaks." in response.text
    attendee.refresh_from_db()
    assert attendee.name == "Ada"


def test_import_applies_the_rule_by_line():
    parsed = csv_import.parse(
        b'Name,Email\n"Mallory\nBcc: x@example.net",m@example.org\nAda,ada@example.com\n'
    )

    # A spreadsheet cell's line break is a space: the name is one line, no header is made.
    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["Mallory Bcc: x@example.net", "Ada"]


@pytest.mark.django_db
def test_add_attendee_service_applies_the_rule():
    event = EventFactory()

    with pytest.raises(ValidationError) as refusal:
        services.add_attendee(event, name=BAD_NAME)
    attendee = services.add_attendee(event, name="Ada", email="ADA@example.com\u200b")

    assert refusal.value.message_dict == {
        "name": ["The name must be one line, without line breaks."]
    }
    assert attendee.email == "ada@example.com"


@pytest.mark.django_db
def test_field_case_join_post_newline_name_is_refused_at_entry(client, fresh_cache):
    event = EventFactory(check_in=True)
    request = (CASES / "join-post-newline-name.txt").read_text().splitlines()[1]
    data = {key: values[0] for key, values in parse_qs(request).items()}

    response = client.post(reverse("join", args=[event.join_code]), data)

    assert data["name"] == "Mallory\nBcc: list@example.net"
    assert response.status_code == 200
    assert "The name must be one line, without line breaks." in response.text
    assert not Attendee.objects.exists()


@pytest.mark.django_db
def test_join_with_a_zero_width_space_is_the_same_person_as_without(client, fresh_cache):
    event = EventFactory(check_in=True)
    services.add_attendee(event, name="Lin Qiao", email="lin.qiao@example.cn")

    response = client.post(
        reverse("join", args=[event.join_code]),
        {"name": "Lin Qiao", "email": "lin.qiao@example.cn\u200b"},
    )

    assert response.status_code == 200
    assert "This email is already registered for this event." in response.text
    assert event.attendees.count() == 1


@pytest.mark.django_db
def test_organizer_add_view_stores_the_cleaned_identity(client):
    event = EventFactory()
    client.force_login(event.organizer)

    client.post(
        reverse("attendee_add", args=[event.pk]),
        {"name": "\ufeffAda  Kim", "email": " ADA@例子.中国 ", "company": "-"},
    )

    assert list(event.attendees.values_list("name", "email", "company")) == [
        ("Ada Kim", "ada@xn--fsqu00a.xn--fiqs8s", "")
    ]


@pytest.mark.django_db
def test_join_claims_the_record_of_someone_imported_without_email(client, fresh_cache):
    event = EventFactory(check_in=True)
    services.import_attendees(
        event, data=b"Name,RSVP,User ID,Event Link\nAda Kim,Yes,101,https://x\n", by=None
    )

    response = client.post(
        reverse("join", args=[event.join_code]),
        {"name": "ada  kim", "email": "ADA@example.kr", "company": "Kim Studio"},
    )

    ada = event.attendees.get()
    assert response.status_code == 302
    assert (ada.name, ada.email, ada.company, ada.is_checked_in) == (
        "Ada Kim",
        "ada@example.kr",
        "Kim Studio",
        True,
    )
    # The join form asked; leaving the box unticked is the attendee's own "no".
    assert (ada.is_consenting_to_share, ada.has_decided_consent) == (False, True)


@pytest.mark.django_db
def test_join_never_claims_a_record_with_an_email_or_already_checked_in():
    event = EventFactory(check_in=True)
    AttendeeFactory(event=event, name="Ada Kim", email="ada@example.kr")
    here = AttendeeFactory(event=event, name="Bo Lund", email="", checked_in_at=timezone.now())

    services.join_event(event, name="Ada Kim")
    services.join_event(event, name="Bo Lund")

    assert event.attendees.filter(name="Ada Kim").count() == 2
    assert event.attendees.filter(name="Bo Lund").count() == 2
    assert here.token in event.attendees.values_list("token", flat=True)


@pytest.mark.django_db
def test_join_with_two_imported_namesakes_claims_neither():
    event = EventFactory(check_in=True)
    AttendeeFactory.create_batch(2, event=event, name="Ada Kim", email="")

    services.join_event(event, name="Ada Kim")

    assert event.attendees.filter(name="Ada Kim").count() == 3


@pytest.mark.parametrize(
    "value",
    ["#N/A", "N / A", "n. a.", "(跳过)", "（空）", "No company", "#VALUE!", "#REF!", "#NAME?",
     "#DIV/0!", "---", "Skipped"],
)  # fmt: skip
def test_clean_company_empties_placeholders_however_punctuated(value):
    assert hygiene.clean_company(value) == ""


@pytest.mark.parametrize(
    ("value", "is_company"),
    [("Freelancer (design)", False), ("Freelance designer", False), ("自由职业（设计）", False),
     ("Acme (Beijing)", True), ("Value Partners", True), ("NA Corp", True), ("Nanjing", True)],
)  # fmt: skip
def test_is_company_of_described_self_employment(value, is_company):
    assert hygiene.is_company(value) is is_company


@pytest.mark.parametrize(
    ("value", "email"),
    [("ｚｈａｎｇｗｅｉ@example.cn", "zhangwei@example.cn"),
     ("lina＠example.cn", "lina@example.cn"),
     ("lina@example.cn。", "lina@example.cn"),
     ("lina@example。cn", "lina@example.cn")],
)  # fmt: skip
def test_clean_email_of_an_address_typed_with_an_input_method(value, email):
    assert hygiene.clean_email(value) == email


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("  Li  Wei ", "Li Wei"),
        ("li\x00", "li"),
        ("\u202eli\u200bu\x07", "liu"),
        ("li\tu\nx", "li u x"),
        ("%_.*\\", "%_.*\\"),  # a search looks for these characters as typed
        (None, ""),
        ("李伟" * 60, "李伟" * 50),
    ],
)
def test_clean_search_drops_what_cannot_be_seen_and_cuts(typed, searched):
    assert hygiene.clean_search(typed, max_length=100) == searched


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Zhu Bajie <zhubajie@example.cn>", "zhubajie@example.cn"),
        ('"Lee, Ann" <Ann@Example.com>', "ann@example.com"),
        ("猪八戒 <ZhuBajie@example.cn>", "zhubajie@example.cn"),
        ("Zhu Bajie＜zhubajie＠example.cn＞", "zhubajie@example.cn"),
        ("<ann@example.com>", "ann@example.com"),
    ],
)
def test_clean_email_takes_the_address_inside_angle_brackets(value, expected):
    assert hygiene.clean_email(value) == expected


@pytest.mark.parametrize(
    "value", ["Zhu Bajie <zhubajie at example.cn>", "Zhu <zhu@example.cn> and <b@example.cn>"]
)
def test_clean_email_refusal_quotes_the_whole_value(value):
    with pytest.raises(ValidationError) as refusal:
        hygiene.clean_email(value)

    assert refusal.value.messages[0].startswith(f"“{value}”")


# Full-width Latin (typed with a Chinese or Japanese input method) is ASCII; Chinese stays.


def test_clean_name_company_and_job_title_fold_full_width_latin_and_keep_chinese():
    names = ["Ｊｏｈｎ　Ｄｏｅ", "Ａｎｎ Ｌｅｅ", "王小明", "欧阳　娜", "Ｊ．Ｄｏｅ", "①号 ㈱ ｱｲ"]
    companies = [
        "ＡＣＭＥ　Ｌｔｄ",
        "ＡＣＭＥ（Ｃｈｉｎａ）",
        "ＡＣＭＥ（中国）",
        "北京（中关村）科技",
        "北京(中关村)科技",
        "甲乙，丙丁",
        "Ｎ／Ａ",
    ]

    assert [hygiene.clean_name(n) for n in names] == [
        "John Doe",
        "Ann Lee",
        "王小明",
        "欧阳 娜",
        "J.Doe",
        "①号 ㈱ ｱｲ",  # not NFKC: only the full-width ASCII forms change
    ]
    assert [hygiene.clean_company(c) for c in companies] == [
        "ACME Ltd",
        "ACME(China)",
        "ACME（中国）",
        "北京（中关村）科技",
        "北京(中关村)科技",
        "甲乙，丙丁",
        "",
    ]
    assert hygiene.clean_job_title("ＣＥＯ／ＣＴＯ") == "CEO/CTO"


def test_full_width_and_ascii_spellings_of_one_company_are_colleagues():
    parsed = csv_import.parse(
        "姓名,邮箱,公司\n"
        "王一,w1@example.cn,北京（中关村）科技\n"
        "王二,w2@example.cn,北京(中关村)科技\n"
        "Bob Ray,bob@example.com,ＡＣＭＥ　Ｌｔｄ\n"
        "Ann Lee,ann@example.com,ACME Ltd\n".encode()
    )

    assert [r.company for r in parsed.rows] == [
        "北京（中关村）科技",
        "北京(中关村)科技",
        "ACME Ltd",
        "ACME Ltd",
    ]
    assert company_pairs([(r.line, r.company) for r in parsed.rows]) == [(2, 3), (4, 5)]


def test_import_full_width_repeat_of_a_person_is_the_same_person():
    parsed = csv_import.parse(
        "Name,Email,Company\n"
        "Ann Lee,ann@example.com,ACME\n"
        "Ａｎｎ Ｌｅｅ,ａｎｎ＠ｅｘａｍｐｌｅ．ｃｏｍ,ＡＣＭＥ\n".encode()
    )

    assert [(r.name, r.email) for r in parsed.rows] == [("Ann Lee", "ann@example.com")]
    assert parsed.notes == ["Line 3: the same person as line 2; left out."]


def test_keep_apart_reference_in_full_width_letters_names_the_person():
    parsed = csv_import.parse(
        "Name,Email,Keep apart from\n"
        "Rui Lima,rui@example.pt,\n"
        "Fw Test,fw@example.org,ｒｕｉ＠ｅｘａｍｐｌｅ．ｐｔ；Ａｎａ　Ｌｉｍａ\n".encode()
    )

    assert parsed.rows[1].keep_apart == ["rui@example.pt", "ana lima"]


@pytest.mark.django_db
def test_join_form_stores_a_full_width_name_in_ascii(client, fresh_cache):
    event = EventFactory(check_in=True)

    client.post(
        reverse("join", args=[event.join_code]),
        {
            "name": "Ｊｏｈｎ　Ｄｏｅ",
            "email": "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ",
            "company": "ＡＣＭＥ",
        },
    )

    attendee = Attendee.objects.get()
    assert (attendee.name, attendee.email, attendee.company) == (
        "John Doe",
        "john@example.com",
        "ACME",
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ask me", "“ask me” is not an email address."),
        ("wechat: abc123", "“wechat: abc123” is not an email address."),
        ("not an email", "“not an email” is not an email address."),
        (
            "ann@localhost",
            "“ann@localhost” cannot be mailed: “localhost” has no dot, so it is not a domain on "
            "the internet.",
        ),
        (
            "ann@Example.",
            "“ann@Example.” cannot be mailed: “example” has no dot, so it is not a domain on "
            "the internet.",
        ),
    ],
)
def test_clean_email_says_what_is_wrong_with_no_address_or_a_domain_without_a_dot(typed, message):
    with pytest.raises(ValidationError) as refusal:
        hygiene.clean_email(typed)

    assert refusal.value.messages == [message]


@pytest.mark.parametrize("company", ["X", "x", "Q", "Ｘ"])
def test_clean_company_keeps_a_single_letter_company(company):
    assert hygiene.clean_company(company) == hygiene.fold_width(company)
    assert hygiene.is_company(company)
    assert hygiene.company_key(company) == hygiene.fold_width(company).casefold()


@pytest.mark.parametrize("placeholder", ["xx", "xxx", "0", "-", "无"])
def test_clean_company_still_blanks_placeholders_beside_single_letters(placeholder):
    assert hygiene.clean_company(placeholder) == ""
