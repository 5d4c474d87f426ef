"""static/js/now.js, the one rule for what a phone and the projector show, in Chromium.

Pure functions, on a stand-in origin serving the tree's files: every (phase, seated?, pitcher?)
combination of the phone's instruction, and every stage of the projector.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import import_js_module

T0 = 1_800_000_000_000  # server ms: round starts here
PITCH = 30_000


@pytest.fixture
def now_js(phone: Page) -> Page:
    return import_js_module(phone, "now")


def state(status: str = "live", round_: dict | None = None, **event: Any) -> dict:
    return {
        "version": 3,
        "event": {
            "id": 1,
            "status": status,
            "rounds_count": 3,
            "round_ms": 180_000,
            "pitch_ms": PITCH,
            "has_plan": True,
        }
        | event,
        "round": round_,
        "announcement": None,
    }


def a_round(number: int = 1, **fields: Any) -> dict:
    return {
        "number": number,
        "status": "running",
        "starts_at": T0,
        "ends_at": T0 + 180_000,
        "turns_at": T0,
        "paused_at": None,
        "paused_remaining_ms": None,
        "ended_at": None,
        "pitches": 3,
    } | fields


# Me at table 4 in round 1 (second to speak, of three), table 7 in round 2, no seat in round 3.
STOPS = {
    1: {
        "table": 4,
        "seats": [
            {"order": 0, "name": "Kenji", "isMe": False},
            {"order": 1, "name": "Me", "isMe": True},
            {"order": 2, "name": "Lucas", "isMe": False},
        ],
    },
    2: {"table": 7, "seats": [{"order": 0, "name": "Me", "isMe": True}]},
}


def instruction(
    page: Page,
    st: dict | None,
    at: int,
    *,
    stops=STOPS,
    left=False,
    removed=False,
    checked_in=True,
    gone=False,
):
    return page.evaluate(
        """([st, stops, at, left, removed, checkedIn, gone]) => {
             const itinerary = {left, removed, checkedIn,
               stops: new Map(Object.entries(stops).map(([k, v]) => [Number(k), v]))};
             return now.instructionFor(st, itinerary, at, gone);
           }""",
        [st, stops, at, left, removed, checked_in, gone],
    )


def brief(result: dict) -> tuple:
    return (result["kind"], result["round"], result["table"], result["stop"], result["cards"])


SEATED_CASES = [
    (None, T0, ("connecting", None, None, None, False)),
    (state("draft"), T0, ("first_table", 1, 4, 1, False)),  # a plan made before the doors open
    (state("check_in"), T0, ("first_table", 1, 4, 1, False)),
    (state("live", a_round()), T0 - 2_000, ("starting", 1, 4, 1, True)),
    (state("live", a_round()), T0 + 1_000, ("listening", 1, 4, 1, True)),
    (state("live", a_round()), T0 + PITCH + 1, ("my_turn", 1, 4, 1, True)),
    (state("live", a_round()), T0 + 2 * PITCH + 1, ("listening", 1, 4, 1, True)),
    (state("live", a_round()), T0 + 3 * PITCH + 1, ("open_talk", 1, 4, 1, True)),
    (
        state("live", a_round(status="paused", paused_at=T0 + 40_000)),
        T0 + 90_000,
        ("paused", 1, 4, 1, True),
    ),
    (state("live", a_round(status="done")), T0 + 200_000, ("move", 2, 7, 2, False)),
    (state("live", a_round()), T0 + 180_000, ("move", 2, 7, 2, False)),  # time ran out
    (state("live", a_round(2)), T0 + 1_000, ("my_turn", 2, 7, 2, True)),
    (
        state("live", a_round(2, status="done")),
        T0 + 200_000,
        ("not_seated", 3, None, None, False),
    ),
    (state("live", a_round(3)), T0 + 1_000, ("not_seated", 3, None, None, False)),
    (
        state("live", a_round(3, status="done")),
        T0 + 200_000,
        ("mingle", None, None, None, False),
    ),
    (
        state("mingle", a_round(2, status="done")),
        T0 + 200_000,
        ("mingle", None, None, None, False),
    ),
    (
        state("closed", a_round(3, status="done")),
        T0 + 200_000,
        ("closed", None, None, None, False),
    ),
]


def test_instruction_for_every_state_of_a_seated_attendee(now_js):
    """Every phase × seated or not × pitcher or listener, for one attendee's itinerary."""
    shown = [brief(instruction(now_js, st, at)) for st, at, _ in SEATED_CASES]

    assert shown == [expected for _, _, expected in SEATED_CASES]


def test_instruction_between_rounds_says_stay_when_the_next_table_is_the_same(now_js):
    """Between rounds someone whose next table is the one they sit at is told to stay there, not
    to move to it; a different table is a move; no seat in the round just over is a move."""
    staying = {**STOPS, 2: {**STOPS[2], "table": 4}}
    no_seat_before = {2: STOPS[2]}
    cases = [
        (staying, state("live", a_round(status="done")), T0 + 200_000),
        (staying, state("live", a_round()), T0 + 180_000),  # time ran out
        (STOPS, state("live", a_round(status="done")), T0 + 200_000),
        (no_seat_before, state("live", a_round(status="done")), T0 + 200_000),
    ]

    shown = [brief(instruction(now_js, st, at, stops=stops)) for stops, st, at in cases]

    assert shown == [
        ("stay", 2, 4, 2, False),
        ("stay", 2, 4, 2, False),
        ("move", 2, 7, 2, False),
        ("move", 2, 7, 2, False),
    ]


def test_instruction_names_the_pitcher_and_counts_down_the_slot(now_js):
    result = instruction(now_js, state("live", a_round()), T0 + 10_000)

    assert result["pitcher"] == "Kenji"
    assert result["pitch"] == {"index": 0, "count": 3, "leftMs": 20_000}
    assert result["clockMs"] == 170_000


def test_instruction_freezes_the_slot_while_paused(now_js):
    paused = state("live", a_round(status="paused", paused_at=T0 + 40_000))

    result = instruction(now_js, paused, T0 + 100_000)

    assert (result["pitcher"], result["pitch"]["leftMs"], result["clockMs"]) == (
        "Me",
        20_000,
        140_000,
    )


def test_instruction_for_someone_marked_gone_says_so_until_the_rounds_are_over(now_js):
    """Marked gone at the door: no table (their seats stay until the next re-plan, which leaves
    them out), and "ask the organizer" is not what to do: checking in again at the door is.
    Before the plan too (it will leave them out: not "your table appears here"). After the
    rounds, as everyone: mingle and the close."""
    cases = [
        (state("check_in", has_plan=False), T0, {}, "left"),
        (state("check_in"), T0, STOPS, "left"),
        (state("live", a_round()), T0 - 2_000, STOPS, "left"),  # the count-in
        (state("live", a_round()), T0 + 1_000, STOPS, "left"),
        (state("live", a_round(status="paused", paused_at=T0 + 5_000)), T0 + 9_000, STOPS, "left"),
        (state("live", a_round(status="done")), T0 + 200_000, STOPS, "left"),
        (state("live", a_round(3, status="done")), T0 + 200_000, STOPS, "mingle"),
        (state("mingle", a_round(3, status="done")), T0 + 200_000, STOPS, "mingle"),
        (state("closed", a_round(3, status="done")), T0 + 200_000, STOPS, "closed"),
    ]

    shown = [instruction(now_js, st, at, stops=stops, left=True) for st, at, stops, _ in cases]

    assert [result["kind"] for result in shown] == [kind for *_, kind in cases]
    assert {(r["table"], r["stop"], r["cards"]) for r in shown} == {(None, None, False)}


def test_instruction_for_someone_removed_after_a_report_is_removed_in_every_state(now_js):
    """Taken out of the rounds after a report (which marks them gone too): never the gone text
    that sends them back to the door, where checking in again is refused; no table from the
    round under way on, whatever seat it held; and no mingle invitation once the last round
    is over (removed during or after it), nor at the close: the neutral notice throughout."""
    cases = [
        (None, T0),  # before any state: the page already knows
        (state("check_in"), T0),
        (state("live", a_round()), T0 - 2_000),
        (state("live", a_round()), T0 + 1_000),  # their turn at table 4 before
        (state("live", a_round(status="paused", paused_at=T0 + 5_000)), T0 + 9_000),
        (state("live", a_round(status="done")), T0 + 200_000),  # between rounds
        (state("live", a_round(3)), T0 + 1_000),  # the last round
        (state("live", a_round(3, status="done")), T0 + 200_000),  # the last one is over
        (state("mingle", a_round(3, status="done")), T0 + 200_000),
        (state("closed", a_round(3, status="done")), T0 + 200_000),
    ]

    shown = [instruction(now_js, st, at, left=False, removed=True) for st, at in cases]

    assert [result["kind"] for result in shown] == ["removed"] * len(cases)
    assert {(r["table"], r["stop"], r["cards"]) for r in shown} == {(None, None, False)}


def test_instruction_without_a_seat_before_and_after_the_plan(now_js):
    unplanned = state("check_in", has_plan=False)

    assert instruction(now_js, unplanned, T0, stops={}, checked_in=False)["kind"] == "welcome"
    draft = state("draft", has_plan=False)  # a personal link opened before check-in opens
    assert instruction(now_js, draft, T0, stops={}, checked_in=False)["kind"] == "welcome"
    assert instruction(now_js, unplanned, T0, stops={})["kind"] == "waiting_plan"
    assert instruction(now_js, state("check_in"), T0, stops={})["kind"] == "not_seated"


@pytest.mark.parametrize(
    ("st", "at"),
    [
        (state("check_in"), T0),
        (state("live", a_round(1)), T0 + 1_000),
        (state("live", a_round(1, status="paused", paused_at=T0 + 1_000)), T0 + 2_000),
        (state("live", a_round(1, status="done", ended_at=T0 + 1_000)), T0 + 2_000),
        (state("live", a_round(1), seats_walk_ins=True), T0 + 1_000),
    ],
)
def test_instruction_for_someone_not_checked_in_once_the_plan_is_made_says_check_in(now_js, st, at):
    """Registered, not at the door yet, once the plan is made (the plan seats only those here):
    the phone asks them to check in at the door, not "You're checked in" (it is not true)."""
    shown = instruction(now_js, st, at, stops={}, checked_in=False)

    assert (shown["kind"], shown["table"], shown["stop"]) == ("welcome", None, None)


def test_instruction_for_a_walk_in_seated_from_a_later_round_names_that_first_table(now_js):
    """A walk-in a re-plan seated from round 3 on while round 2 is on (starting, running or
    paused) is told where they join, calmly, not to ask the organizer; between rounds 2 and 3
    the usual move. No seat in the round on nor any later one is still a question for the
    organizer; nor does a seat in a round already played count."""
    from_round_3 = {3: {"table": 2, "seats": [{"order": 3, "name": "Me", "isMe": True}]}}
    paused = a_round(2, status="paused", paused_at=T0 + 5_000)
    cases = [
        (from_round_3, state("live", a_round(2)), T0 - 2_000),  # the count-in
        (from_round_3, state("live", a_round(2)), T0 + 1_000),
        (from_round_3, state("live", paused), T0 + 9_000),
        (from_round_3, state("live", a_round(1, status="done")), T0 + 200_000),
        (from_round_3, state("check_in"), T0),
        (from_round_3, state("live", a_round(2, status="done")), T0 + 200_000),
        ({1: STOPS[1]}, state("live", a_round(2)), T0 + 1_000),
        ({}, state("live", a_round(2)), T0 + 1_000),
    ]

    shown = [brief(instruction(now_js, st, at, stops=stops)) for stops, st, at in cases]

    assert shown == [
        ("joins_later", 3, 2, 3, False),
        ("joins_later", 3, 2, 3, False),
        ("joins_later", 3, 2, 3, False),
        ("joins_later", 3, 2, 3, False),  # between rounds 1 and 2: round 3 is theirs
        ("joins_later", 3, 2, 3, False),
        ("move", 3, 2, 3, False),
        ("not_seated", 2, None, None, False),
        ("not_seated", 2, None, None, False),
    ]


def test_instruction_for_a_walk_in_at_an_event_that_seats_walk_ins_names_the_next_round(now_js):
    """Checked in with no seat at an event that seats walk-ins as a round starts: told that
    the next round to start gives them a table (round 3 while round 2 is on, round 2 between
    rounds 1 and 2, round 1 before the rounds), never a table. Not checked in: asked to check in
    at the door. Without a plan, with a seat to come, or with no round left: as without the
    switch."""
    auto = {"seats_walk_ins": True}
    paused = a_round(2, status="paused", paused_at=T0 + 5_000)
    from_round_3 = {3: {"table": 2, "seats": [{"order": 3, "name": "Me", "isMe": True}]}}
    cases = [
        ({}, state("live", a_round(2), **auto), T0 - 2_000, True),  # the count-in
        ({}, state("live", a_round(2), **auto), T0 + 1_000, True),
        ({}, state("live", paused, **auto), T0 + 9_000, True),
        ({}, state("live", a_round(1, status="done"), **auto), T0 + 200_000, True),
        ({}, state("check_in", **auto), T0, True),
        ({}, state("live", a_round(3), **auto), T0 + 1_000, True),  # the last round
        ({}, state("live", a_round(2), **auto), T0 + 1_000, False),  # not checked in
        ({}, state("check_in", has_plan=False, **auto), T0, True),
        (from_round_3, state("live", a_round(2), **auto), T0 + 1_000, True),
        ({}, state("live", a_round(2)), T0 + 1_000, True),  # the switch off
    ]

    shown = [
        brief(instruction(now_js, st, at, stops=stops, checked_in=checked_in))
        for stops, st, at, checked_in in cases
    ]

    assert shown == [
        ("table_at_start", 3, None, None, False),
        ("table_at_start", 3, None, None, False),
        ("table_at_start", 3, None, None, False),
        ("table_at_start", 2, None, None, False),
        ("table_at_start", 1, None, None, False),
        ("not_seated", 3, None, None, False),
        ("welcome", None, None, None, False),
        ("waiting_plan", None, None, None, False),
        ("joins_later", 3, 2, 3, False),
        ("not_seated", 2, None, None, False),
    ]


def test_instruction_when_the_link_no_longer_works(now_js):
    assert instruction(now_js, state("live", a_round()), T0, gone=True)["kind"] == "gone"


SCREEN_CASES = [
    (None, T0, "connecting", None, None),
    (state("draft", has_plan=False), T0, "draft", None, None),  # joining is not open yet
    (state("draft"), T0, "draft", None, None),
    (state("check_in", has_plan=False), T0, "check_in", None, None),
    (state("check_in"), T0, "check_in", 1, None),
    (state("live", a_round()), T0 - 1_000, "starting", 1, None),
    (
        state("live", a_round()),
        T0 + 65_000,
        "running",
        1,
        {"index": 2, "count": 3, "leftMs": 25_000},
    ),
    (state("live", a_round()), T0 + 100_000, "running", 1, None),
    (
        state("live", a_round(status="paused", paused_at=T0 + 5_000)),
        T0 + 9_000,
        "paused",
        1,
        {"index": 0, "count": 3, "leftMs": 25_000},
    ),
    (state("live", a_round(status="done")), T0 + 200_000, "between", 2, None),
    (state("live", a_round(3, status="done")), T0 + 200_000, "last_over", 3, None),
    (state("mingle", a_round(3, status="done")), T0 + 200_000, "mingle", 3, None),
    (state("closed", a_round(3, status="done")), T0 + 200_000, "closed", 3, None),
]


def test_screen_for_every_stage_of_the_projector(now_js):
    shown = [
        now_js.evaluate(
            "([st, at]) => { const s = now.screenFor(st, at); return [s.kind, s.round, s.pitch]; }",
            [st, at],
        )
        for st, at, *_ in SCREEN_CASES
    ]

    assert shown == [list(expected) for _, _, *expected in SCREEN_CASES]


def test_seating_ahead_until_the_last_round_starts(now_js):
    """As the server's ``Event.has_seating_ahead``: "Don't seat me with…" acts on a plan or
    re-plan, and none is left once the plan's last round (3 of 3) has started."""
    cases = [
        (None, None),  # no state yet: the page's own answer stands
        (state("draft", has_plan=False), True),
        (state("check_in"), True),
        (state("live", a_round()), True),
        (state("live", a_round(2, status="done")), True),
        (state("live", a_round(3, starts_at=T0 + 3_000)), False),  # its count-in
        (state("live", a_round(3)), False),
        (state("live", a_round(3, status="done")), False),
        (state("mingle", a_round(2, status="done")), False),  # the rest skipped
        (state("closed", a_round(3, status="done")), False),
    ]

    ahead = [now_js.evaluate("(st) => now.hasSeatingAhead(st)", st) for st, _ in cases]

    assert ahead == [expected for _, expected in cases]


def test_pitch_prompt_before_the_rounds_then_for_them_then_none(now_js):
    """As the server's ``rounds.queries.pitch_prompt``: "before the rounds start" only until
    the first one starts, then the prompt for the rounds under way (between them too), none
    once the last has started: no table is to come."""
    cases = [
        (None, None),  # no state yet: the page's own answer stands
        (state("draft", has_plan=False), "before"),
        (state("check_in"), "before"),
        (state("live"), "before"),  # live, no round started yet
        (state("live", a_round(starts_at=T0 + 3_000)), "rounds"),  # round 1's count-in
        (state("live", a_round()), "rounds"),
        (state("live", a_round(status="paused", paused_at=T0 + 1_000)), "rounds"),
        (state("live", a_round(2, status="done")), "rounds"),  # between rounds
        (state("live", a_round(3)), "none"),  # the last round: no table is to come
        (state("live", a_round(3, status="done")), "none"),
        (state("live", a_round(3, ends_at=T0 + 1_000)), "none"),  # its time ran out
        (state("mingle", a_round(2, status="done")), "none"),
        (state("closed", a_round(3, status="done")), "none"),
    ]

    prompts = [
        now_js.evaluate("([st, t]) => now.pitchPromptFor(st, t)", [st, T0 + 5_000])
        for st, _ in cases
    ]

    assert prompts == [expected for _, expected in cases]
    removed = [
        now_js.evaluate("([st, t]) => now.pitchPromptFor(st, t, true)", [st, T0 + 5_000])
        for st, _ in cases
    ]
    assert removed == [None] + ["none"] * (len(cases) - 1)  # taken out of the rounds


def test_fill_replaces_known_placeholders_only(now_js):
    filled = now_js.evaluate(
        "async () => (await import('/static/js/text.js')).fill('Table {table} · {who}', {table: 7})"
    )
    assert filled == "Table 7 · {who}"


def test_announcement_shows_until_it_expires(now_js):
    now_js.evaluate("async () => { window.live = await import('/static/js/live.js'); }")
    shown = now_js.evaluate(
        """() => {
             const st = (a) => ({announcement: a});
             const a = {text: 'Coffee', at: 1000, expires_at: 5000};
             return [live.announcementAt(st(a), 4999), live.announcementAt(st(a), 5000),
                     live.announcementAt(st({text: 'Forever', at: 1, expires_at: null}), 9e12),
                     live.announcementAt(st(null), 1), live.announcementAt(null, 1)];
           }"""
    )

    assert shown == ["Coffee", "", "Forever", "", ""]


def test_instruction_after_the_rounds_for_someone_who_never_checked_in_is_absent(now_js):
    """A no-show opening the link after the close: the event is over, with no thanks for
    coming; once the last round is over or the organizer opened the mingling: the rounds are
    over, and the door is where to join (no "see who wants to meet you": nobody met them).
    Whoever checked in (gone since or not) is thanked and invited as before."""
    closed = state("closed", a_round(3, status="done"))
    mingle = state("mingle", a_round(3, status="done"))
    last_over = state("live", a_round(3, status="done"))
    at = T0 + 200_000

    kinds = [
        instruction(now_js, closed, at, stops={}, checked_in=False)["kind"],
        instruction(now_js, closed, at, checked_in=True)["kind"],
        instruction(now_js, closed, at, checked_in=True, left=True)["kind"],
        instruction(now_js, mingle, at, stops={}, checked_in=False)["kind"],
        instruction(now_js, last_over, at, stops={}, checked_in=False)["kind"],
        instruction(now_js, mingle, at, checked_in=True)["kind"],
        instruction(now_js, mingle, at, checked_in=True, left=True)["kind"],
        instruction(now_js, last_over, at, checked_in=True)["kind"],
    ]

    assert kinds == [
        "closed_absent",
        "closed",
        "closed",
        "mingle_absent",
        "mingle_absent",
        "mingle",
        "mingle",
        "mingle",
    ]


def test_instruction_keeps_every_later_slot_when_a_tablemate_who_pitched_left_mid_round(now_js):
    """Kenji (order 0) was removed after a report once he had pitched: his seat is gone, the
    orders after it stay, so the table still has three slots and the last one is mine."""
    seats = [
        {"order": 1, "name": "Lucas", "isMe": False},
        {"order": 2, "name": "Me", "isMe": True},
    ]
    stops = {1: {"table": 4, "seats": seats}}

    second = instruction(now_js, state("live", a_round()), T0 + PITCH + 1, stops=stops)
    last = instruction(now_js, state("live", a_round()), T0 + 2 * PITCH + 1, stops=stops)

    assert (second["kind"], second["pitcher"]) == ("listening", "Lucas")
    assert (last["kind"], last["pitch"]["count"]) == ("my_turn", 3)


def test_instruction_gives_the_next_pitcher_a_full_slot_when_the_current_one_left(now_js):
    """Kenji (order 0) left 14 s into his slot: I (now order 0) pitch at once for a whole slot,
    my table's turns 14 s behind the round's (``turn_shifts``); another table keeps the round's
    turns, and the round clock is the same for both."""
    seats = [
        {"order": 0, "name": "Me", "isMe": True},
        {"order": 1, "name": "Lucas", "isMe": False},
    ]
    shifted = state("live", a_round(turn_shifts={"4": 14_000}, pitches=2))
    at = T0 + 14_000 + 500

    mine = instruction(now_js, shifted, at, stops={1: {"table": 4, "seats": seats}})
    elsewhere = instruction(now_js, shifted, at, stops={1: {"table": 5, "seats": seats}})
    next_one = instruction(
        now_js, shifted, T0 + 14_000 + PITCH, stops={1: {"table": 4, "seats": seats}}
    )

    assert (mine["kind"], mine["pitch"]) == ("my_turn", {"index": 0, "count": 2, "leftMs": 29_500})
    assert (elsewhere["kind"], elsewhere["pitch"]["leftMs"]) == ("my_turn", 15_500)
    assert mine["clockMs"] == elsewhere["clockMs"] == 180_000 - 14_500
    assert (next_one["kind"], next_one["pitcher"]) == ("listening", "Lucas")
