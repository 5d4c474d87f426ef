"""English and Simplified Chinese: the zh_Hans catalog is complete and current, and each page
speaks the language the rules pick (config/i18n.py).

After adding or changing a user-facing string, refresh the catalog, translate every new entry
(no fuzzy ones), and compile it; the .mo is committed so a fresh machine needs no gettext::

    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=bench --ignore=tests
    .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from config.i18n import (
    ACCEPT_LANGUAGE_MAX_CHARS,
    accept_language_ranges,
    activate_event_language,
    requested_language,
    socket_language,
)
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, RoundFactory

CATALOG_DIR = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
CATALOG = CATALOG_DIR / "django.po"
COMPILED = CATALOG_DIR / "django.mo"
# The sources makemessages skips, as in the command that makes the catalog.
IGNORED = ("--ignore=.venv", "--ignore=bench", "--ignore=tests")
# A Python format directive (``%%`` is a literal percent sign) or an HTML tag.
PLACEHOLDER = re.compile(
    r"%(?:\(\w+(?:\.\w+)*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]|</?[a-zA-Z][^>]*>"
)


@dataclass
class Entry:
    msgid: str | None = None
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str | None, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po or .pot file, the header first. Obsolete (``#~``) entries and other
    comments are left out; flags (``#,``) are kept."""
    entries = []
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8")):
        entry, current = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if current == "msgstr":
                    entry.msgstr[-1] += value
                else:
                    setattr(entry, current, getattr(entry, current) + value)
            elif line and not line.startswith("#"):
                keyword, _space, quoted = line.partition(" ")
                current = "msgstr" if keyword.startswith("msgstr") else keyword
                if current == "msgstr":
                    entry.msgstr.append(ast.literal_eval(quoted))
                else:
                    setattr(entry, current, ast.literal_eval(quoted))
        if entry.msgid is not None:
            entries.append(entry)
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(found for found in PLACEHOLDER.findall(text) if found != "%%")


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    return read_po(CATALOG)


@pytest.fixture(scope="module")
def messages(catalog: list[Entry]) -> list[Entry]:
    return [entry for entry in catalog if entry.msgid]


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request leaves its language active in the thread: give the next test the default."""
    yield
    translation.deactivate()


# The catalog


def test_catalog_translates_every_message(messages):
    untranslated = [entry.msgid for entry in messages if not entry.msgstr or not all(entry.msgstr)]

    assert len(messages) > 300
    assert untranslated == []


def test_catalog_has_no_fuzzy_entry(catalog):
    assert [entry.msgid for entry in catalog if "fuzzy" in entry.flags] == []


def test_catalog_keeps_every_placeholder_and_tag(messages):
    mismatched = [
        (entry.msgid, translated)
        for entry in messages
        for translated in entry.msgstr
        if placeholders(translated) != placeholders(entry.msgid_plural or entry.msgid)
    ]

    assert mismatched == []


def test_catalog_header_declares_chinese_with_one_plural_form(catalog):
    header = dict(line.split(": ", 1) for line in catalog[0].msgstr[0].splitlines() if ": " in line)

    assert catalog[0].msgid == ""
    assert header["Language"] == "zh_Hans"
    assert header["Plural-Forms"] == "nplurals=1; plural=0;"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"


def test_compiled_catalog_matches_the_po(messages):
    with COMPILED.open("rb") as file:
        compiled = gettext.GNUTranslations(file)

    def lookup(entry: Entry) -> str:
        if entry.msgctxt is not None:
            return compiled.pgettext(entry.msgctxt, entry.msgid)
        if entry.msgid_plural is not None:
            return compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
        return compiled.gettext(entry.msgid)

    stale = [entry.msgid for entry in messages if lookup(entry) != entry.msgstr[0]]

    assert stale == []


@pytest.mark.gettext
def test_catalog_lists_exactly_the_messages_of_the_sources(tmp_path, messages):
    """makemessages on a copy of the sources extracts the same messages the catalog holds."""
    copy = tmp_path / "speednet"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "*.egg-info", "*.sqlite3*", "locale", "bench", "tests"
        ),
    )

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale=zh_Hans", "--keep-pot", *IGNORED],
        cwd=copy,
        check=True,
        capture_output=True,
    )

    extracted = {entry.key for entry in read_po(copy / "locale" / "django.pot") if entry.msgid}
    shipped = {entry.key for entry in messages}
    assert sorted(extracted - shipped, key=str) == []
    assert sorted(shipped - extracted, key=str) == []


# The language rules: the switch's cookie, then Accept-Language, then (attendee pages) the event's


def switch_to(client, language: str, next_path: str):
    return client.post(reverse("set_language"), {"language": language, "next": next_path})


@pytest.mark.parametrize(
    ("cookie", "accept_language", "expected"),
    [
        (None, "", None),
        (None, "fr-FR,fr;q=0.9", None),
        (None, "*", None),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
        (None, "fr, en;q=0.5", "en"),
        ("en", "zh-CN", "en"),
        ("klingon", "zh", "zh-hans"),
    ],
)
def test_requested_language_reads_cookie_then_accept_language(cookie, accept_language, expected):
    request = RequestFactory().get("/", headers={"Accept-Language": accept_language})
    if cookie:
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie

    assert requested_language(request) == expected


def test_activate_event_language_falls_back_to_the_events_language():
    request = RequestFactory().get("/")
    event = EventFactory.build(language="zh-hans")

    assert activate_event_language(request, event) == "zh-hans"
    assert request.LANGUAGE_CODE == "zh-hans"
    assert translation.get_language() == "zh-hans"


@pytest.mark.django_db
def test_join_speaks_the_events_language_to_a_phone_without_accept_language(client):
    event = EventFactory(check_in=True, language="zh-hans")

    response = client.get(reverse("join", args=[event.join_code]))

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.text
    assert "加入并签到" in response.text
    assert "Join and check in" not in response.text


@pytest.mark.django_db
def test_join_speaks_the_events_language_when_the_phone_asks_for_none_we_ship(client):
    event = EventFactory(check_in=True, language="zh-hans")

    response = client.get(
        reverse("join", args=[event.join_code]), headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    )

    assert response["Content-Language"] == "zh-hans"
    assert "加入并签到" in response.text


@pytest.mark.django_db
def test_join_follows_accept_language_over_the_events_language(client):
    event = EventFactory(check_in=True, language="zh-hans")

    response = client.get(
        reverse("join", args=[event.join_code]), headers={"Accept-Language": "en"}
    )

    assert response["Content-Language"] == "en"
    assert "Join and check in" in response.text
    assert "加入并签到" not in response.text


@pytest.mark.django_db
def test_join_follows_a_chinese_phone_on_an_english_event(client):
    event = EventFactory(check_in=True, language="en")

    response = client.get(
        reverse("join", args=[event.join_code]), headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )

    assert response["Content-Language"] == "zh-hans"
    assert "加入并签到" in response.text


@pytest.mark.django_db
def test_language_switch_beats_accept_language_and_the_events_language(client):
    event = EventFactory(check_in=True, language="zh-hans")
    join_path = reverse("join", args=[event.join_code])

    switched = switch_to(client, "en", join_path)
    response = client.get(join_path, headers={"Accept-Language": "zh-CN"})

    assert switched.status_code == 302
    assert switched["Location"] == join_path
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert response["Content-Language"] == "en"
    assert "Join and check in" in response.text


@pytest.mark.django_db
def test_language_switch_posts_each_language_back_to_the_same_page(client):
    event = EventFactory(check_in=True, language="zh-hans")
    join_path = reverse("join", args=[event.join_code])

    response = client.get(join_path)

    assert f'action="{reverse("set_language")}"' in response.text
    assert f'<input type="hidden" name="next" value="{join_path}">' in response.text
    assert 'name="language" value="en" lang="en" class="link-button">English</button>' in (
        response.text
    )
    assert (
        'name="language" value="zh-hans" lang="zh-hans" class="link-button" '
        'aria-current="true">简体中文</button>'
    ) in response.text


@pytest.mark.django_db
def test_organizer_page_follows_accept_language(client):
    user = EventFactory(language="en").organizer
    client.force_login(user)

    response = client.get(reverse("event_list"), headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    assert response["Content-Language"] == "zh-hans"
    assert "<h1>我的活动</h1>" in response.text


@pytest.mark.django_db
def test_organizer_page_ignores_the_events_language(client):
    event = EventFactory(language="zh-hans")
    client.force_login(event.organizer)

    response = client.get(reverse("event_detail", args=[event.pk]))

    assert response["Content-Language"] == "en"
    assert "Live control" in response.text


@pytest.mark.django_db
def test_organizer_nav_has_the_language_switch(client):
    event = EventFactory()
    client.force_login(event.organizer)

    response = client.get(reverse("event_list"))

    nav = response.text.split('<nav class="topnav"', 1)[1].split("</nav>", 1)[0]
    assert f'action="{reverse("set_language")}"' in nav
    assert '<input type="hidden" name="next" value="/events/">' in nav


# Each surface in Chinese


@pytest.fixture
def chinese_attendee():
    return AttendeeFactory(event=EventFactory(check_in=True, language="zh-hans", rounds_count=6))


@pytest.mark.django_db
def test_join_start_renders_chinese_for_a_chinese_phone(client):
    response = client.get(reverse("join_start"), headers={"Accept-Language": "zh-hans"})

    assert response["Content-Language"] == "zh-hans"
    assert "<h1>加入活动</h1>" in response.text


@pytest.mark.django_db
def test_room_renders_chinese_for_a_chinese_event(client, chinese_attendee):
    response = client.get(reverse("room", args=[chinese_attendee.token]))

    assert response["Content-Language"] == "zh-hans"
    texts = response.context["texts"]
    assert texts["move"] == "请移步到 {table} 号桌"
    assert texts["stay"] == "留在 {table} 号桌"
    assert texts["round_of"] == "第 {round} 轮，共 {count} 轮"
    assert '"move": "\\u8bf7\\u79fb\\u6b65\\u5230 {table} \\u53f7\\u684c"' in response.text


@pytest.mark.django_db
def test_room_texts_have_the_placeholders_the_phone_fills(client, chinese_attendee):
    """Every translated sentence keeps the {placeholders} of the English one (static/js/now.js
    fills them), so no phone shows a bare "{table}" or loses the table number."""
    import re

    from django.utils import translation

    from feedback.texts import room_texts

    english = room_texts()
    with translation.override("zh-hans"):
        chinese = room_texts()

    for key, text in english.items():
        assert set(re.findall(r"{\w+}", chinese[key])) == set(re.findall(r"{\w+}", text)), key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({}, "zh-hans"),  # the event's
        ({"Accept-Language": "en-US,en;q=0.9"}, "en"),
        ({"Cookie": "django_language=en", "Accept-Language": "zh-CN"}, "en"),
    ],
)
def test_room_opens_its_socket_in_the_pages_language(client, chinese_attendee, headers, language):
    """The phone's socket URL carries the language the page speaks (``?lang=``): the socket
    sends its refusals in it (``config.i18n.socket_language``)."""
    response = client.get(reverse("room", args=[chinese_attendee.token]), headers=headers)

    assert response["Content-Language"] == language
    assert f'data-live-url="/ws/a/{chinese_attendee.token}/?lang={language}"' in response.text


@pytest.mark.parametrize(
    ("query", "headers", "expected"),
    [
        (b"lang=zh-hans", [], "zh-hans"),
        (b"lang=ZH-Hans", [(b"accept-language", b"en")], "zh-hans"),
        (b"lang=en&lang=zh-hans", [], "en"),  # the first only
        (b"lang=zh", [], "en"),  # exactly one of settings.LANGUAGES' codes, or none
        (b"lang=%00%ff", [(b"accept-language", b"zh-TW")], "zh-hans"),
        (b"lang=klingon", [(b"cookie", b"django_language=zh-hans; other=\xff")], "zh-hans"),
        (b"", [(b"cookie", b"django_language=klingon"), (b"accept-language", b"zh")], "zh-hans"),
        (b"", [(b"accept-language", b"fr, *;q=0.5")], "en"),
        (b"", [(b"Accept-Language", b"\xe4\xb8\xad")], "en"),
    ],
)
def test_socket_language_reads_the_url_then_the_handshake_then_the_default(
    query, headers, expected
):
    scope = {"type": "websocket", "query_string": query, "headers": headers}

    assert socket_language(scope, default="en") == expected
    assert socket_language({"type": "websocket"}, default="zh-hans") == "zh-hans"


@pytest.mark.django_db
def test_card_refusal_speaks_the_events_language(client, chinese_attendee):
    RoundFactory(event=chinese_attendee.event, number=1)

    response = client.post(
        reverse("card", args=[chinese_attendee.token]),
        {
            "action": "give",
            "client_id": "4f0c8a1e-0000-4000-8000-000000000001",
            "receiver": 999_999,
            "round": 1,
            "kind": "see_me",
        },
    )

    assert response.status_code == 400
    assert response.json() == {"error": "卡片只能发给同桌的人。"}


@pytest.mark.django_db
def test_leads_renders_chinese_for_a_chinese_event(client, chinese_attendee):
    response = client.get(reverse("leads", args=[chinese_attendee.token]))

    assert response["Content-Language"] == "zh-hans"
    assert "<h1>我的人脉线索</h1>" in response.text


@pytest.mark.django_db
def test_pitch_edit_renders_chinese_for_a_chinese_event(client, chinese_attendee):
    PitchFactory(attendee=chinese_attendee)

    response = client.get(reverse("pitch_edit", args=[chinese_attendee.token]))

    assert response["Content-Language"] == "zh-hans"
    assert "<h1>我的自我介绍</h1>" in response.text
    assert 'data-text-estimate="说完约需 %s 秒"' in response.text


@pytest.mark.django_db
def test_control_renders_chinese_for_a_chinese_organizer(client):
    event = EventFactory(check_in=True)
    client.force_login(event.organizer)

    response = client.get(reverse("control", args=[event.pk]), headers={"Accept-Language": "zh"})

    assert response["Content-Language"] == "zh-hans"
    assert 'aria-label="轮次控制"' in response.text
    assert ">制定排座计划</button>" in response.text


@pytest.mark.django_db
def test_plan_forecast_speaks_the_organizers_language(client):
    event = EventFactory(check_in=True, rounds_count=3)
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    client.force_login(event.organizer)

    response = client.get(reverse("plan", args=[event.pk]), headers={"Accept-Language": "zh"})

    assert "位不同的人（平均" in response.text
    assert "任何两人同桌都不超过" in response.text
    assert "最适合您的人数" in response.text
    assert "使用此每桌人数并制定安排" in response.text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", []),
        ("zh-CN,zh;q=0.9,en;q=0.8", ["zh-CN", "zh", "en"]),
        ("en;q=0.5, zh-Hans , fr;q=0.7", ["zh-Hans", "fr", "en"]),
        ("de;q=0.8,fr;q=0.8", ["de", "fr"]),  # equal quality: the header's order
        ("en;q=0,zh", ["zh"]),  # q=0: not wanted
        ("es-419;Q=1.000", ["es-419"]),
        ("*;q=0.1,en", ["en", "*"]),
        ("en;q=2,zh", ["zh"]),  # a quality above 1 is malformed: that entry only is dropped
        ("fr;q=0.5;level=1,zh", ["zh"]),
        ("not a language,zh", ["zh"]),
        ("toolonglanguage,en-US", ["en-US"]),
        (";q=0.5,,en", ["en"]),
    ],
)
def test_accept_language_ranges_orders_by_quality_and_drops_what_is_malformed(header, expected):
    assert accept_language_ranges(header) == expected


def test_accept_language_ranges_reads_a_long_header_up_to_its_last_whole_entry():
    entries = [f"aa-{n:03d}" for n in range(100)]  # 6 characters and a comma each
    header = ",".join(entries)

    ranges = accept_language_ranges(header)

    assert len(header) > ACCEPT_LANGUAGE_MAX_CHARS
    assert ranges == entries[: ACCEPT_LANGUAGE_MAX_CHARS // 7]
    assert accept_language_ranges("a" * (ACCEPT_LANGUAGE_MAX_CHARS + 1)) == []


# The language remembered for an attendee's mail: changed only by the switch on their own pages.


ATTENDEE_PAGES = ("room", "leads", "pitch_edit")


def organizers_laptop(client, language: str = "zh-hans"):
    """A browser whose language cookie came from the dashboard's switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def remembered(attendee) -> str:
    attendee.refresh_from_db()
    return attendee.language


@pytest.mark.django_db
@pytest.mark.parametrize("page", ATTENDEE_PAGES)
def test_attendee_page_opened_on_an_organizers_laptop_keeps_the_attendees_language(client, page):
    attendee = AttendeeFactory(event=EventFactory(check_in=True, language="en"), language="en")

    response = organizers_laptop(client).get(reverse(page, args=[attendee.token]))

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"  # the laptop reads its own language
    assert remembered(attendee) == "en"  # the attendee's mail does not follow it


@pytest.mark.django_db
def test_attendee_page_fills_a_blank_language_from_the_browser(client):
    """As at join: the first browser naming a language we ship fills a blank one."""
    attendee = AttendeeFactory(event=EventFactory(check_in=True, language="en"), language="")

    organizers_laptop(client).get(reverse("room", args=[attendee.token]))

    assert remembered(attendee) == "zh-hans"


@pytest.mark.django_db
def test_join_remembers_the_language_the_phone_joined_in(client):
    event = EventFactory(check_in=True, language="en")
    join_path = reverse("join", args=[event.join_code])
    switch_to(client, "zh-hans", join_path)

    response = client.post(join_path, {"name": "Ana", "email": "ana@example.com"}, follow=True)

    attendee = event.attendees.get(name="Ana")
    assert response.redirect_chain[0][0] == reverse("room", args=[attendee.token])
    assert attendee.language == "zh-hans"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ATTENDEE_PAGES)
def test_attendee_page_switch_posts_to_the_attendees_own_switch(client, page):
    attendee = AttendeeFactory(event=EventFactory(check_in=True, language="en"), language="en")

    response = client.get(reverse(page, args=[attendee.token]))

    action = reverse("attendee_language", args=[attendee.token])
    assert f'<form class="language-switch" method="post" action="{action}"' in response.text


@pytest.mark.django_db
def test_attendee_language_switch_sets_the_cookie_and_remembers_the_language(client):
    event = EventFactory(check_in=True, language="en")
    attendee = AttendeeFactory(event=event, language="en")
    someone_else = AttendeeFactory(event=event, language="en")
    leads_path = reverse("leads", args=[attendee.token])

    response = organizers_laptop(client, "en").post(
        reverse("attendee_language", args=[attendee.token]),
        {"language": "zh-hans", "next": leads_path},
    )

    assert response.status_code == 302
    assert response["Location"] == leads_path
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert remembered(attendee) == "zh-hans"
    assert remembered(someone_else) == "en"
    assert client.get(leads_path)["Content-Language"] == "zh-hans"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url", ["https://evil.example/a/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_attendee_language_switch_goes_back_only_to_this_site(client, next_url):
    attendee = AttendeeFactory(event=EventFactory(check_in=True), language="en")

    response = client.post(
        reverse("attendee_language", args=[attendee.token]),
        {"language": "zh-hans", "next": next_url},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("room", args=[attendee.token])
    assert remembered(attendee) == "zh-hans"


@pytest.mark.django_db
def test_attendee_language_switch_with_an_unknown_token_is_404_and_stores_nothing(client):
    attendee = AttendeeFactory(event=EventFactory(check_in=True), language="en")

    response = client.post(
        reverse("attendee_language", args=[attendee.token + "x"]), {"language": "zh-hans"}
    )

    assert response.status_code == 404
    assert remembered(attendee) == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "zh", "ZH-HANS", "", "zh-hans\n"])
def test_attendee_language_switch_refuses_a_language_we_do_not_ship(client, language):
    attendee = AttendeeFactory(event=EventFactory(check_in=True), language="en")

    response = client.post(
        reverse("attendee_language", args=[attendee.token]), {"language": language}
    )

    assert response.status_code == 400
    assert "This language is not offered here." in response.text
    assert remembered(attendee) == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_attendee_language_switch_refuses_get(client):
    attendee = AttendeeFactory(event=EventFactory(check_in=True), language="en")

    response = client.get(
        reverse("attendee_language", args=[attendee.token]), {"language": "zh-hans"}
    )

    assert response.status_code == 405
    assert remembered(attendee) == "en"


@pytest.mark.django_db
def test_attendee_language_switch_needs_the_csrf_token():
    from django.test import Client

    attendee = AttendeeFactory(event=EventFactory(check_in=True), language="en")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("attendee_language", args=[attendee.token]), {"language": "zh-hans"}
    )

    assert response.status_code == 403
    assert remembered(attendee) == "en"
