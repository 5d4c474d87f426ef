"""Browser tests: Debian's Chromium driven by Playwright against a real daphne."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM_PATH
from tests.live import daphne

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
JS = Path(__file__).resolve().parents[2] / "static" / "js"
JS_ORIGIN = "http://speednet.test"


def import_js_module(page: Any, module: str) -> Any:
    """``page`` on a blank page of ``JS_ORIGIN`` (no server: Playwright answers) whose
    ``/static/js/`` files are this tree's, with ``static/js/<module>.js`` imported as
    ``window.<module>``, for testing a module's functions in Chromium. Returns the page."""

    def serve(route: Any) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        if route.request.url.startswith(f"{JS_ORIGIN}/static/js/") and (JS / name).is_file():
            route.fulfill(body=(JS / name).read_text(), content_type="text/javascript")
        else:
            route.fulfill(body="<!doctype html><title>speednet</title><body></body>", status=200)

    page.route(f"{JS_ORIGIN}/**", serve)
    page.goto(JS_ORIGIN + "/")
    page.evaluate(f"async () => {{ window.{module} = await import('/static/js/{module}.js'); }}")
    return page


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server_url(transactional_db, tmp_path) -> Iterator[str]:
    with daphne(tmp_path) as url:
        yield url


@pytest.fixture
def chromium(_browser_available, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """One Chromium per test. Playwright's sync API keeps an event loop running in this thread,
    which Django's async-safety check would take for async code calling the ORM; the test's own
    ORM calls are synchronous, so the check is lifted for this test only."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _browser_available() -> None:
    from tests.conftest import browser_missing, is_required

    missing = browser_missing()
    if missing and is_required():
        pytest.fail(f"REQUIRE_SERVICES is set but {missing}", pytrace=False)
    if missing:
        pytest.skip(missing)


@pytest.fixture
def phone(chromium) -> Iterator[object]:
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# The password UserFactory gives every user.
PASSWORD = "correct horse battery staple"


def open_room(chromium, base_url: str, attendee, *, timeout_ms: int = 15_000):
    """A phone's page on ``attendee``'s room, its socket open: (page, the ``.room`` locator)."""
    from playwright.sync_api import expect

    page = chromium.new_context(**PHONE).new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(f"{base_url}/a/{attendee.token}/")
    room = page.locator(".room")
    expect(room).to_have_attribute("data-connection", "open")
    return page, room


def sign_in(chromium, base_url: str, username: str = "org", *, width=1280, height=800):
    """A laptop signed in as `username` (made by UserFactory): a new page on the event list."""
    page = chromium.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base_url}/events/")
    return page


def press_control(page, event, action: str, **fields: str):
    """Press the ``action`` button (its ``data-action``) on ``event``'s control panel in
    ``page``, an organizer's page already on the control page, after typing ``fields`` (input
    name → text) into the panel; wait up to 15 s for the button to be enabled and for the
    server's answer to the press (``/control/act/``). Asserts the answer is a success and the
    panel shows no error; returns the answer (a Playwright ``Response``). An action that asks
    first (mingle, close) needs ``page.on("dialog", lambda dialog: dialog.accept())`` set by the
    caller. The panel refreshes itself when the state changes: a click that lands on a panel
    being swapped sends nothing and is made again, as the organizer would, up to three times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect

    panel = page.locator(f"#event-{event.pk}-control")
    for attempt in range(3):
        for name, value in fields.items():
            panel.locator(f"[name={name}]").first.fill(value)
        button = panel.locator(f"button[data-action={action}]")
        expect(button, f"{action} is offered").to_be_enabled(timeout=15_000)
        try:
            with page.expect_request(lambda r: "/control/act/" in r.url, timeout=5_000) as sent:
                button.click()
            break
        except PlaywrightTimeoutError:  # no request: the click met a panel being swapped
            assert attempt < 2, f"{action} was never sent"
    answer = sent.value.response()
    assert answer is not None, action
    assert answer.ok, (action, answer.status)
    expect(panel.locator(".notice-error")).to_have_count(0)
    return answer


def offered_introduction(event):
    """Round 1 done at ``event``: Bo Lind offered Ana Costa an introduction ("my cousin at the
    port"). Returns the Introduction."""
    from feedback.models import Card, Introduction
    from tests.factories import RoundFactory, SeatFactory, TableFactory

    round_ = RoundFactory(event=event, number=1, done=True)
    table = TableFactory(round=round_, number=1)
    pitcher = SeatFactory(table=table, speaking_order=0, attendee__name="Ana Costa").attendee
    introducer = SeatFactory(table=table, speaking_order=1, attendee__name="Bo Lind").attendee
    card = Card.objects.create(
        round=round_,
        giver=introducer,
        receiver=pitcher,
        kind="introduce",
        note="my cousin at the port",
        client_id="00000000-0000-4000-8000-000000000001",
    )
    return Introduction.objects.create(card=card, target=card.note)


def rescue_evening(**event_fields):
    """The rescue round ready to press: 24 checked-in people at tables of four over three rounds,
    the first two played, and a pitcher with no card so far whose best-scored helper (by the
    pitches) can join their table in the last round by one swap. ``event_fields`` go to the
    event (its organizer, say). Returns (event, people by id, pitcher id, helper id)."""
    from rounds import services
    from tests.browser.test_projector import in_a_thread
    from tests.factories import AttendeeFactory, EventFactory
    from tests.rounds.test_rescue_round import card_history, one_swap_helper, play, write_pitches

    event = EventFactory(
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=180,
        is_rescuing_last_round=True,
        **event_fields,
    )
    people = AttendeeFactory.create_batch(24, event=event, checked_in=True)

    def first_two_rounds() -> None:
        services.make_plan(event, by=None, time_limit=0.3)
        play(event, 1, 2)

    in_a_thread(first_two_rounds)  # the pushes need a thread without Playwright's loop
    pitcher, helper = one_swap_helper(event, people)
    card_history(event, people)
    write_pitches(people, {pitcher: helper})
    return event, {person.pk: person for person in people}, pitcher, helper
