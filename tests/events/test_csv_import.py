"""Reading attendee lists: every field case, every platform's headers, encodings × separators,
Excel workbooks, ragged rows, re-imports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from events import csv_import, hygiene, services, tabular
from events.models import Attendee, PairRule
from tests.factories import AttendeeFactory, EventFactory

CASES = Path(__file__).parent / "field_cases"
GOOD = b"Name,Email,Company,Job Title\nLi Wei,li@example.com,Harbor,Founder\nAna Costa,,Costa,\n"
EVENTBRITE = (
    "\ufeffOrder #,Order Date,First Name,Last Name,Email,Quantity,Ticket Type,Attendee #,"
    "Attendee Status,Cell Phone,Job Title,Company\n"
    "1001,2026-11-01,Li,Wei,LI@example.com,3,General,1,Attending,+1 555 0100,Founder,Harbor\n"
    "1001,2026-11-01,Ana,Costa,LI@example.com,3,General,2,Attending,,CTO,Harbor\n"
    "1001,2026-11-01,Li,Wei,li@example.com,3,General,3,Attending,,Founder,Harbor\n"
    "1002,2026-11-02,Bo,Lund,bo@example.se,1,General,4,Refunded,,,Lund AB\n"
    "1003,2026-11-02,Eve,Ruiz,eve@example.es,1,General,5,Checked In,,,Ruiz SL\n"
).encode()
MIXED = (
    b"name,email\n"
    b"Li Wei,li@example.com\n"
    b",nobody@example.com\n"
    b"Ana,not-an-email\n"
    b"Kwame,kwame@example.com\n"
)


def case(name: str) -> bytes:
    return (CASES / name).read_bytes()


def rows_of(data: bytes, **kwargs) -> list[tuple]:
    parsed = csv_import.parse(data, **kwargs)
    assert parsed.errors == []
    return [(r.name, r.email, r.company) for r in parsed.rows]


def test_parse_reads_a_plain_file():
    parsed = csv_import.parse(GOOD)

    assert parsed.errors == []
    assert [(r.line, r.name, r.email, r.company, r.job_title) for r in parsed.rows] == [
        (2, "Li Wei", "li@example.com", "Harbor", "Founder"),
        (3, "Ana Costa", "", "Costa", ""),
    ]
    assert parsed.described == "UTF-8, separated by commas"


def test_parse_reports_every_bad_row_by_line_number():
    parsed = csv_import.parse(MIXED)

    assert parsed.errors == [
        "Line 3: the name is missing.",
        "Line 4: “not-an-email” is not an email address.",
    ]


def test_parse_semicolons_and_a_manual_mapping():
    data = b"Wer;Mail\nLi Wei;li@example.com\n"

    parsed = csv_import.parse(data, mapping={"name": 0, "email": 1})

    assert [(r.name, r.email) for r in parsed.rows] == [("Li Wei", "li@example.com")]


def test_parse_without_a_name_column_asks_for_it_and_keeps_every_column_choosable():
    parsed = csv_import.parse(b"Wer,Mail\nLi Wei,li@example.com\n")

    assert parsed.errors == [
        "No column holds the names: choose it below (or the first and last name)."
    ]
    assert parsed.headers == ["Wer", "Mail"]
    assert parsed.mapping["email"] == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), "old Excel file"),
        (b"%PDF-1.7\n", "This is a PDF"),
        (b"PK\x03\x04not really a workbook", "This Excel file cannot be opened"),
    ],
)
def test_parse_refuses_unreadable_files_with_the_reason(data, message):
    with pytest.raises(ValidationError, match=message):
        csv_import.parse(data)


def test_parse_refuses_a_file_over_the_size_limit():
    with pytest.raises(ValidationError, match="larger than 10 MB"):
        csv_import.parse(b"name\n" + b"x" * csv_import.MAX_BYTES)


# The field cases (tests/events/field_cases/README.md).


def test_field_case_gbk_excel_zh_imports_names_and_companies_intact():
    parsed = csv_import.parse(case("gbk-excel-zh.csv"))

    assert parsed.errors == []
    assert parsed.described == "GB18030 (GBK), separated by commas"
    assert [(r.name, r.email, r.company, r.job_title, r.phone) for r in parsed.rows] == [
        ("张伟", "zhangwei@example.cn", "北京星河科技", "产品经理", "13800000001"),
        ("李娜", "lina@example.cn", "朝阳咨询", "合伙人", "13800000002"),
    ]


def test_field_case_utf16_unicode_text_imports():
    parsed = csv_import.parse(case("utf16-unicode-text.txt"))

    assert parsed.errors == []
    assert parsed.described == "UTF-16 LE, separated by tabs"
    assert [(r.name, r.company, r.phone) for r in parsed.rows] == [
        ("张伟", "北京星河科技", "13800000001"),
        ("李娜", "朝阳咨询", "13800000002"),
    ]


def test_field_case_excel_sep_line_sets_the_separator_and_is_skipped():
    parsed = csv_import.parse(case("excel-sep-line.csv"))

    assert parsed.errors == []
    assert parsed.headers == ["Name", "Email", "Company", "Job title"]
    assert [(r.line, r.name, r.company, r.job_title) for r in parsed.rows] == [
        (3, "Marie Dupont", "Atelier Nord", "Gérante"),
        (4, "Lukas Berger", "Berger & Söhne", "Inhaber"),
    ]


def test_field_case_semicolon_trailing_separator_ignores_the_empty_last_column():
    parsed = csv_import.parse(case("semicolon-trailing-sep.csv"))

    assert parsed.errors == []
    assert parsed.described == "UTF-8, separated by semicolons"
    assert [(r.name, r.email, r.company, r.job_title) for r in parsed.rows] == [
        ("Marie Dupont", "marie.dupont@example.fr", "Atelier Nord", "Gérante"),
        ("Lukas Berger", "lukas.berger@example.de", "Berger GmbH", "Inhaber"),
        ("Anna Rossi", "anna.rossi@example.it", "Rossi SpA", "Avvocata"),
    ]


def test_field_case_tito_imports_the_ticket_holder_not_the_buyer():
    parsed = csv_import.parse(case("tito-style-export.csv"))

    assert parsed.errors == []
    assert parsed.platform == "ti.to"
    assert [(r.name, r.email, r.company, r.given_name, r.family_name) for r in parsed.rows] == [
        ("Priya Raman", "priya.raman@example.in", "Kite Labs", "Priya", "Raman"),
        ("Tomás Ortega", "t.ortega@example.es", "Ortega Foods", "Tomás", "Ortega"),
    ]


def test_field_case_consent_values_are_recognised_as_suggestions():
    parsed = csv_import.parse(case("consent-values.csv"))

    assert parsed.errors == []
    assert parsed.notes == []
    assert parsed.mapping["consent"] == 3
    assert [(r.name, r.is_consent_suggested) for r in parsed.rows] == [
        ("Ada Kim", True),
        ("Bo Lund", False),
        ("Chen Yu", True),
        ("Dev Rao", True),
        ("Eva Ruiz", True),
    ]


@pytest.mark.django_db
def test_field_case_consent_values_never_share_before_the_attendee_confirms():
    event = EventFactory()

    services.import_attendees(event, data=case("consent-values.csv"), by=None)

    assert list(
        event.attendees.order_by("name").values_list(
            "name", "is_consent_suggested", "is_consenting_to_share"
        )
    ) == [
        ("Ada Kim", True, False),
        ("Bo Lund", False, False),
        ("Chen Yu", True, False),
        ("Dev Rao", True, False),
        ("Eva Ruiz", True, False),
    ]


@pytest.mark.django_db
def test_field_case_invisible_chars_in_email_give_one_record_per_person():
    event = EventFactory()
    services.import_attendees(event, data=case("invisible-chars-in-email.csv"), by=None)

    again = services.import_attendees(
        event,
        data=b"Name,Email\nLin Qiao,lin.qiao@example.cn\nMia Tan,MIA.TAN@example.sg\n",
        by=None,
    )

    assert sorted(event.attendees.values_list("email", flat=True)) == [
        "lin.qiao@example.cn",
        "mia.tan@example.sg",
        "sam.okoye@example.ng",
    ]
    assert (again.added, again.unchanged) == (0, 2)


def test_field_case_placeholder_companies_freelancers_are_not_colleagues():
    from rounds import seating

    parsed = csv_import.parse(case("placeholder-companies.csv"))
    people = [(row.line, row.company) for row in parsed.rows]

    pairs = seating.company_pairs(people)

    assert len(parsed.rows) == 36
    assert len(pairs) == 9  # three companies of three people, three pairs each
    assert [row.company for row in parsed.rows].count("Freelance") == 12


@pytest.mark.django_db
def test_field_case_keep_apart_couple_variants_finds_colleagues_and_keeps_the_couple_apart():
    from events import queries

    event = EventFactory()
    services.import_attendees(event, data=case("keep-apart-couple-variants.csv"), by=None)
    ana, rui = event.attendees.get(name="Ana Lima"), event.attendees.get(name="Rui Lima")

    services.set_pair_rule(
        event, first_id=rui.pk, second_id=ana.pk, kind=PairRule.Kind.KEEP_APART, by=None
    )

    groups = [sorted(a.name for a in group) for group in queries.colleague_groups(event)]
    assert groups == [["Kim Yoon", "Lee Park", "Min Cho"], ["Qian Yu", "Zhao Lei"]]
    assert queries.seating_rules(event) == ([(min(ana.pk, rui.pk), max(ana.pk, rui.pk))], [])


def test_field_case_badges_long_token_reads_every_name_whole():
    parsed = csv_import.parse(case("badges-long-token.csv"))

    assert parsed.errors == []
    assert [r.name for r in parsed.rows][:3] == [
        "Andrianampoinimerina Rakoto",
        "Wolfeschlegelsteinhausenbergerdorff",
        "jean-baptiste.dupont@example.fr",
    ]
    assert parsed.rows[5].company == "Olu & Co"


# Encodings × separators, Excel, ragged rows.

PEOPLE = {
    "latin": [("Renée Ångström", "renee@example.se", "Café Müller"), ("Ola Ñúñez", "", "Señor")],
    "chinese": [("张伟", "zhangwei@example.cn", "北京星河科技"), ("李娜", "", "朝阳咨询")],
    "traditional": [("陳大文", "chan@example.hk", "星河科技"), ("林美玲", "", "朝陽諮詢")],
    "polish": [("Łukasz Żółć", "lukasz@example.pl", "Spółka Kraków"), ("Zoë Ścisło", "", "Łódź")],
    "japanese": [("山田太郎", "yamada@example.jp", "株式会社テスト"), ("佐藤花子", "", "サクラ")],
}
ENCODINGS = [
    ("utf-8", "chinese"),
    ("utf-8-sig", "latin"),
    ("utf-16", "chinese"),
    ("utf-16-le", "latin"),
    ("utf-16-be", "chinese"),
    ("gb18030", "chinese"),
    ("big5", "traditional"),
    ("cp932", "japanese"),
    ("cp1252", "latin"),
    ("cp1250", "polish"),
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize(("encoding", "script"), ENCODINGS)
def test_parse_reads_every_encoding_with_every_separator(encoding, script, delimiter):
    people = PEOPLE[script]
    lines = [delimiter.join(["Name", "Email", "Company"])] + [
        delimiter.join(person) for person in people
    ]
    data = "\r\n".join(lines).encode(encoding)

    assert rows_of(data) == people


def test_parse_reads_quoted_cells_holding_the_separator():
    data = b'Name;Email;Company\n"Kim; Ada";ada@example.kr;"Kim; Sons"\n'

    assert rows_of(data) == [("Kim; Ada", "ada@example.kr", "Kim; Sons")]


def test_parse_tolerates_short_rows_and_reports_extra_values_by_line():
    data = (
        b"Name,Email,Company\nLi Wei,li@example.com\n"
        b"Ana,ana@example.com,Costa,,\nBo,b@example.se,Lund,Extra\n"
    )

    parsed = csv_import.parse(data)

    assert [(r.name, r.company) for r in parsed.rows] == [
        ("Li Wei", ""),
        ("Ana", "Costa"),
        ("Bo", "Lund"),
    ]
    assert parsed.errors == [
        "Line 4: 4 values for 3 columns; a value may hold the separator without quotes."
    ]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_parse_reads_an_excel_workbook():
    data = workbook(
        [
            ["姓名", "邮箱", "公司", "手机"],
            ["张伟", "zhangwei@example.cn", "北京星河科技", 8613800000001],
            [None, None, None, None],
            ["Ana Costa", "ana@example.com", None, "+351 912 345 678"],
        ]
    )

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    assert parsed.described == "Excel workbook, first sheet"
    assert [(r.line, r.name, r.email, r.company, r.phone) for r in parsed.rows] == [
        (2, "张伟", "zhangwei@example.cn", "北京星河科技", "8613800000001"),
        (4, "Ana Costa", "ana@example.com", "", "+351 912 345 678"),
    ]


# Platforms, with their headers as exported (people invented).


def test_parse_eventbrite_one_order_several_attendees_and_refunds_left_out():
    parsed = csv_import.parse(EVENTBRITE)

    assert parsed.platform == "Eventbrite"
    assert parsed.errors == []
    assert [(r.line, r.name, r.email, r.phone, r.job_title) for r in parsed.rows] == [
        (2, "Li Wei", "li@example.com", "+1 555 0100", "Founder"),
        (3, "Ana Costa", "", "", "CTO"),
        (6, "Eve Ruiz", "eve@example.es", "", ""),
    ]
    assert parsed.notes == [
        "Line 3: li@example.com is also the email of line 2 (one order for several people): "
        "imported without an email.",
        "Line 4: the same person as line 2; left out.",
        "Line 5: status “Refunded”; left out.",
    ]
    assert parsed.skipped == 2


def test_parse_luma_snake_case_approval_status_and_custom_questions():
    data = (
        "\ufeffapi_id,name,first_name,last_name,email,phone_number,created_at,approval_status,"
        "checked_in_at,What company are you with?,What are you looking for?\n"
        "gst-1,Ada Kim,Ada,Kim,ada@example.kr,,2026-11-01T10:00:00Z,approved,,Kim Studio,"
        "Investors\n"
        "gst-2,Bo Lund,Bo,Lund,bo@example.se,,2026-11-01T10:00:00Z,declined,,Lund AB,\n"
        "gst-3,Cy Diaz,Cy,Diaz,cy@example.mx,,2026-11-01T10:00:00Z,waitlist,,,\n"
    ).encode()

    parsed = csv_import.parse(data)

    assert parsed.platform == "Luma"
    assert [(r.name, r.email, r.company) for r in parsed.rows] == [
        ("Ada Kim", "ada@example.kr", "Kim Studio")
    ]
    assert parsed.skipped == 2


def test_parse_meetup_without_emails_and_no_rsvps_left_out():
    data = (
        b"Name,User ID,Title,Event Link,RSVP,Guests,RSVPed on,Joined Group on\n"
        b"Ada Kim,101,,https://meetup.example/e/1,Yes,0,2026-11-01,2025-01-01\n"
        b"Bo Lund,102,,https://meetup.example/e/1,No,0,2026-11-01,2025-01-01\n"
        b"Cy Diaz,103,,https://meetup.example/e/1,Waitlist,0,2026-11-01,2025-01-01\n"
    )

    parsed = csv_import.parse(data)

    assert parsed.platform == "Meetup"
    assert [(r.name, r.email) for r in parsed.rows] == [("Ada Kim", "")]
    assert parsed.skipped == 2


def test_parse_pretix_attendee_name_parts():
    data = (
        b"Order code,Position ID,Status,Email,Product,Attendee name,"
        b"Attendee name: Given name,Attendee name: Family name,Attendee email,Company\n"
        b"ABC12,1,paid,buyer@example.de,Ticket,,Lina,Berg,lina@example.de,Berg GmbH\n"
        b"ABC13,1,canceled,x@example.de,Ticket,,Max,Kurz,max@example.de,\n"
    )

    parsed = csv_import.parse(data)

    assert parsed.platform == "pretix"
    assert [(r.name, r.email, r.company) for r in parsed.rows] == [
        ("Lina Berg", "lina@example.de", "Berg GmbH")
    ]


def test_parse_google_forms_questions():
    data = (
        b"Timestamp,Email Address,Your name,Company / Organisation,Job title,"
        b"Share my contact details with people I meet\n"
        b"2026/11/01 10:00:00,ada@example.kr,Ada Kim,Kim Studio,Designer,Yes\n"
    )

    parsed = csv_import.parse(data)

    assert parsed.platform == "Google Forms"
    [row] = parsed.rows
    assert (row.name, row.email, row.company, row.job_title, row.is_consent_suggested) == (
        "Ada Kim",
        "ada@example.kr",
        "Kim Studio",
        "Designer",
        True,
    )


def test_parse_microsoft_forms_anonymous_responder():
    data = (
        b"ID,Start time,Completion time,Email,Name,Full name,Company\n"
        b"1,11/1/26 10:00:00,11/1/26 10:02:00,anonymous,,Ada Kim,Kim Studio\n"
    )

    parsed = csv_import.parse(data)

    assert parsed.platform == "Microsoft Forms"
    assert [(r.name, r.email, r.company) for r in parsed.rows] == [("Ada Kim", "", "Kim Studio")]


def test_parse_chinese_family_and_given_name_columns_join_family_first():
    data = (
        "姓,名,邮箱,单位\n李,娜,lina@example.cn,朝阳咨询\nSmith,Anna,anna@example.com,Acme\n"
    ).encode()

    parsed = csv_import.parse(data)

    assert [(r.name, r.family_name, r.given_name) for r in parsed.rows] == [
        ("李娜", "李", "娜"),
        ("Anna Smith", "Smith", "Anna"),
    ]


def test_parse_wenjuanxing_numbered_questions():
    data = (
        "序号,提交答卷时间,所用时间,来源,1、您的姓名,2、邮箱,3、公司名称,4、是否同意分享联系方式\n"
        "1,2026/11/1 10:00:00,60秒,微信,王芳,wangfang@example.cn,星河科技,同意\n"
    ).encode("gb18030")

    parsed = csv_import.parse(data)

    assert parsed.platform == "问卷星"
    [row] = parsed.rows
    assert (row.name, row.email, row.company, row.is_consent_suggested) == (
        "王芳",
        "wangfang@example.cn",
        "星河科技",
        True,
    )


@pytest.mark.parametrize(
    ("value", "answer"),
    [
        ("checked", True),
        ("Yes, I agree", True),
        ("同意", True),
        ("TRUE", True),
        ("✓", True),
        ("", False),
        ("No", False),
        ("不同意", False),
        ("unchecked", False),
        ("maybe later", None),
    ],
)
def test_consent_of_reads_the_usual_answers(value, answer):
    assert csv_import.consent_of(value) is answer


# A negation never reads as yes: no when the answer starts with it, unclear when it comes later.
CONSENT_TABLE = {
    "是": True, "Y": True, "TRUE": True, " true": True, "Yes please": True, "yes!": True,
    "Oui": True, "✅": True, "✓": True, "1": True, "Agreed": True, "yes (email only)": True,
    "Yes – share": True, "是的，同意": True, "I consent": True, "consent": True,
    "Opt-in": True, "opt in": True, "ＹＥＳ": True,
    "No thanks": False, "No, thank you": False, "Not now": False, "no": False, "N": False,
    "0": False, "FALSE": False, "Nope": False, "nah": False, "☐": False, "否": False,
    "不同意": False, "不是": False, "拒绝": False, "没有": False, "I don't agree": False,
    "I don’t consent": False, "I do not consent": False, "Declined": False, "Opt-out": False,
    "opt out": False, "unsubscribe": False, "": False,
    "同意不分享": None, "是否": None, "Y/N": None, "Yes, but not my phone": None,
    "I consent, but not by phone": None, "好，不过不要电话": None, "maybe later": None,
    "jamais": None,
}  # fmt: skip


def test_consent_of_lets_negations_win_and_reads_the_common_yes_forms():
    assert {value: csv_import.consent_of(value) for value in CONSENT_TABLE} == CONSENT_TABLE


@pytest.mark.parametrize(
    ("value", "answer"),
    [
        ("No objection", True), ("No objections", True), ("No problem", True),
        ("Not a problem", True), ("I don't mind", True), ("Don't mind", True),
        ("Why not", True), ("没问题", True), ("不介意", True), ("不反对", True),
        ("无异议", True), ("没意见", True), ("无所谓", True),
        # spellings beyond the list's own
        ("NO OBJECTION!", True), ("no objection.", True), ("Ｎｏ ｏｂｊｅｃｔｉｏｎ", True),
        ("No-problem", True), ("I don’t mind!", True), ("Why not?", True), ("没问题！", True),
        ("没问题。", True), ("我不介意", True), ("不介意的", True), ("No problem at all", True),
        ("Sure, why not", True), ("Yes, no problem", True), ("可以，没问题", True),
        # a restriction or refusal beside one is unclear, never yes
        ("No objection, but not my phone", None), ("没问题，但不要电话", None),
        ("No problem, but email only", None), ("I don't mind not sharing", None),
        # the negations stay as they were
        ("No, I object", False), ("I do not agree", False), ("不同意", False),
        ("同意不分享", None), ("Yes, but not my phone", None),
    ],
)  # fmt: skip
def test_consent_of_reads_a_double_negative_as_yes_and_a_restricted_one_as_unclear(value, answer):
    assert csv_import.consent_of(value) is answer


@pytest.mark.parametrize(
    ("value", "answer"),
    [
        # the tick of Chinese spreadsheets, and a tick box's number as Excel writes it
        ("√", True), (" √ ", True), ("1.0", True), ("1.00", True), ("0.0", False),
        ("10", None), ("1.5", None),
        ("我同意分享", True), ("我愿意分享", True), ("我同意不分享", None),
        # Japanese, Korean and Russian answers (their headers are read already)
        ("はい", True), ("同意します", True), ("いいえ", False), ("同意しません", None),
        ("예", True), ("네", True), ("동의함", True), ("동의합니다", True), ("아니요", False),
        ("아니오", False), ("동의하지 않음", None), ("거부", False),
        ("Да", True), ("да", True), ("Согласен", True), ("Нет", False), ("не согласен", False),
        ("×", False),
    ],
)  # fmt: skip
def test_consent_of_reads_ticks_numbers_and_answers_in_more_languages(value, answer):
    assert csv_import.consent_of(value) is answer


@pytest.mark.parametrize("header", ["Share my details?", "Share your details", "share details"])
def test_parse_takes_a_share_details_question_for_the_sharing_column(header):
    parsed = csv_import.parse(f"Name,Email,{header}\nAda,ada@x.com,√\n".encode())

    assert parsed.mapping["consent"] == 2
    assert parsed.rows[0].is_consent_suggested


def test_parse_no_objection_is_a_suggested_yes_without_a_note():
    parsed = csv_import.parse("Name,Consent\nAda,No objection\nBo,不介意\n".encode())

    assert ([r.is_consent_suggested for r in parsed.rows], parsed.notes) == ([True, True], [])


def test_parse_an_email_cell_with_two_addresses_asks_for_a_row_per_person():
    data = (
        b'Name,Email\nAda,"a@x.com, b@y.com"\nBo,a@x.com; b@y.com\nCy,a@x.com / b@y.com\n'
        b"Di,di@x.com\nEd,ed kim@x.com\n"
    )

    parsed = csv_import.parse(data)

    assert [r.email for r in parsed.rows] == ["di@x.com"]
    assert parsed.errors == [
        f"Line {line}: the email cell “{cell}” holds more than one address: each person needs "
        "their own row, with one address."
        for line, cell in (
            (2, "a@x.com, b@y.com"),
            (3, "a@x.com; b@y.com"),
            (4, "a@x.com / b@y.com"),
        )
    ] + ["Line 6: “ed kim@x.com” has spaces or hidden characters inside."]


def test_parse_agree_not_to_share_is_unclear_and_taken_as_no_with_a_note():
    parsed = csv_import.parse("Name,Consent\nAda,同意不分享\nBo,Opt-in\n".encode())

    assert [r.is_consent_suggested for r in parsed.rows] == [False, True]
    assert parsed.notes == [
        "Line 2: sharing answer “同意不分享” is neither yes nor no; taken as no."
    ]


def test_parse_takes_an_unclear_sharing_answer_as_no_with_a_note():
    parsed = csv_import.parse(b"Name,Consent\nAda,maybe later\n")

    assert parsed.errors == []
    assert parsed.rows[0].is_consent_suggested is False
    assert parsed.notes == [
        "Line 2: sharing answer “maybe later” is neither yes nor no; taken as no."
    ]


def test_parse_strips_the_formula_guard_of_a_spreadsheet_export():
    data = b"Name,Phone,Company\nAda,'+86 138 0000 0001,'=Kim\n"

    [row] = csv_import.parse(data).rows

    assert (row.phone, row.company) == ("+86 138 0000 0001", "=Kim")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # quoted by the CSV writer, as Excel saves it
        ('"=""Ada Lovelace""","=""0912345678""","=""007"""', ("Ada Lovelace", "0912345678", "007")),
        # unquoted, as exports written by hand or by scripts have it
        (
            '="Ada",="0044 7700 900123",="00123 Holdings"',
            ("Ada", "0044 7700 900123", "00123 Holdings"),
        ),
        # a quote inside the guarded text
        (
            'Ada,="+86 138 0000 0001","=""The """"Best"""" Co"""',
            ("Ada", "+86 138 0000 0001", 'The "Best" Co'),
        ),
        # a real formula joining strings is no guard: kept as written
        ('Ada,0912345678,"=""a""&""b"""', ("Ada", "0912345678", '="a"&"b"')),
    ],
)
def test_parse_unwraps_excels_text_guard_in_every_column(line, expected):
    data = f"Name,Phone,Company\n{line}\n".encode()

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    assert [(r.name, r.phone, r.company) for r in parsed.rows] == [expected]


def test_parse_keeps_an_eventbrite_cell_phone_behind_excels_text_guard():
    data = (
        b"First Name,Last Name,Email,Cell Phone\n"
        b'Alice,Moreau,alice@example.com,"=""0044 7700 900123"""\n'
    )

    [row] = csv_import.parse(data).rows

    assert (row.name, row.email, row.phone) == (
        "Alice Moreau",
        "alice@example.com",
        "0044 7700 900123",
    )


# Importing: all or nothing, re-import as an update.


@pytest.mark.django_db
def test_import_attendees_imports_all_rows():
    event = EventFactory()

    result = services.import_attendees(event, data=GOOD, by=None)

    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    assert sorted(event.attendees.values_list("name", flat=True)) == ["Ana Costa", "Li Wei"]
    assert all(len(a.token) >= 43 for a in event.attendees.all())


@pytest.mark.django_db
def test_import_attendees_with_one_bad_row_imports_nothing():
    event = EventFactory()

    with pytest.raises(ValidationError):
        services.import_attendees(event, data=MIXED, by=None)

    assert not Attendee.objects.exists()


@pytest.mark.django_db
def test_import_attendees_again_updates_changed_rows_and_adds_new_ones():
    event = EventFactory()
    services.import_attendees(event, data=GOOD, by=None)
    updated = (
        b"Name,Email,Company,Job Title\n"
        b"Li Wei,LI@example.com,Harbor Ltd,CEO\n"
        b"Ana Costa,ana@example.com,Costa,\n"
        b"Kwame Mensah,kwame@example.com,,\n"
    )

    _preview, comparison = services.preview_import(event, data=updated)
    result = services.import_attendees(event, data=updated, by=None)

    assert [(c.row.name, c.fields) for c in comparison.changes] == [
        ("Li Wei", {"company": "Harbor Ltd", "job_title": "CEO"}),
        ("Ana Costa", {"email": "ana@example.com"}),
    ]
    assert (result.added, result.updated, result.unchanged) == (1, 2, 0)
    assert event.attendees.count() == 3
    assert event.attendees.get(name="Ana Costa").email == "ana@example.com"


@pytest.mark.django_db
def test_import_attendees_never_erases_a_value_or_a_confirmed_yes():
    event = EventFactory()
    AttendeeFactory(
        event=event, name="Ada", email="ada@example.kr", phone="+82 10", is_consenting_to_share=True
    )

    result = services.import_attendees(
        event, data=b"Name,Email,Phone,Consent\nAda,ada@example.kr,,no\n", by=None
    )

    ada = event.attendees.get()
    assert (result.unchanged, ada.phone, ada.is_consenting_to_share) == (1, "+82 10", True)


@pytest.mark.django_db
def test_import_attendees_matches_by_name_and_company_without_email():
    event = EventFactory()
    AttendeeFactory(event=event, name="Ada Kim", email="", company="Kite Labs")

    result = services.import_attendees(
        event, data=b"Name,Company,Job title\nada kim,KiteLabs Ltd.,Designer\n", by=None
    )

    assert (result.added, result.updated) == (0, 1)
    assert event.attendees.get().job_title == "Designer"


@pytest.mark.django_db
def test_import_attendees_of_speednets_own_export_is_all_unchanged(client):
    from feedback import exports

    event = EventFactory()
    services.import_attendees(
        event,
        data=(
            "Name,Email,Company,Phone,Consent\n"
            "Ada Kim,ada@example.kr,=Kim Studio,+86 138 0000 0001,yes\n"
            "李娜,lina@example.cn,北京星河科技有限公司,-,no\n"
            "Olu,,Olu & Co,,\n"
        ).encode(),
        by=None,
    )
    exported = exports.to_csv(exports.attendee_rows([event.pk], "x"))

    result = services.import_attendees(event, data=exported, by=None)

    assert (result.added, result.updated, result.unchanged) == (0, 0, 3)
    assert event.attendees.get(name="Ada Kim").phone == "+86 138 0000 0001"
    assert event.attendees.get(name="Ada Kim").company == "=Kim Studio"


@pytest.mark.django_db
def test_import_attendees_refuses_two_rows_for_one_attendee():
    event = EventFactory()
    AttendeeFactory(event=event, name="Ada Kim", email="", company="")

    with pytest.raises(ValidationError) as refusal:
        services.import_attendees(event, data=b"Name\nAda Kim\nada  kim\n", by=None)

    assert refusal.value.messages == ["Line 3: ada kim is also on line 2."]


@pytest.mark.django_db
def test_import_attendees_keep_apart_column_becomes_seating_rules():
    event = EventFactory()
    AttendeeFactory(event=event, name="Rui Lima", email="rui@example.pt")
    data = (
        b"Name,Email,Keep apart from\n"
        b"Ana Lima,ana@example.pt,RUI@example.pt\n"
        b"Kim Yoon,kim@example.kr,Lee Park; ana lima\n"
        b"Lee Park,lee@example.kr,\n"
    )

    result = services.import_attendees(event, data=data, by=None)

    names = {
        tuple(sorted((r.first.name, r.second.name)))
        for r in PairRule.objects.select_related("first", "second")
    }
    assert result.pairs == 3
    assert names == {("Ana Lima", "Rui Lima"), ("Kim Yoon", "Lee Park"), ("Ana Lima", "Kim Yoon")}


@pytest.mark.parametrize(
    "header",
    [
        "Anyone you would rather not sit with?",
        "Is there anyone you'd rather not sit with?",
        "Who should you not be seated with?",
        "不想和谁同桌？",
    ],
)
@pytest.mark.django_db
def test_import_attendees_reads_a_forms_keep_apart_question_and_its_nobody_answers(header):
    event = EventFactory()
    data = (
        f"Name,Email,{header}\n"
        "Ana Lima,ana@example.pt,rui@example.pt\n"
        "Rui Lima,rui@example.pt,No\n"
        "Kim Yoon,kim@example.kr,Nobody.\n"
        "Lee Park,lee@example.kr,没有\n"
        "Bo Chen,bo@example.cn,No one\n"
    ).encode()

    parsed = csv_import.parse(data)
    result = services.import_attendees(event, data=data, by=None)

    assert parsed.mapping["keep_apart"] == 2
    assert [row.keep_apart for row in parsed.rows] == [["rui@example.pt"], [], [], [], []]
    assert (result.pairs, parsed.notes) == (1, [])


@pytest.mark.django_db
def test_import_attendees_notes_a_keep_apart_naming_nobody_and_imports_the_rest():
    event = EventFactory()
    data = b"Name,Keep apart from\nAna,Nobody Here\n"

    _parsed, comparison = services.preview_import(event, data=data)
    result = services.import_attendees(event, data=data, by=None)

    assert comparison.notes == [
        "Line 2: “Nobody Here” (keep apart from) is neither on the list nor at the event; no "
        "rule was made."
    ]
    assert (result.added, result.pairs) == (1, 0)


@pytest.mark.django_db
def test_import_attendees_of_a_2_mb_file_imports_every_row():
    event = EventFactory()
    lines = ["Name,Email,Company,Job title,Phone,Notes"]
    lines += [
        f"Person {i:05d},person{i}@example.org,Company {i % 900},Engineer,+1 555 {i:07d},"
        + "x" * 340
        for i in range(4672)
    ]
    data = "\n".join(lines).encode()
    assert 1.9e6 < len(data) < 2.1e6

    result = services.import_attendees(event, data=data, by=None)

    assert result.added == 4672
    assert event.attendees.count() == 4672


@pytest.mark.django_db
def test_import_registration_question_starts_the_attendees_pitch(client):
    event = EventFactory()
    data = (
        b"Name,Email,What are you looking for?\n"
        b'"Ada Kim",ada@example.kr,"A warehouse partner in Tianjin\r\nwith cold storage"\n'
    )

    services.import_attendees(event, data=data, by=None)
    attendee = event.attendees.get()
    page = client.get(reverse("pitch_edit", args=[attendee.token]))

    assert attendee.registration_need == "A warehouse partner in Tianjin\nwith cold storage"
    assert "A warehouse partner in Tianjin\nwith cold storage</textarea>" in page.text


def test_parse_keeps_the_first_600_characters_of_a_long_answer_with_a_note():
    answer = "Looking for a warehouse partner in Tianjin with cold storage " * 12
    data = f'Name,Looking for\nAda,"{answer}"\n'.encode()

    parsed = csv_import.parse(data)

    assert len(parsed.rows[0].registration_need) <= 600
    assert parsed.notes == [
        "Line 2: what they are looking for is 731 characters long; the first 600 are kept."
    ]


def test_parse_leaves_a_phone_that_is_no_number_empty_with_a_note():
    parsed = csv_import.parse(b"Name,Phone\nAda,WeChat only\nBo,+46 70 123 45 67\n")

    assert parsed.errors == []
    assert [r.phone for r in parsed.rows] == ["", "+46 70 123 45 67"]
    assert parsed.notes == ["Line 2: “WeChat only” is not a phone number. The phone is left empty."]


def test_parse_finds_the_header_below_a_reports_title_lines():
    data = (
        b"Registration Report\n"
        b"Topic,ID,Scheduled Time\n"
        b"Founders Night,812 3456,2026-12-01 18:30\n"
        b"\n"
        b"First Name,Last Name,Email,Organization,Approval Status\n"
        b"Ada,Kim,ada@example.kr,Kim Studio,approved\n"
        b"Bo,Lund,bo@example.se,Lund AB,denied\n"
    )

    parsed = csv_import.parse(data)

    assert parsed.headers == ["First Name", "Last Name", "Email", "Organization", "Approval Status"]
    assert [(r.line, r.name, r.company) for r in parsed.rows] == [(6, "Ada Kim", "Kim Studio")]
    assert parsed.notes == ["Line 7: status “denied”; left out."]


@pytest.mark.django_db
def test_import_attendees_of_an_export_after_an_erasure_does_not_add_the_erased_again():
    from feedback import exports, retention

    event = EventFactory()
    services.import_attendees(
        event, data=b"Name,Email\nAda Kim,ada@example.kr\nBo Lund,bo@example.se\n", by=None
    )
    retention.erase_attendee(event.attendees.get(name="Bo Lund"))
    exported = exports.to_csv(exports.attendee_rows([event.pk], "x"))

    result = services.import_attendees(event, data=exported, by=None)

    assert (result.added, result.unchanged, result.skipped) == (0, 1, 1)
    assert event.attendees.count() == 2


def test_parse_reads_a_workbook_with_a_stray_cell_far_away():
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Email"])
    sheet.append(["Ada Kim", "ada@example.kr"])
    sheet["XFD20"] = " "
    buffer = io.BytesIO()
    book.save(buffer)

    parsed = csv_import.parse(buffer.getvalue())

    assert parsed.errors == []
    assert [(r.name, r.email) for r in parsed.rows] == [("Ada Kim", "ada@example.kr")]


PROBE = CASES / "probe"


@pytest.mark.parametrize(
    ("file", "encoding", "expected"),
    [
        ("gbk-mixed-english-headers.csv", "gb18030", "王芳"),
        ("gbk-30rows-english-headers.csv", "gb18030", None),
        ("gbk-zh-headers-5rows.csv", "gb18030", "赵敏"),
        ("gbk-one-row.csv", "gb18030", "欧阳娜娜"),
        ("cp932-6.csv", "cp932", "山田太郎"),
        ("sjis.csv", "cp932", "山田太郎"),
        ("big5.csv", "big5hkscs", "陳大文"),
        ("macroman-lf.csv", "mac_roman", "Renée Côté"),
        ("excel-mac-csv-macintosh.csv", "mac_roman", "Renée Côté"),
        ("cp1252-short.csv", "cp1252", "Zoë Smith"),
        ("cp1252-accents-comma.csv", "cp1252", "Hélène Bérèt"),
    ],
)
def test_decode_short_files_read_in_their_own_encoding(file, encoding, expected):
    data = (PROBE / file).read_bytes()

    text, found = tabular.decode(data)

    assert found == encoding
    assert text == data.decode(encoding)
    if expected:
        assert expected in text


GBK_NAMES = "王芳李娜张伟刘洋陈静杨磊赵敏黄强周杰吴霞徐明孙丽马超朱琳胡军郭勇何平高峰林涛罗斌"


@pytest.mark.parametrize("seed", range(60))
def test_decode_random_short_gbk_lists_read_as_gb18030(seed):
    import random

    chooser = random.Random(seed)
    people = [
        "".join(chooser.sample(GBK_NAMES, chooser.choice((2, 3))))
        for _ in range(chooser.randint(1, 5))
    ]
    text = "Name,Email,Company\r\n" + "".join(
        f"{name},p{i}@example.cn,Co {i}\r\n" for i, name in enumerate(people)
    )

    assert tabular.decode(text.encode("gbk")) == (text, "gb18030")


def test_decode_names_the_line_of_a_utf8_file_typed_elsewhere():
    data = (
        "姓名,邮箱\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode() + b"Ren\xe9e,r@example.fr\n"
    )

    with pytest.raises(ValidationError) as refusal:
        tabular.decode(data)

    assert refusal.value.messages == [
        "The file is UTF-8 except line 4, which was typed in another encoding. Correct that "
        "line (or save the whole file again as CSV UTF-8) and upload it."
    ]


def test_decode_in_the_encoding_the_organizer_chose():
    data = "Name\nRenée\n".encode("cp1252")

    assert tabular.decode(data, "cp1250") == ("Name\nRenée\n", "cp1250")
    with pytest.raises(ValidationError):
        tabular.decode(b"Name\n\x81\x81\n", "utf_8")


def probe(name: str) -> bytes:
    return (PROBE / name).read_bytes()


def test_parse_luma_names_people_not_their_ticket_and_leaves_invited_out():
    parsed = csv_import.parse(probe("luma.csv"))

    assert parsed.errors == []
    assert [(r.line, r.name) for r in parsed.rows] == [(2, "Grace Hopper"), (6, "Ines Duarte")]
    assert parsed.notes[-1] == "Line 8: status “invited”; left out."


def test_parse_microsoft_forms_never_guesses_the_forms_empty_name_column():
    parsed = csv_import.parse(probe("msforms.csv"))

    assert parsed.errors == []
    assert parsed.headers[parsed.mapping["name"]] == "Your full name"
    assert [r.name for r in parsed.rows] == ["Aisha Khan", "Ben Carter"]


def test_guess_mapping_never_picks_an_all_empty_column():
    mapping = csv_import.guess_mapping(["Name", "Full name"], [["", ""], ["Ann", "Bo"]])

    assert mapping["name"] == 1


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            "hint-collisions.csv",
            {"name": "Your name", "email": "Work email", "company": "Where do you work?",
             "phone": "Phone number", "consent": None, "job_title": None},
        ),
        ("pretix.csv", {"job_title": None, "company": "Company"}),
        ("meetup.csv", {"job_title": None, "name": "Name"}),
    ],
)  # fmt: skip
def test_guess_mapping_matches_whole_words_and_values_that_fit(file, expected):
    parsed = csv_import.parse(probe(file))

    chosen = {
        name: parsed.headers[index] if index is not None else None
        for name, index in parsed.mapping.items()
    }
    assert {name: chosen[name] for name in expected} == expected


def test_guess_mapping_reads_a_role_question_as_the_job_title():
    mapping = csv_import.guess_mapping(["Full name", "What's your role?"], [["Ann"], ["CTO"]])

    assert mapping["job_title"] == 1


@pytest.mark.parametrize("file", ["bad-sheet-xml.xlsx", "bad-sharedstrings.xlsx"])
def test_parse_refuses_a_damaged_workbook_as_one_that_cannot_be_opened(file):
    with pytest.raises(ValidationError) as refusal:
        csv_import.parse(probe(file))

    assert refusal.value.messages == [
        "This Excel file cannot be opened. Save it again as .xlsx or as CSV."
    ]


def test_parse_counts_only_rows_with_values_in_a_workbook():
    parsed = csv_import.parse(probe("styled-far-row.xlsx"))

    assert parsed.errors == []
    assert len(parsed.rows) == 50


@pytest.mark.parametrize(
    ("file", "first", "described"),
    [
        ("mac-cr.csv", (2, "Anna Berg"), "UTF-8, separated by commas"),
        ("excel-mac-csv-macintosh.csv", (2, "Renée Côté"), "Mac Roman, separated by commas"),
        ("title-line-semicolon.csv", (4, "Ada Brun"), "UTF-8, separated by semicolons"),
        ("title-line-tab.txt", (3, None), "UTF-8, separated by tabs"),
        ("sep-quoted.csv", (3, "Ed Ray"), "UTF-8, separated by semicolons"),
    ],
)
def test_parse_line_ends_and_separator_of_the_header_row(file, first, described):
    parsed = csv_import.parse(probe(file))

    assert parsed.errors == []
    assert parsed.described == described
    assert parsed.rows[0].line == first[0]
    if first[1]:
        assert parsed.rows[0].name == first[1]


def test_parse_says_which_line_opens_a_quote_never_closed():
    with pytest.raises(ValidationError) as refusal:
        csv_import.parse(probe("unclosed-quote.csv"))

    assert refusal.value.messages == [
        'Line 2 opens a quote (") that is never closed; close it or remove it.'
    ]


def test_parse_placeholder_gaps_make_nobody_colleagues():
    parsed = csv_import.parse(probe("placeholder-gaps.csv"))

    assert parsed.errors == []
    assert {hygiene.company_key(r.company) for r in parsed.rows} == {""}


def test_parse_tito_leaves_void_and_unassigned_tickets_out_with_notes():
    parsed = csv_import.parse(probe("tito.csv"))

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["Paula Rossi"]
    assert parsed.notes == [
        "Line 3: status “void”; left out.",
        "Line 4: a ticket without the holder's name; left out.",
    ]
    assert parsed.skipped == 2


def test_parse_eventbrite_info_requested_is_no_person_and_the_buyer_keeps_her_email():
    parsed = csv_import.parse(probe("eventbrite-info-requested.csv"))

    assert parsed.errors == []
    assert [(r.line, r.name, r.email, r.company) for r in parsed.rows] == [
        (4, "Zoe Buyer", "zoe.buyer@example.com", "Acme")
    ]
    assert parsed.notes == [
        "Line 2: a ticket without the holder's name; left out.",
        "Line 3: a ticket without the holder's name; left out.",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second", "people"),
    [
        (
            "meetup.csv",
            "followup-form-after-meetup.csv",
            [("Laura Chen", "laura@example.com", "Kite Labs"),
             ("Mark Otieno", "mark@example.com", "Otieno Farms")],
        ),
        (
            "noemail-v1.csv",
            "noemail-v2.csv",
            [("Quinn Zed", "", "Beta"), ("Rae Zed", "", "Gamma")],
        ),
    ],
)  # fmt: skip
def test_import_attendees_again_never_duplicates_someone_without_an_email(first, second, people):
    event = EventFactory()
    services.import_attendees(event, data=probe(first), by=None)

    result = services.import_attendees(event, data=probe(second), by=None)

    assert result.added == 0
    found = set(event.attendees.values_list("name", "email", "company"))
    assert set(people) <= found
    assert event.attendees.filter(name__in=[p[0] for p in people]).count() == len(people)


@pytest.mark.django_db
def test_import_attendees_of_a_meetup_list_with_namesakes_again_matches_them_by_user_id():
    event = EventFactory()
    services.import_attendees(event, data=probe("meetup-samename.csv"), by=None)

    result = services.import_attendees(event, data=probe("meetup-samename.csv"), by=None)

    assert (result.added, result.updated, result.unchanged) == (0, 0, 3)
    assert sorted(event.attendees.values_list("name", "external_id")) == [
        ("Laura Chen", "123456"),
        ("Wei Zhang", "200001"),
        ("Wei Zhang", "200002"),
    ]


def test_guess_mapping_never_takes_a_repeated_id_for_the_attendee_id():
    mapping = csv_import.guess_mapping(["Name", "Ticket ID"], [["Ann", "Bo"], ["7", "7"]])

    assert mapping["external_id"] is None


@pytest.mark.django_db
def test_import_attendees_reports_tickets_cancelled_since_and_people_not_in_the_file():
    event = EventFactory()
    services.import_attendees(event, data=probe("eventbrite.csv"), by=None)
    AttendeeFactory(event=event, name="Eve Ray", email="eve.ray@example.com")

    _parsed, comparison = services.preview_import(
        event, data=probe("eventbrite-v3-frank-refunded.csv")
    )

    assert comparison.errors == []
    assert (
        "Line 6: Frank Li is already at the event but their ticket is now “Refunded”; they "
        "stay until you choose “Remove from the event” on the attendees page."
    ) in comparison.notes
    assert comparison.notes[-1] == (
        "Already at the event but not in this file (they stay): Eve Park, Eve Ray."
    )
    services.import_attendees(event, data=probe("eventbrite-v3-frank-refunded.csv"), by=None)
    assert event.attendees.filter(name__in=["Frank Li", "Eve Ray"]).count() == 2


@pytest.mark.django_db
def test_import_attendees_keep_apart_problems_are_notes_by_line_with_the_name_as_written():
    event = EventFactory()
    AttendeeFactory(event=event, name="Wei Zhang", email="w1@example.com")
    AttendeeFactory(event=event, name="Wei Zhang", email="w2@example.com")

    _p, cancelled = services.preview_import(event, data=probe("keep-apart-cancelled.csv"))
    _p, ambiguous = services.preview_import(event, data=probe("keep-apart-ambiguous.csv"))
    _p, several = services.preview_import(event, data=probe("keep-apart.csv"))

    assert (cancelled.errors, ambiguous.errors, several.errors) == ([], [], [])
    assert (
        "Line 2: “xena@example.com” (keep apart from) is left out of this import; no rule was made."
    ) in cancelled.notes
    assert (
        "Line 2: “Wei Zhang” (keep apart from) names 2 people; write their email instead. No "
        "rule was made."
    ) in ambiguous.notes
    assert ambiguous.keep_apart == []
    assert (
        "Line 5: “Someone Not Here” (keep apart from) is neither on the list nor at the event; "
        "no rule was made."
    ) in several.notes
    assert several.pair_count == 3
    result = services.import_attendees(event, data=probe("keep-apart.csv"), by=None)
    assert result.pairs == 3
    assert PairRule.objects.filter(event=event).count() == 3


@pytest.mark.django_db
def test_import_view_counts_keep_apart_pairs_in_the_dry_run_and_the_message(client):
    from tests.factories import UserFactory

    user = UserFactory()
    event = EventFactory(organizer=user)
    client.force_login(user)
    url = reverse("attendee_import", args=[event.pk])
    file = io.BytesIO(probe("keep-apart.csv"))
    file.name = "keep-apart.csv"

    preview = client.post(url, {"file": file})
    from tests.events.test_import_views import previewed

    done = client.post(url, {**previewed(preview), "step": "import"}, follow=True)

    assert "3 pairs to keep apart" in preview.text
    assert "6 added, 0 updated, 0 unchanged, 0 left out, 3 new pairs to keep apart." in done.text


def test_parse_full_width_emails_typed_with_an_input_method():
    parsed = csv_import.parse(probe("fullwidth-emails.csv"))

    assert parsed.errors == []
    assert [r.email for r in parsed.rows] == ["zhangwei@example.cn", "lina@example.cn"]


def test_parse_traditional_chinese_headers():
    parsed = csv_import.parse(probe("big5.csv"))

    assert parsed.errors == []
    first = parsed.rows[0]
    assert (first.name, first.email, first.company) == (
        "陳大文",
        "chan@example.hk",
        "香港科技有限公司",
    )
    mapping = csv_import.guess_mapping(["姓名", "電子郵件", "公司", "職稱", "電話"])
    assert [mapping[f] for f in ("name", "email", "company", "job_title", "phone")] == [
        0, 1, 2, 3, 4
    ]  # fmt: skip


def test_parse_a_header_without_attendees_says_so():
    parsed = csv_import.parse(probe("header-only.csv"))

    assert parsed.errors == ["The file has column names but no attendees below them."]


def test_comparison_grouped_notes_join_what_many_lines_share():
    comparison = csv_import.Comparison(
        notes=[f"Line {n}: status “Refunded”; left out." for n in range(2, 9)]
        + ["Line 9: the same person as line 2; left out.", "Not in this file: Eve."]
    )

    assert comparison.grouped_notes == [
        "Lines 2, 3, 4, 5, 6 and 2 more: status “Refunded”; left out.",
        "Line 9: the same person as line 2; left out.",
        "Not in this file: Eve.",
    ]


def test_comparison_grouped_notes_show_at_most_a_hundred():
    comparison = csv_import.Comparison(notes=[f"Note {n}." for n in range(500)])

    assert len(comparison.grouped_notes) == 100


def test_parse_a_file_without_column_names_keeps_its_first_person():
    parsed = csv_import.parse(probe("no-header.csv"))

    assert parsed.errors == []
    assert [(r.line, r.name, r.email) for r in parsed.rows] == [
        (1, "Jane Doe", "jane@example.com"),
        (2, "John Roe", "john@example.com"),
    ]
    assert parsed.headers == ["Column 1", "Column 2", "Column 3"]
    assert parsed.notes[0].startswith("The first line holds an email")


def test_parse_a_one_column_list_keeps_family_comma_given_names_whole():
    parsed = csv_import.parse(probe("names-only.csv"))

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["Doe, Jane", "Roe, John"]


@pytest.mark.parametrize("file", ["hidden-first-sheet.xlsx", "summary-first-sheet.xlsx"])
def test_parse_reads_the_workbooks_attendee_sheet_not_a_hidden_or_summary_one(file):
    parsed = csv_import.parse(probe(file))

    assert parsed.errors == []
    assert [(r.name, r.email) for r in parsed.rows] == [("Ola Nordmann", "ola@example.no")]
    assert parsed.described == "Excel workbook, sheet “Attendees”"


def test_parse_wenjuanxing_skipped_question_is_blank():
    parsed = csv_import.parse(probe("wjx-skipped-question.csv"))

    assert parsed.errors == []
    assert [(r.name, r.email, r.company) for r in parsed.rows] == [
        ("林一", "linyi@example.cn", "甲公司"),
        ("林二", "liner@example.cn", "乙公司"),
        ("林三", "", "丙公司"),
    ]


@pytest.mark.parametrize(
    "marker", ["(跳过)", "（跳过）", "(空)", "跳过", "N/A", "n/a", "-", "—", "null", "None", "无"]
)
def test_parse_no_answer_markers_are_blank_in_every_column(marker):
    data = (
        "姓名,邮箱,公司,职位,手机,需求,是否同意分享联系方式,参会者编号\n"
        f"林一,{marker},{marker},{marker},{marker},{marker},{marker},{marker}\n"
        "林二,liner@example.cn,乙公司,经理,13900000002,找投资,同意,A2\n"
    ).encode("gb18030")

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    # blank, and said by line where a company or a job title would be
    assert parsed.notes == [
        f"Line 2: the company “{marker}” says there is none; left empty.",
        f"Line 2: the job title “{marker}” says there is none; left empty.",
    ]
    first = parsed.rows[0]
    assert (first.name, first.email, first.company, first.job_title, first.phone) == (
        "林一",
        "",
        "",
        "",
        "",
    )
    assert (first.registration_need, first.is_consent_suggested, first.external_id) == (
        "",
        False,
        "",
    )


@pytest.mark.parametrize("value", ["none", "暂无", "No email", "xxx", "(not answered)"])
def test_parse_placeholder_in_the_email_column_is_no_email(value):
    parsed = csv_import.parse(f"Name,Email\nLi Wei,{value}\nAna,ana@example.com\n".encode())

    assert parsed.errors == []
    assert [(r.name, r.email) for r in parsed.rows] == [("Li Wei", ""), ("Ana", "ana@example.com")]


@pytest.mark.django_db
def test_import_refuses_by_line_an_email_cell_that_holds_no_address_and_imports_nothing():
    event = EventFactory()
    data = (
        b"Name,Email\n"
        b"Good One,g1@example.org\n"
        b"Bad E,ann@localhost\n"
        b"Bad O,ask me\n"
        b"Bad P,wechat: abc123\n"
        b"Bad Q,not an email\n"
        b"Li Wei,No email\n"
        b"Good Two,g2@example.org\n"
        b"Good Three,g3@example.org\n"
        b"Good Four,g4@example.org\n"
    )

    with pytest.raises(ValidationError) as refusal:
        services.import_attendees(event, data=data, by=None)

    assert refusal.value.messages == [
        "Line 3: “ann@localhost” cannot be mailed: “localhost” has no dot, so it is not a "
        "domain on the internet.",
        "Line 4: “ask me” is not an email address.",
        "Line 5: “wechat: abc123” is not an email address.",
        "Line 6: “not an email” is not an email address.",
    ]
    assert not event.attendees.exists()


def test_parse_no_answer_keeps_names_and_freelance_answers():
    data = ("First name,Last name,Company\nNa,Null,Freelance\nBo,None,(跳过)\nAl,无,N/A\n").encode()

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    assert [(r.name, r.company) for r in parsed.rows] == [
        ("Na Null", "Freelance"),
        ("Bo None", ""),
        ("Al 无", ""),
    ]


def test_parse_skipped_name_is_still_a_missing_name():
    data = "Name,Email,Company\n(跳过),x@example.com,Acme\nAna,ana@example.com,\n".encode()

    parsed = csv_import.parse(data)

    assert parsed.errors == ["Line 2: the name is missing."]


def test_parse_name_and_address_in_angle_brackets_imports_the_address():
    parsed = csv_import.parse(probe("name-angle-email-zh.csv"))

    assert parsed.errors == []
    assert [(r.name, r.email) for r in parsed.rows] == [
        ("孙悟空", "sunwukong@example.cn"),
        ("猪八戒", "zhubajie@example.cn"),
        ("沙僧", "shaseng@example.cn"),
    ]


def test_parse_line_break_inside_a_cell_becomes_a_space():
    parsed = csv_import.parse(probe("alt-enter-company.csv"))

    assert parsed.errors == []
    assert [(r.name, r.company) for r in parsed.rows] == [
        ("Pat Q", "Foo Bar Ltd"),
        ("Ray Z", "Semi; colon, Inc."),
    ]


def test_parse_line_breaks_in_one_line_fields_of_any_kind_collapse():
    data = (
        "First name,Last name,Email,Company,Job title,Phone,What are you looking for\r\n"
        '"Ann\r\nMarie","Lee\u2028",ann@example.com,"Acme\r\n\r\nGmbH","Head of\nSales",'
        '"+49 170\n5550123","Investors\nand a CTO"\r\n'
    ).encode()

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    row = parsed.rows[0]
    assert (row.name, row.company, row.job_title, row.phone) == (
        "Ann Marie Lee",
        "Acme GmbH",
        "Head of Sales",
        "+49 170 5550123",
    )
    assert row.registration_need == "Investors\nand a CTO"


def test_parse_german_headers_of_a_windows_1252_file():
    parsed = csv_import.parse(probe("german-headers-cp1252.csv"))

    assert parsed.errors == []
    assert [(r.name, r.email, r.company) for r in parsed.rows] == [
        ("Jürgen Müller", "juergen@example.de", "Müller & Söhne GmbH"),
        ("François Lefèvre", "francois@example.fr", "Société Générale"),
        ("Søren Østergaard", "soren@example.dk", "Ørsted"),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Vorname,Nachname,E-Mail-Adresse,Unternehmen,Position,Telefon",
        "Vorname,Name,Mail-Adresse,Arbeitgeber,Berufsbezeichnung,Handy",
        "Prénom,Nom,Courriel,Entreprise,Poste,Téléphone",
        "Prenom,Nom de famille,Adresse e-mail,Société,Fonction,Portable",
        "Nombre,Apellidos,Correo electrónico,Empresa,Cargo,Teléfono",
        "Nombre,Apellido,Correo,Compañía,Puesto,Móvil",
    ],
)
def test_parse_european_headers_for_first_and_last_name(header):
    data = f"{header}\nAna,Ruiz,ana@example.es,Ruiz SL,CTO,+34 600 000 000\n".encode()

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    row = parsed.rows[0]
    assert (row.name, row.email, row.company, row.job_title, row.phone) == (
        "Ana Ruiz",
        "ana@example.es",
        "Ruiz SL",
        "CTO",
        "+34 600 000 000",
    )


@pytest.mark.parametrize(
    "header",
    [
        "Vollständiger Name;E-Mail;Firma;Jobtitel",
        "Nom complet;Adresse électronique;Société;Intitulé du poste",
        "Nombre completo;Correo electrónico;Empresa;Puesto de trabajo",
    ],
)
def test_parse_european_headers_for_the_full_name(header):
    data = f"{header}\nAna Ruiz;ana@example.es;Ruiz SL;CTO\n".encode()

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    row = parsed.rows[0]
    assert (row.name, row.email, row.company, row.job_title) == (
        "Ana Ruiz",
        "ana@example.es",
        "Ruiz SL",
        "CTO",
    )


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        (
            "cp932",
            "氏名,メールアドレス,会社名,役職\n山田太郎,yamada@example.jp,株式会社サンプル,部長\n",
        ),
        ("utf-8", "お名前,Eメール,所属,肩書き\n山田太郎,yamada@example.jp,株式会社サンプル,部長\n"),
        ("euc_kr", "이름,이메일,회사,직함\n김민준,kim@example.kr,삼성전자,과장\n"),
        ("utf-8", "성명,이메일 주소,회사명,직책\n김민준,kim@example.kr,삼성전자,과장\n"),
        (
            "cp1251",
            "ФИО,Электронная почта,Компания,Должность\nИван Петров,ivan@example.ru,Яндекс,CTO\n",
        ),
    ],
)
def test_parse_japanese_korean_and_russian_headers(encoding, text):
    parsed = csv_import.parse(text.encode(encoding))

    assert parsed.errors == []
    row = parsed.rows[0]
    expected = text.splitlines()[1].split(",")
    assert [row.name, row.email, row.company, row.job_title] == expected


def test_parse_russian_given_name_beside_the_surname():
    data = "Имя,Фамилия,Email\nИван,Петров,ivan@example.ru\n".encode("cp1251")

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    assert (parsed.rows[0].given_name, parsed.rows[0].family_name) == ("Иван", "Петров")


@pytest.mark.parametrize(
    ("rows", "pairs"),
    [
        # each names the other, by name
        ("Tom Cat,tom@example.com,Jerry Mouse\nJerry Mouse,jerry@example.com,Tom Cat\n", 1),
        # one by email, the other by name in other letter case
        ("Tom Cat,tom@example.com,JERRY@example.com\nJerry Mouse,jerry@example.com,tom cat\n", 1),
        # a third person named by both, and the pair both ways
        (
            "Tom Cat,tom@example.com,Jerry Mouse; Spike Dog\n"
            "Jerry Mouse,jerry@example.com,tom@example.com; Spike Dog\n"
            "Spike Dog,,\n",
            3,
        ),
        # without emails: names both ways
        ("Tom Cat,,Jerry Mouse\nJerry Mouse,,Tom Cat\n", 1),
    ],
)
@pytest.mark.django_db
def test_preview_counts_a_pair_named_from_both_sides_once_as_the_import_does(rows, pairs):
    event = EventFactory()
    data = f"Name,Email,Keep apart from\n{rows}".encode()

    _parsed, comparison = services.preview_import(event, data=data)
    result = services.import_attendees(event, data=data, by=None)

    assert (comparison.pair_count, result.pairs) == (pairs, pairs)


@pytest.mark.parametrize(
    ("footer", "lines"),
    [
        ("Total: 2,,\n", [5]),
        ("Generated by Eventbrite on 2026-11-01,,\n", [5]),
        (",,\nTotal: 2\n,Report run 2026-11-01 09:00,\n", [6, 7]),
        ("\n\nTotal attendees: 2,,\n,,\nConfidential\n", [7, 9]),
    ],
)
def test_parse_leaves_out_summary_lines_below_the_list_and_says_so(footer, lines):
    data = (
        "Name,Email,Company\nAda Lovelace,ada@example.com,Kite\nLi Wei,li@example.cn,\n\n" + footer
    ).encode()

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["Ada Lovelace", "Li Wei"]
    assert parsed.skipped == len(lines)
    assert parsed.notes == [
        f"Line {line}: looks like a summary line, not a person; left out." for line in lines
    ]


@pytest.mark.parametrize(
    "data",
    [
        # names only: nobody has an email
        "Name,Email\nAda Lovelace,\nLi Wei,\n\nBo Berg,\n",
        "Name\nAda Lovelace\nLi Wei\n\nBo Berg\n",
        # people below a blank line who fill more than their name
        "Name,Email\nAda Lovelace,ada@example.com\n\nBo Berg,\nLi Wei,li@example.cn\n",
        # a cell on two lines just above the last row is no blank line
        'Name,Email,Company\nAda Lovelace,ada@example.com,"Kite\nLabs"\nBo Berg,,\n',
        # a person written with their email in the name cell
        "Name,Email\nAda Lovelace,ada@example.com\n\nBo Berg <bo@example.com>,\n",
    ],
)
def test_parse_keeps_name_only_rows_that_are_people(data):
    parsed = csv_import.parse(data.encode())

    assert parsed.notes == []
    assert [r.name for r in parsed.rows if r.name.startswith("Bo Berg")] != []


@pytest.mark.django_db
def test_preview_names_a_summary_line_by_its_line_number(client):
    from tests.factories import UserFactory

    user = UserFactory()
    event = EventFactory(organizer=user)
    client.force_login(user)
    file = io.BytesIO(b"Name,Email\nAda Lovelace,ada@example.com\n\nTotal: 1,\n")
    file.name = "list.csv"

    preview = client.post(reverse("attendee_import", args=[event.pk]), {"file": file})

    assert "Line 4: looks like a summary line, not a person; left out." in preview.text
    assert "Total: 1" not in preview.text


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ("Name,Email\nAda Lovelace,ada@example.com\nName,Email\nLi Wei,li@example.cn\n", 3),
        ("Name,Email\nAda Lovelace,ada@example.com\nNAME , email\nLi Wei,li@example.cn\n", 3),
        (
            "姓名;邮箱;公司\nAda Lovelace;ada@example.com;Kite\n\n姓名;邮箱;公司\n"
            "Li Wei;li@example.cn;\n",
            4,
        ),
        ("Name,Email,Company\nAda Lovelace,ada@example.com,\nName,Email,Company,\nLi Wei,,\n", 3),
    ],
)
def test_parse_leaves_out_a_header_row_pasted_again_and_says_so(data, line):
    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["Ada Lovelace", "Li Wei"]
    assert parsed.notes == [f"Line {line}: the column names again (a pasted header); left out."]
    assert parsed.skipped == 1


LIST_OF_TWO = "Name,Email,Company\nAda Lovelace,ada@example.com,Kite\nLi Wei,li@example.cn,\n"


@pytest.mark.parametrize(
    ("footer", "lines"),
    [
        ("Total: 2,,,,\n", [4]),
        ("Total,2\n", [4]),
        ("合计：2人\n", [4]),
        ("Generated by Eventbrite on 2026-11-02\n", [4]),
        ("Count of attendees: 2,,\n", [4]),
        ("Total tickets sold,2,\nGenerated by Eventbrite on,2026-11-02 09:00 UTC,\n", [4, 5]),
        ("Total,2\n\nExported from Luma\n", [4, 6]),
    ],
)
def test_parse_leaves_out_summary_lines_right_under_the_list_and_says_so(footer, lines):
    parsed = csv_import.parse((LIST_OF_TWO + footer).encode())

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["Ada Lovelace", "Li Wei"]
    assert parsed.skipped == len(lines)
    assert parsed.notes == [
        f"Line {line}: looks like a summary line, not a person; left out." for line in lines
    ]


def test_parse_leaves_out_a_chinese_total_under_a_list_without_emails():
    parsed = csv_import.parse("姓名,公司\n林一,甲公司\n王二,\n合计：2人,\n".encode("gb18030"))

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["林一", "王二"]
    assert parsed.notes == ["Line 4: looks like a summary line, not a person; left out."]


@pytest.mark.parametrize(
    ("last", "name"),
    [
        ("Total,total@example.com,", "Total"),
        ("Count Basie,,Basie Band", "Count Basie"),
        ("Total,,Total SA", "Total"),
        ("Count Basie,,", "Count Basie"),
        ("Sum Li,sum@example.cn,", "Sum Li"),
    ],
)
def test_parse_keeps_a_last_person_named_like_a_summary_line(last, name):
    parsed = csv_import.parse((LIST_OF_TWO + last + "\n").encode())

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["Ada Lovelace", "Li Wei", name]
    assert parsed.notes == []


@pytest.mark.django_db
def test_import_leaves_out_a_total_right_under_the_list_and_imports_everyone_else():
    event = EventFactory()

    services.import_attendees(event, data=(LIST_OF_TWO + "Total,2\n").encode(), by=None)

    assert sorted(event.attendees.values_list("name", flat=True)) == ["Ada Lovelace", "Li Wei"]


NO_HEADER_NOTE = (
    "No row of column names was found: the first line holds no column name we know and looks "
    "like a person, so every line is read as a person and the columns are guessed from their "
    "values."
)


@pytest.mark.parametrize(
    ("data", "people", "columns"),
    [
        (
            "Ada Lovelace\nLi Wei\nBo Berg\n",
            [(1, "Ada Lovelace", ""), (2, "Li Wei", ""), (3, "Bo Berg", "")],
            "Columns read: Column 1 as Name.",
        ),
        (
            "Ada Lovelace,+44 20 7946 0000\nLi Wei,+86 138 0013 8000\n",
            [(1, "Ada Lovelace", "+44 20 7946 0000"), (2, "Li Wei", "+86 138 0013 8000")],
            "Columns read: Column 1 as Name, Column 2 as Phone.",
        ),
        (
            "林一,13800000001\n王二,13900000002\n欧阳娜娜,13700000003\n",
            [
                (1, "林一", "13800000001"),
                (2, "王二", "13900000002"),
                (3, "欧阳娜娜", "13700000003"),
            ],
            "Columns read: Column 1 as Name, Column 2 as Phone.",
        ),
        (
            "林一\n王二\n张三\n",
            [(1, "林一", ""), (2, "王二", ""), (3, "张三", "")],
            "Columns read: Column 1 as Name.",
        ),
        (
            "Ada Lovelace,Kite Labs\nLi Wei,Harbor\nBo Berg,\n",
            [(1, "Ada Lovelace", ""), (2, "Li Wei", ""), (3, "Bo Berg", "")],
            "Columns read: Column 1 as Name, Column 2 not imported.",
        ),
    ],
)
def test_parse_a_list_without_column_names_keeps_its_first_person_and_says_how_it_read(
    data, people, columns
):
    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert [(r.line, r.name, r.phone) for r in parsed.rows] == people
    assert parsed.notes == [NO_HEADER_NOTE, columns]


def test_parse_a_workbook_without_column_names_keeps_its_first_person():
    data = workbook([["Ada Lovelace", "+44 20 7946 0000"], ["Li Wei", "+86 138 0013 8000"]])

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == ["Ada Lovelace", "Li Wei"]
    assert parsed.notes == [NO_HEADER_NOTE, "Columns read: Column 1 as Name, Column 2 as Phone."]


def test_parse_a_list_without_column_names_says_how_it_read_its_columns():
    parsed = csv_import.parse(b"Jane Doe,jane@example.com,Acme\nJohn Roe,john@example.com,Beta\n")

    assert parsed.notes[1] == (
        "Columns read: Column 1 as Name, Column 2 as Email, Column 3 not imported."
    )


@pytest.mark.parametrize(
    "data",
    [
        "Guest List\nAda Lovelace\nLi Wei\n",
        "Speed Networking Night\nAda Lovelace\nLi Wei\n",
        "名单\n林一\n王二\n",
        "Attendees,2026-11-02\nAda Lovelace,\nLi Wei,\n",
        "Ticket Type,Dietary Requirements\nGeneral,Vegan\nVIP,None\n",
    ],
)
def test_parse_column_names_we_do_not_know_are_never_taken_for_a_person(data):
    parsed = csv_import.parse(data.encode())

    assert parsed.headers == data.split("\n")[0].split(",")
    assert parsed.rows == []
    assert parsed.errors == [
        "No column holds the names: choose it below (or the first and last name)."
    ]


# A first person whose name is one word or in lower case, so it is no capitalised name, above
# a column of names: still a person, not column names.
@pytest.mark.parametrize(
    ("data", "first"),
    [
        ("madonna\nAda Lovelace\nLi Wei\n", "madonna"),
        ("Madonna,Acme\nAda Lovelace,Kite Labs\nLi Wei,Harbor\n", "Madonna"),
        ("zhang wei,Acme\nAda Lovelace,Kite Labs\nLi Wei,Harbor\n", "zhang wei"),
        ("zhang wei;Acme Company\nAda Lovelace;Kite Labs\nLi Wei;Harbor\n", "zhang wei"),
        ("zhang wei\nli lei\nwang fang\n", "zhang wei"),
        ("CHER\tAcme\nAda Lovelace\tKite\nLi Wei\tHarbor\n", "CHER"),
        ("亓官伟,阿克米\n林一,甲\n王二,乙\n", "亓官伟"),
    ],
)
def test_parse_a_list_without_column_names_keeps_a_one_word_or_lower_case_first_person(data, first):
    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert (parsed.rows[0].line, parsed.rows[0].name) == (1, first)
    assert len(parsed.rows) == 3
    assert parsed.notes[0] == NO_HEADER_NOTE
    assert parsed.notes[1].startswith("Columns read: Column 1 as Name")


# The first person's email written as a mail program or an input method writes it.
@pytest.mark.parametrize(
    "email",
    [
        "Madonna <madonna@example.com>",
        "ｍａｄｏｎｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "mailto:madonna@example.com",
        "\u200bmadonna@example.com\u00a0",
    ],
)
def test_parse_a_list_without_column_names_whose_first_email_is_written_otherwise(email):
    data = f"madonna,{email}\nAda Lovelace,Ada <ada@example.com>\nLi Wei,li@example.cn\n"

    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert [(r.line, r.name, r.email) for r in parsed.rows] == [
        (1, "madonna", "madonna@example.com"),
        (2, "Ada Lovelace", "ada@example.com"),
        (3, "Li Wei", "li@example.cn"),
    ]
    assert parsed.notes[0].startswith("The first line holds an email")


@pytest.mark.parametrize(
    "data",
    [
        "name,email,company\nmadonna,madonna@example.com,Acme\n",
        "NAME,EMAIL,COMPANY\nzhang wei,zw@example.com,Acme\n",
        "姓名,邮箱,公司\nmadonna,madonna@example.com,Acme\n",
        "Full Name;E-mail\nmadonna;madonna@example.com\n",
        "name\nmadonna\n",
        "Attendee Names\nAda Lovelace\nLi Wei\n",
        "Names\nAda Lovelace\nLi Wei\n",
        "Teilnehmer\nAda Lovelace\nLi Wei\n",
        "嘉宾\n林一\n王二\n",
        "Nickname\nada\nli\n",
        # column names in a language we know none of, above emails or beside the names
        "Nama;Surel;Perusahaan\nBudi Santoso;b@example.id;Gojek\n"
        "Siti Rahayu;s@example.id;Tokopedia\n",
        "Nachnamen,Arbeitsstelle\nSzűcs,Fűtő Kft\nNagy,Kite Labs\n",
    ],
)
def test_parse_column_names_in_any_case_or_language_stay_column_names(data):
    parsed = csv_import.parse(data.encode())

    assert parsed.headers == data.split("\n")[0].replace(";", ",").split(",")
    assert all(r.line > 1 for r in parsed.rows)
    assert not any(note.startswith(("No row of", "The first line")) for note in parsed.notes)


@pytest.mark.django_db
def test_import_of_a_list_without_column_names_imports_a_one_word_first_person():
    event = EventFactory()

    services.import_attendees(
        event, data=b"madonna,Acme\nAda Lovelace,Kite Labs\nLi Wei,Harbor\n", by=None
    )

    assert sorted(event.attendees.values_list("name", flat=True)) == [
        "Ada Lovelace",
        "Li Wei",
        "madonna",
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Na\u200bme,E\u00admail,Com\u2060pany",
        "\ufeffName,\ufeffEmail,\ufeffCompany",
        "\u200eName\u200f,E-mail\u202c,Company",
    ],
)
def test_parse_recognises_column_names_holding_hidden_characters(header):
    data = f"{header}\r\nAda Kim,ada@example.kr,Kim Studio\r\nBo Lund,bo@example.se,Lund AB\r\n"

    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert [(r.line, r.name, r.email, r.company) for r in parsed.rows] == [
        (2, "Ada Kim", "ada@example.kr", "Kim Studio"),
        (3, "Bo Lund", "bo@example.se", "Lund AB"),
    ]


def test_parse_imports_an_email_wrapped_in_direction_marks():
    data = "Name,Email\r\nAl Bo,\u202aal@example.com\u202c\r\nCy Do,\u2067cy@example.com\u2069\r\n"

    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert [r.email for r in parsed.rows] == ["al@example.com", "cy@example.com"]


@pytest.mark.parametrize(
    ("header", "first"),
    [
        ("Column1,Column2,Column3", "Column1"),
        ("Column 1,Column 2,Column 3", "Column 1"),
        ("Unnamed: 0,Unnamed: 1,Unnamed: 2", "Unnamed: 0"),
        ("列1,列2,列3", "列1"),
        ("F1,F2,F3", "F1"),
    ],
)
def test_parse_reads_columns_named_only_by_number_by_their_values(header, first):
    data = f"{header}\r\nAda Kim,ada@example.kr,Kim Studio\r\nBo Lund,bo@example.se,Lund AB\r\n"

    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert [(r.line, r.name, r.email) for r in parsed.rows] == [
        (2, "Ada Kim", "ada@example.kr"),
        (3, "Bo Lund", "bo@example.se"),
    ]
    names = header.split(",")
    assert parsed.notes == [
        f"The column names (such as “{first}”) are a spreadsheet's numbering, not what the "
        "columns hold, so the columns are guessed from their values.",
        f"Columns read: {names[0]} as Name, {names[1]} as Email, {names[2]} not imported.",
    ]


# Column names of Central European forms, whose lists are the Windows-1250 files.
@pytest.mark.parametrize(
    ("header", "row", "person"),
    [
        (
            "Név;E-mail cím;Cégnév;Beosztás",
            "Kőrösi Csoma;k@example.hu;Győri Keksz;Igazgató",
            ("Kőrösi Csoma", "k@example.hu", "Győri Keksz", "Igazgató"),
        ),
        (
            "Jméno;Příjmení;E-mail;Společnost;Pozice",
            "Jiří;Novák;j@example.cz;Škoda;Ředitel",
            ("Jiří Novák", "j@example.cz", "Škoda", "Ředitel"),
        ),
        (
            "Imię i nazwisko;Adres e-mail;Firma;Stanowisko",
            "Łukasz Żółć;l@example.pl;Spółka;Prezes",
            ("Łukasz Żółć", "l@example.pl", "Spółka", "Prezes"),
        ),
        (
            "Ime;Prezime;Email;Tvrtka",
            "Đurđa;Šimić;d@example.hr;Podravka",
            ("Đurđa Šimić", "d@example.hr", "Podravka", ""),
        ),
        (
            "Meno;Priezvisko;E-mail;Spoločnosť",
            "Ľubomír;Šťastný;l@example.sk;Slovnaft",
            ("Ľubomír Šťastný", "l@example.sk", "Slovnaft", ""),
        ),
    ],
)
def test_parse_knows_central_european_column_names(header, row, person):
    data = f"{header}\r\n{row}\r\n".encode("cp1250")

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    assert [(r.name, r.email, r.company, r.job_title) for r in parsed.rows] == [person]


@pytest.mark.parametrize(
    ("data", "first_line"),
    [
        ("Speed networking 2026-11-02\nmadonna,madonna@example.com\nLi Wei,li@example.cn\n", 2),
        ("Guest list – Nov 2\n\nmadonna;madonna@example.com\nLi Wei;li@example.cn\n", 3),
    ],
)
def test_parse_a_title_above_a_list_without_column_names_keeps_the_first_person(data, first_line):
    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert [(r.line, r.name, r.email) for r in parsed.rows] == [
        (first_line, "madonna", "madonna@example.com"),
        (first_line + 1, "Li Wei", "li@example.cn"),
    ]
    assert f"The lines above line {first_line} are a title, not people; left out." in parsed.notes


@pytest.mark.parametrize(
    "header", ["Contact sharing (opt-in)", "Contact sharing?", "Consent to share contact details?"]
)
def test_parse_finds_the_sharing_column_by_a_question_about_contact_sharing(header):
    data = f"Name,Email,{header}\nAda Kim,ada@example.kr,Yes\nBo Lund,bo@example.se,No\n"

    parsed = csv_import.parse(data.encode())

    assert parsed.mapping["consent"] == 2
    assert [r.is_consent_suggested for r in parsed.rows] == [True, False]


@pytest.mark.django_db
def test_import_of_names_without_column_names_imports_the_first_person_too():
    event = EventFactory()

    services.import_attendees(event, data="林一\n王二\n张三\n".encode(), by=None)

    assert sorted(event.attendees.values_list("name", flat=True)) == ["张三", "林一", "王二"]


def test_parse_notes_a_placeholder_company_or_job_title_left_empty_by_line():
    data = (
        "Name,Email,Company,Job title\n"
        "Ada Lovelace,ada@example.com,N/A,-\n"
        "Li Wei,li@example.cn,无,none\n"
        "Bo Berg,bo@example.se,Kite,CTO\n"
        "Eve Ruiz,,\u200b,\n"
    )

    parsed = csv_import.parse(data.encode())

    assert parsed.errors == []
    assert [(r.company, r.job_title) for r in parsed.rows] == [
        ("", ""),
        ("", ""),
        ("Kite", "CTO"),
        ("", ""),
    ]
    assert parsed.notes == [
        "Line 2: the company “N/A” says there is none; left empty.",
        "Line 2: the job title “-” says there is none; left empty.",
        "Line 3: the company “无” says there is none; left empty.",
        "Line 3: the job title “none” says there is none; left empty.",
    ]


def test_preview_joins_the_notes_of_many_placeholder_companies_into_one():
    rows = "".join(f"Person {n},p{n}@example.com,N/A\n" for n in range(8))
    rows += "Ada Lovelace,ada@example.com,Kite\n"

    comparison = csv_import.compare(csv_import.parse(f"Name,Email,Company\n{rows}".encode()), [])

    assert comparison.grouped_notes == [
        "Lines 2, 3, 4, 5, 6 and 3 more: the company “N/A” says there is none; left empty."
    ]


def test_parse_keeps_a_company_called_x():
    parsed = csv_import.parse(
        b"Name,Email,Company\nAda Lovelace,ada@example.com,X\nLi Wei,li@example.cn,X\n"
    )

    assert [r.company for r in parsed.rows] == ["X", "X"]
    assert parsed.notes == []
    assert hygiene.company_key(parsed.rows[0].company) == hygiene.company_key("X") != ""


# Family and given name columns: joined as the language of their column names writes names.
NAME_ORDER = [
    ("Vezetéknév,Keresztnév,E-mail\nKovács,Anna,a@example.hu\n", "utf_8", "Kovács Anna"),
    ("Keresztnév;Vezetéknév;E-mail\nAnna;Kovács;a@example.hu\n", "utf_8", "Kovács Anna"),
    ("Családnév;Utónév;E-mail\nSzűcs;Győző;sz@example.hu\n", "cp1250", "Szűcs Győző"),
    ("Họ,Tên,Email\nNguyễn,Văn An,an@example.vn\n", "utf_8", "Nguyễn Văn An"),
    ("Họ và tên đệm,Tên,Email\nTrần Thị,Mai,mai@example.vn\n", "utf_8", "Trần Thị Mai"),
    ("姓,名,邮箱\n张,伟,zw@example.cn\n", "utf_8", "张伟"),
    ("姓,名,メールアドレス\n山田,太郎,y@example.jp\n", "cp932", "山田太郎"),
    ("성,이름,이메일\n김,민준,kim@example.kr\n", "utf_8", "김민준"),
    ("First name,Last name,Email\nAnna,Kovács,a@example.hu\n", "utf_8", "Anna Kovács"),
    ("Családi név,Utónév,Email\nKovács,Anna,a@example.hu\n", "utf_8", "Kovács Anna"),
    ("Vezeték név,Kereszt név,Email\nKovács,Anna,a@example.hu\n", "utf_8", "Kovács Anna"),
    ("Họ và tên lót,Tên,Email\nTrần Thị,Mai,m@example.vn\n", "utf_8", "Trần Thị Mai"),
    ("Last name,First name,Email\nKovács,Anna,a@example.hu\n", "utf_8", "Anna Kovács"),
    ("Vorname,Nachname,E-Mail\nAnna,Kovács,a@example.de\n", "utf_8", "Anna Kovács"),
    ("First name,Last name,Email\n伟,张,zw@example.cn\n", "utf_8", "张伟"),
    ("Vezetéknév,Keresztnév,E-mail\n李,娜,ln@example.cn\n", "utf_8", "李娜"),
]


@pytest.mark.parametrize(("text", "encoding", "name"), NAME_ORDER)
def test_parse_joins_the_name_parts_in_the_order_of_the_columns_language(text, encoding, name):
    parsed = csv_import.parse(text.encode(encoding))

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == [name]


# One value alone on line 1 above a list without column names: a person written like the
# names below ("madonna" above "zhang wei"), or a title left out.
LONE_PEOPLE = [
    ("madonna\nzhang wei,zhang@example.com\nann lee,ann@example.com\n", "madonna"),
    ("Madonna\nZhang Wei,zhang@example.com\nAnn Lee,ann@example.com\n", "Madonna"),
    ("CHER\nZHANG WEI,zhang@example.com\nANN LEE,ann@example.com\n", "CHER"),
    ("王菲\n张伟,zw@example.cn\n李娜,ln@example.cn\n", "王菲"),
    ("欧阳娜娜\n张伟,zw@example.cn,星河科技\n李娜,ln@example.cn,朝阳咨询\n", "欧阳娜娜"),
    ("madonna\nzhang wei;Acme\nli lei;Harbor\n", "madonna"),
    (
        "Maria de la Cruz\nZhang Wei,zhang@example.com\nAnn Lee,ann@example.com\n",
        "Maria de la Cruz",
    ),
]


@pytest.mark.parametrize(("text", "person"), LONE_PEOPLE)
def test_parse_reads_a_name_alone_on_line_1_as_a_person(text, person):
    parsed = csv_import.parse(text.encode())

    assert parsed.errors == []
    assert (parsed.rows[0].line, parsed.rows[0].name) == (1, person)
    assert len(parsed.rows) == text.count("\n")
    assert f"Line 1: only “{person}”, written like the names below: read as a person." in (
        parsed.notes
    )


LONE_TITLES = [
    "Attendees",
    "Guest list",
    "报名名单",
    "嘉宾名单",
    "创业沙龙",
    "Speed networking 2026-12-05 guest list",
    "Beijing Founders Club",
    "周末交流会",
    "2026年12月5日",
    "Waitlisted",
    "Pending",
]


@pytest.mark.parametrize("title", LONE_TITLES)
@pytest.mark.parametrize(
    "people",
    [
        "zhang wei,zhang@example.com\nann lee,ann@example.com\n",
        "Zhang Wei,zhang@example.com\nAnn Lee,ann@example.com\n",
        "张伟,zw@example.cn\n李娜,ln@example.cn\n",
    ],
)
def test_parse_leaves_out_a_title_alone_on_line_1(title, people):
    parsed = csv_import.parse(f"{title}\n{people}".encode())

    assert parsed.errors == []
    assert [r.line for r in parsed.rows] == [2, 3]
    assert "The lines above line 2 are a title, not people; left out." in parsed.notes


def test_parse_leaves_out_a_title_above_a_person_alone_on_a_line():
    text = (
        "Speed networking 2026-12-05\nmadonna\nzhang wei,zhang@example.com\nli lei,li@example.com\n"
    )

    parsed = csv_import.parse(text.encode())

    assert [(r.line, r.name) for r in parsed.rows] == [
        (2, "madonna"),
        (3, "zhang wei"),
        (4, "li lei"),
    ]
    assert "The lines above line 2 are a title, not people; left out." in parsed.notes


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "madonna\nzhang wei;zw@example.com\nann lee;al@example.com\n",
            ["madonna", "zhang wei", "ann lee"],
        ),
        (
            "madonna\nzhang wei\tzw@example.com\nann lee\tal@example.com\n",
            ["madonna", "zhang wei", "ann lee"],
        ),
        (
            "madonna\nzw@example.com,zhang wei\nal@example.com,ann lee\n",
            ["madonna", "zhang wei", "ann lee"],
        ),
        (
            "madonna\ncher\nzhang wei,zw@example.com\nann lee,al@example.com\n",
            ["madonna", "cher", "zhang wei", "ann lee"],
        ),
        (
            '"madonna"\n"zhang wei","zw@example.com"\n"ann lee","al@example.com"\n',
            ["madonna", "zhang wei", "ann lee"],
        ),
    ],
)
def test_parse_reads_names_alone_above_a_list_in_any_shape(text, names):
    parsed = csv_import.parse(text.encode())

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == names


def test_parse_reads_a_name_alone_on_the_first_row_of_a_workbook():
    book = Workbook()
    for row in (["madonna"], ["zhang wei", "zw@example.com"], ["ann lee", "al@example.com"]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)

    parsed = csv_import.parse(data.getvalue())

    assert [(r.line, r.name, r.email) for r in parsed.rows] == [
        (1, "madonna", ""),
        (2, "zhang wei", "zw@example.com"),
        (3, "ann lee", "al@example.com"),
    ]


def test_guess_mapping_reads_a_columns_values_only_for_a_field_its_header_could_name(
    monkeypatch,
):
    """A wide export (300 columns of custom questions, thousands of rows) is read once per
    field its header could name, not for every field and column: 3 million values read dozens
    of times took most of a minute."""
    read: list[tuple[str, str]] = []
    values_fit = csv_import.values_fit

    def counted(name: str, values: list[str]) -> bool:
        read.append((name, values[0]))
        return values_fit(name, values)

    monkeypatch.setattr(csv_import, "values_fit", counted)
    headers = ["Name", "Email", *(f"c{i}" for i in range(300))]
    columns = [["Ann Lee"] * 50, ["al@example.com"] * 50, *(["x"] * 50 for _ in range(300))]

    mapping = csv_import.guess_mapping(headers, columns)

    assert (mapping["name"], mapping["email"]) == (0, 1)
    assert not [value for _name, value in read if value == "x"]
    assert len(read) == len(set(read))


# A list of one column without column names: each line a person when the first is written as
# the names below it are (the test of a name alone above a list), line 1 included; a column
# of what are no names is still refused.
ONE_COLUMN_OF_NAMES = [
    ("Madonna\nCher\nBono\n", ["Madonna", "Cher", "Bono"]),
    ("madonna\ncher\nbono\n", ["madonna", "cher", "bono"]),
    ("CHER\nBONO\nSTING\n", ["CHER", "BONO", "STING"]),
    (
        "Madonna\r\nCher\r\nAnna Müller\r\nJean Dupont\r\n",
        ["Madonna", "Cher", "Anna Müller", "Jean Dupont"],
    ),
    ("张伟\n李娜\n王芳\n", ["张伟", "李娜", "王芳"]),
]
ONE_COLUMN_OF_NO_NAMES = [
    "12\n34\n56\n",
    "2026-01-02\n2026-01-03\n2026-01-04\n",
    "ann@example.com\nbo@example.com\n",
    "Attendees\n12\n34\n",
]


def test_parse_reads_a_column_of_names_alone_as_people_and_refuses_one_of_no_names():
    for text, names in ONE_COLUMN_OF_NAMES:
        parsed = csv_import.parse(text.encode())

        assert parsed.errors == [], text
        assert [(r.line, r.name) for r in parsed.rows] == list(enumerate(names, start=1)), text
        assert parsed.notes[0].startswith("No row of column names was found"), text
    for text in ONE_COLUMN_OF_NO_NAMES:
        parsed = csv_import.parse(text.encode())

        assert parsed.rows == [], text
        assert parsed.errors[0].startswith("No column holds the names"), text


# Vietnamese column names without accents: "Ho va ten" whole, "Ho" and "Ten" (with "Ten dem"
# between) family name first; "Ho" or "Ten" alone is no name part.
UNACCENTED_VIETNAMESE = [
    ("Ho,Ten,Email\nNguyen,Van An,an@example.vn\n", "Nguyen Van An"),
    ("Ten,Ho,Email\nVan An,Nguyen,an@example.vn\n", "Nguyen Van An"),
    ("Ho,Ten dem,Ten,Email\nNguyen,Van,An,an@example.vn\n", "Nguyen Van An"),
    ("Họ,Tên đệm,Tên,Email\nNguyễn,Văn,An,an@example.vn\n", "Nguyễn Văn An"),
    ("Ho va ten,Email\nTran Thi Mai,mai@example.vn\n", "Tran Thi Mai"),
    ("HO TEN;EMAIL\nTran Thi Mai;mai@example.vn\n", "Tran Thi Mai"),
    ("Ho va ten dem,Ten,Email\nTran Thi,Mai,mai@example.vn\n", "Tran Thi Mai"),
    ("Ho lot,Ten goi,Email\nTran Thi,Mai,mai@example.vn\n", "Tran Thi Mai"),
    ("First name,Middle name,Last name\nJohn,Quincy,Adams\n", "John Quincy Adams"),
    ("Name,Ten,Email\nAnn Lee,10,al@example.com\n", "Ann Lee"),
    ("Ho,Name,Email\nyes,Ann Lee,al@example.com\n", "Ann Lee"),
]


def test_parse_reads_vietnamese_name_columns_without_accents_only_where_unambiguous():
    for text, name in UNACCENTED_VIETNAMESE:
        parsed = csv_import.parse(text.encode())

        assert parsed.errors == [], text
        assert [r.name for r in parsed.rows] == [name], text
    alone = csv_import.guess_mapping(["Ten", "Email"], [["Ann Lee"], ["al@example.com"]])
    assert (alone["first_name"], alone["last_name"], alone["name"]) == (None, None, None)


# One value on line 1 above a row of column names that is none the importer knows whole: a
# title (a city, a venue), never a person, however it is written.
TITLE_ABOVE_COLUMN_NAMES = [
    ("Beijing\nAttendee,Ticket type\nZhang Wei,VIP\nLi Na,GA\n", ["Zhang Wei", "Li Na"]),
    ("Shanghai Tower\nAttendee;Ticket type\nZhang Wei;VIP\nLi Na;GA\n", ["Zhang Wei", "Li Na"]),
    ("北京\n参会人姓名,票种\n张伟,VIP\n李娜,普通\n", ["张伟", "李娜"]),
    ("Beijing\nName\nZhang Wei\nLi Na\n", ["Zhang Wei", "Li Na"]),
    ("北京\n姓名\n张伟\n李娜\n", ["张伟", "李娜"]),
]


def test_parse_leaves_out_a_place_alone_above_column_names():
    for text, names in TITLE_ABOVE_COLUMN_NAMES:
        parsed = csv_import.parse(text.encode())

        assert parsed.errors == [], text
        assert [(r.line, r.name) for r in parsed.rows] == [(3, names[0]), (4, names[1])], text
        assert "The lines above line 2 are a title, not people; left out." in parsed.notes
    book = workbook([["Beijing"], ["Who", "Org"], ["Zhang Wei", "Acme"], ["Li Na", "Harbor"]])
    parsed = csv_import.parse(book)

    assert parsed.headers == ["Who", "Org"]
    assert parsed.rows == []
    assert parsed.errors == [
        "No column holds the names: choose it below (or the first and last name)."
    ]
    chosen = csv_import.parse(book, mapping={"name": 0, "company": 1})
    assert [(r.line, r.name, r.company) for r in chosen.rows] == [
        (3, "Zhang Wei", "Acme"),
        (4, "Li Na", "Harbor"),
    ]


# "Ho" and "Ten" side by side with no other column name we know ("STT", "Don vi" are
# Vietnamese without accents): the row of column names, not a person called "Ho".
HO_TEN_WITHOUT_KNOWN_COLUMNS = [
    "Ho,Ten\nNguyen Van,An\nTran Thi,Mai\n",
    "HO,TEN\nNGUYEN VAN,AN\nTRAN THI,MAI\n",
    "STT,Ho,Ten,Don vi\n1,Nguyen Van,An,FPT\n2,Tran Thi,Mai,Viettel\n",
]


@pytest.mark.parametrize("text", HO_TEN_WITHOUT_KNOWN_COLUMNS)
def test_parse_reads_ho_and_ten_alone_as_column_names_not_a_person(text):
    parsed = csv_import.parse(text.encode())

    assert parsed.errors == []
    assert [(r.line, r.name.casefold()) for r in parsed.rows] == [
        (2, "nguyen van an"),
        (3, "tran thi mai"),
    ]


# A middle name column named as its neighbours "First" and "Last" are: joined between them in
# either order of the columns; "Middle school" is no name part.
MIDDLE_COLUMNS = [
    ("First,Middle,Last,Email\nJohn,Quincy,Adams,ja@example.com\n", "John Quincy Adams"),
    ("Last,First,Middle,Email\nAdams,John,Quincy,ja@example.com\n", "John Quincy Adams"),
    (
        "First name,Last name,Middle school,Email\nAnn,Lee,Lincoln Middle,al@example.com\n",
        "Ann Lee",
    ),
]


@pytest.mark.parametrize(("text", "name"), MIDDLE_COLUMNS)
def test_parse_joins_a_middle_column_beside_first_and_last(text, name):
    parsed = csv_import.parse(text.encode())

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == [name]


# A title alone on line 1 of a list of one column of names ("Waitlisted", "创业沙龙"): no
# person, as above a list with emails; the names below are still read.
@pytest.mark.parametrize("title", ["Waitlisted", "Confirmed", "Beijing Founders Club", "创业沙龙"])
@pytest.mark.parametrize("people", ["Zhang Wei\nAnn Lee\nBo Chen\n", "张伟\n李娜\n王芳\n"])
def test_parse_never_reads_a_title_above_one_column_of_names_as_a_person(title, people):
    parsed = csv_import.parse(f"{title}\n{people}".encode())
    chosen = csv_import.parse(f"{title}\n{people}".encode(), mapping={"name": 0})

    assert title not in [r.name for r in parsed.rows]
    assert [r.line for r in chosen.rows] == [2, 3, 4]


# "HO" (head office) and "Ten" (a count) beside a whole-name column are no name parts: a row
# whose name is left blank is not imported under a name made of those cells ("N 9").
def test_parse_takes_ho_and_ten_beside_an_english_name_column_for_no_name_parts():
    text = "Name,Email,HO,Ten\nAnn Lee,al@example.com,Y,10\n,bo@example.com,N,9\n"

    parsed = csv_import.parse(text.encode())

    assert (parsed.mapping["first_name"], parsed.mapping["last_name"]) == (None, None)
    assert [r.name for r in parsed.rows] == ["Ann Lee"]


# "Ho" and "Ten" alone (no whole-name column) are still a family and a given name without
# accents, unless their cells are numbers.
def test_parse_reads_ho_and_ten_as_name_parts_only_when_they_hold_names():
    names = csv_import.parse(b"Ho,Ten,Email\nNguyen,An,an@example.com\n")
    numbers = csv_import.parse(b"Name,Ho,Ten\nAnn Lee,1,10\n")
    counts = csv_import.parse(b"Email,Ho,Ten\nan@example.com,1,10\n")

    assert [r.name for r in names.rows] == ["Nguyen An"]
    assert [r.name for r in numbers.rows] == ["Ann Lee"]
    assert (counts.mapping["first_name"], counts.mapping["last_name"]) == (None, None)


# A cancelled row of a list whose name parts join family name first (Vietnamese with a middle
# name, Hungarian, Chinese 姓/名), without an email: found by its name as the list writes it.
CANCELLED_FAMILY_FIRST = [
    ("Họ,Tên đệm,Tên,Status\nNguyễn,Văn,An,Cancelled\nTrần,Thị,Mai,Attending\n", "Nguyễn Văn An"),
    ("Vezetéknév,Keresztnév,Status\nKovács,Anna,Cancelled\nSzabó,Béla,Attending\n", "Kovács Anna"),
    ("姓,名,状态\n张,伟,已取消\n李,娜,已通过\n", "张伟"),
    (
        "First name,Middle name,Last name,Status\nJohn,Quincy,Adams,Cancelled\nAnn,,Lee,Going\n",
        "John Quincy Adams",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "name"), CANCELLED_FAMILY_FIRST)
def test_preview_finds_the_attendee_of_a_cancelled_row_named_family_name_first(text, name):
    event = EventFactory()
    AttendeeFactory(event=event, name=name, email="")

    _parsed, comparison = services.preview_import(event, data=text.encode())

    assert f"Line 2: {name} is already at the event but their ticket is now" in " ".join(
        comparison.notes
    )
