"""Card taps over the phone's socket: acknowledged, idempotent, refused with the reason, pushed to
the pitcher, and never given in anyone's name but the socket's own attendee."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import OperationalError

from feedback import consumers, retention
from feedback.models import Card, Introduction
from tests.conftest import ORIGIN, acreate, open_phone
from tests.factories import AttendeeFactory, EventFactory, RoundFactory, SeatFactory, TableFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def phone_of(asgi_app, attendee) -> WebsocketCommunicator:
    phone, _, _ = await open_phone(asgi_app, attendee.token)
    return phone


@database_sync_to_async
def seated(people: int, *, tables: int = 1) -> list[list]:
    """Round 1 of a live event, running, with ``tables`` tables of ``people`` each."""
    round_ = RoundFactory(event=EventFactory(live=True), number=1, running=True)
    seating = []
    for number in range(1, tables + 1):
        table = TableFactory(round=round_, number=number)
        seating.append([SeatFactory(table=table, speaking_order=k).attendee for k in range(people)])
    return seating


def tap(receiver, *, action="give", kind="see_me", client_id=None, **extra) -> str:
    frame = {
        "type": "card",
        "action": action,
        "client_id": client_id or str(uuid.uuid4()),
        "receiver": receiver.pk,
        "round": 1,
        "kind": kind,
        **extra,
    }
    return json.dumps(frame)


@database_sync_to_async
def cards() -> list[tuple[int, int, str, str]]:
    return list(Card.objects.values_list("giver_id", "receiver_id", "kind", "note"))


async def test_phone_consumer_gives_a_card_acks_it_and_pushes_it_to_the_pitcher(asgi_app):
    [[pitcher, listener]] = await seated(2)
    pitcher_phone = await phone_of(asgi_app, pitcher)
    listener_phone = await phone_of(asgi_app, listener)
    client_id = str(uuid.uuid4())

    await listener_phone.send_to(text_data=tap(pitcher, client_id=client_id))

    ack = json.loads(await listener_phone.receive_from())
    [card] = await database_sync_to_async(list)(Card.objects.all())
    assert ack == {
        "type": "card_ack",
        "client_id": client_id,
        "action": "give",
        "ok": True,
        "card": card.pk,
        "card_client_id": client_id,
        "other_round": False,
    }
    pushed = json.loads(await pitcher_phone.receive_from())
    assert pushed["card"] == {
        "id": card.pk,
        "round": 1,
        "kind": "see_me",
        "note": "",
        "giver": {"id": listener.pk, "name": listener.name},
        "is_given": True,
    }
    await pitcher_phone.disconnect()
    await listener_phone.disconnect()


@pytest.mark.parametrize(
    "note",
    [
        "👨‍👩‍👧" * 199 + "e\u0301",  # 200 characters as read, 997 code points
        '"' * 200,  # each one escaped in the frame's JSON: 400 characters
        "\\" * 200,
    ],
    ids=["joined-emoji", "quotes", "backslashes"],
)
async def test_phone_consumer_takes_a_note_at_its_limit_whatever_its_characters(asgi_app, note):
    """A note of 200 characters as a reader counts them is within the limit however many code
    points it takes: its frame is not dropped as too long, the card is written with the note
    whole and the phone hears its ack. The frame is written as the phone writes it
    (``JSON.stringify`` leaves characters beyond ASCII as they are)."""
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    frame = json.dumps(json.loads(tap(pitcher, kind="introduce", note=note)), ensure_ascii=False)

    await phone.send_to(text_data=frame)
    answer = json.loads(await phone.receive_from(timeout=5))

    assert (answer["type"], answer["ok"]) == ("card_ack", True)
    assert await cards() == [(listener.pk, pitcher.pk, "introduce", note)]
    await phone.disconnect()


async def test_phone_consumer_tap_sent_twice_counts_once(asgi_app):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    frame = tap(pitcher, kind="introduce", note="my cousin at the port")

    await phone.send_to(text_data=frame)
    await phone.send_to(text_data=frame)
    first = json.loads(await phone.receive_from())
    again = json.loads(await phone.receive_from())

    assert first == again
    assert await cards() == [(listener.pk, pitcher.pk, "introduce", "my cousin at the port")]
    assert await database_sync_to_async(Introduction.objects.count)() == 1
    await phone.disconnect()


async def test_phone_consumer_give_of_a_card_given_before_answers_with_the_cards_client_id(
    asgi_app,
):
    """Two tabs of one link: the second tab, which missed the first one's give, gives the same
    card with a client id of its own. Its answer names the card's client id, so a take-back from
    that tab takes back the card that is there (its own id would take back nothing)."""
    [[pitcher, listener]] = await seated(2)
    first_tab = await phone_of(asgi_app, listener)
    second_tab = await phone_of(asgi_app, listener)
    given, again = str(uuid.uuid4()), str(uuid.uuid4())
    await first_tab.send_to(text_data=tap(pitcher, client_id=given))
    assert json.loads(await first_tab.receive_from())["card_client_id"] == given

    await second_tab.send_to(text_data=tap(pitcher, client_id=again))

    ack = json.loads(await second_tab.receive_from())
    assert ack["client_id"] == again  # the tap's own, to match its answer
    assert ack["ok"] is True
    assert ack["card_client_id"] == given
    assert len(await cards()) == 1
    await first_tab.disconnect()
    await second_tab.disconnect()


def count_written_taps(monkeypatch, *, gate: threading.Event | None = None) -> list[int]:
    """Patch the writer's batch function: the number of taps of each batch it was given, and
    (with ``gate``) every batch waits for the gate to open."""
    written: list[int] = []
    real = consumers.write_taps

    def write_taps(taps):
        written.append(len(taps))
        if gate is not None:
            assert gate.wait(10)
        return real(taps)

    monkeypatch.setattr(consumers, "write_taps", write_taps)
    return written


async def test_phone_consumer_double_tap_is_written_once_and_both_are_answered(
    asgi_app, monkeypatch
):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    written = count_written_taps(monkeypatch)
    frame = tap(pitcher)

    await phone.send_to(text_data=frame)
    await phone.send_to(text_data=frame)
    first = json.loads(await phone.receive_from())
    again = json.loads(await phone.receive_from())

    assert first == again
    assert first["ok"]
    assert sum(written) == 1  # the second frame joined the first one's answer
    assert len(await cards()) == 1
    await phone.disconnect()


async def test_phone_consumer_answers_taps_in_the_order_they_came(asgi_app, monkeypatch):
    [[pitcher, listener, other]] = await seated(3)
    phone = await phone_of(asgi_app, listener)
    gate = threading.Event()
    count_written_taps(monkeypatch, gate=gate)
    given = str(uuid.uuid4())
    frames = [
        tap(pitcher, client_id=given),
        tap(other),
        tap(pitcher, action="take_back", client_id=given),
        tap(pitcher),
    ]

    for frame in frames:
        await phone.send_to(text_data=frame)
    gate.set()
    acks = [json.loads(await phone.receive_from(timeout=5)) for _ in frames]

    assert [(a["client_id"], a["action"]) for a in acks] == [
        (json.loads(f)["client_id"], json.loads(f)["action"]) for f in frames
    ]
    assert all(a["ok"] for a in acks)
    assert sorted(receiver for _, receiver, _, _ in await cards()) == sorted([pitcher.pk, other.pk])
    await phone.disconnect()


async def test_phone_consumer_holds_at_most_its_share_of_taps_in_flight(asgi_app, monkeypatch):
    [people] = await seated(2)
    listener, pitcher = people
    phone = await phone_of(asgi_app, listener)
    gate = threading.Event()
    written = count_written_taps(monkeypatch, gate=gate)
    frames = [tap(pitcher, kind="introduce", note=f"cousin {n}") for n in range(20)]

    for frame in frames:
        await phone.send_to(text_data=frame)
    await asyncio.sleep(0.3)
    waiting = consumers.tap_writer().queue.qsize()
    gate.set()
    acks = [json.loads(await phone.receive_from(timeout=5)) for _ in frames]

    # the taps in flight are being written or wait behind them; the socket reads no more
    # frames until one is answered
    assert written[0] + waiting == consumers.MAX_TAPS_IN_FLIGHT
    assert [a["client_id"] for a in acks] == [json.loads(f)["client_id"] for f in frames]
    assert len(await cards()) == 1  # one introduction card per pair: the first one counts
    await phone.disconnect()


async def test_phone_consumer_takes_a_card_back(asgi_app):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    client_id = str(uuid.uuid4())
    await phone.send_to(text_data=tap(pitcher, client_id=client_id))
    await phone.receive_from()

    await phone.send_to(text_data=tap(pitcher, action="take_back", client_id=client_id))

    ack = json.loads(await phone.receive_from())
    assert (ack["action"], ack["ok"], ack["card"]) == ("take_back", True, None)
    assert await cards() == []
    await phone.disconnect()


async def test_phone_consumer_says_whether_a_take_back_took_a_card_back(asgi_app):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    client_id, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    await phone.send_to(text_data=tap(pitcher, client_id=client_id))
    await phone.receive_from()

    await phone.send_to(text_data=tap(pitcher, action="take_back", client_id=client_id))
    taken = json.loads(await phone.receive_from())
    await phone.send_to(text_data=tap(pitcher, action="take_back", client_id=client_id))
    again = json.loads(await phone.receive_from())
    await phone.send_to(text_data=tap(pitcher, action="take_back", client_id=unknown))
    never = json.loads(await phone.receive_from())

    # ok either way: the phone clears the take-back from its outbox; "none" says nothing changed
    assert [(a["client_id"], a["ok"], a["card"], a["result"]) for a in (taken, again, never)] == [
        (client_id, True, None, "taken_back"),
        (client_id, True, None, "none"),
        (unknown, True, None, "none"),
    ]
    assert await cards() == []
    await phone.disconnect()


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"round": 0}, "round: Ensure this value is greater than or equal to 1."),
        ({"round": "x"}, "round: Enter a whole number."),
        ({"round": -1, "kind": "hug"}, "round: Ensure this value is greater than or equal to 1."),
    ],
)
async def test_phone_consumer_refuses_a_malformed_tap_with_one_clear_error(asgi_app, extra, error):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)

    await phone.send_to(text_data=tap(pitcher, **extra))

    ack = json.loads(await phone.receive_from())
    assert (ack["action"], ack["ok"], ack["code"]) == ("give", False, "invalid")
    assert ack["error"] == error
    assert await cards() == []
    await phone.disconnect()


UNKNOWN_ACTION = "This phone sent a tap this server does not know. Reload the page and tap again."


@pytest.mark.parametrize(
    ("action", "echoed"),
    [("gift", "gift"), ("GIVE", "GIVE"), ("", ""), (None, ""), (7, ""), (["give"], "")],
)
async def test_phone_consumer_refuses_a_tap_of_an_unknown_action_with_its_code(
    asgi_app, action, echoed
):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    client_id = str(uuid.uuid4())
    frame = json.loads(tap(pitcher, client_id=client_id, round=0))
    frame["action"] = action

    await phone.send_to(text_data=json.dumps(frame))

    ack = json.loads(await phone.receive_from())
    assert ack == {
        "type": "card_ack",
        "client_id": client_id,
        "action": echoed,
        "ok": False,
        "code": "unknown_action",
        "error": UNKNOWN_ACTION,
    }
    assert await cards() == []
    await phone.disconnect()


async def test_phone_consumer_refuses_a_tap_without_an_action_with_its_code(asgi_app):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    frame = json.loads(tap(pitcher))
    del frame["action"]

    await phone.send_to(text_data=json.dumps(frame))

    ack = json.loads(await phone.receive_from())
    assert (ack["action"], ack["ok"], ack["code"], ack["error"]) == (
        "",
        False,
        "unknown_action",
        UNKNOWN_ACTION,
    )
    await phone.disconnect()


async def test_phone_consumer_ignores_a_tap_of_an_unknown_action_without_a_client_id(asgi_app):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)

    await phone.send_to(text_data=tap(pitcher, action="gift", client_id="not-a-uuid"))

    assert await phone.receive_nothing(timeout=0.2)
    assert await cards() == []
    await phone.disconnect()


async def test_phone_consumer_refuses_a_card_to_another_table_with_the_reason(asgi_app):
    [[_, listener], [stranger, _]] = await seated(2, tables=2)
    phone = await phone_of(asgi_app, listener)

    await phone.send_to(text_data=tap(stranger))

    ack = json.loads(await phone.receive_from())
    assert (ack["ok"], ack["code"], ack["error"]) == (
        False,
        "refused",
        "Cards go to people at your table.",
    )
    assert await cards() == []
    await phone.disconnect()


async def test_phone_consumer_refuses_a_card_to_oneself_and_to_another_event(asgi_app):
    [[listener, _]] = await seated(2)
    outsider = await acreate(AttendeeFactory)
    phone = await phone_of(asgi_app, listener)

    await phone.send_to(text_data=tap(listener))
    to_self = json.loads(await phone.receive_from())
    await phone.send_to(text_data=tap(outsider))
    to_outsider = json.loads(await phone.receive_from())

    assert to_self["error"] == "You cannot give a card to yourself."
    assert to_outsider["error"] == "Cards go to people at your table."
    assert await cards() == []
    await phone.disconnect()


async def test_phone_consumer_gives_only_in_its_own_attendees_name(asgi_app):
    [[pitcher, listener, bystander]] = await seated(3)
    phone = await phone_of(asgi_app, listener)

    await phone.send_to(text_data=tap(pitcher, giver=bystander.pk, token=bystander.token))
    await phone.receive_from()

    assert await cards() == [(listener.pk, pitcher.pk, "see_me", "")]
    await phone.disconnect()


async def test_phone_consumer_cannot_take_back_someone_elses_card(asgi_app):
    [[pitcher, listener, other]] = await seated(3)
    listener_phone = await phone_of(asgi_app, listener)
    other_phone = await phone_of(asgi_app, other)
    client_id = str(uuid.uuid4())
    await listener_phone.send_to(text_data=tap(pitcher, client_id=client_id))
    await listener_phone.receive_from()

    await other_phone.send_to(text_data=tap(pitcher, action="take_back", client_id=client_id))
    await other_phone.receive_from()

    assert await cards() == [(listener.pk, pitcher.pk, "see_me", "")]
    await listener_phone.disconnect()
    await other_phone.disconnect()


async def test_phone_consumer_answers_a_malformed_tap_that_has_a_client_id(asgi_app):
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    client_id = str(uuid.uuid4())

    await phone.send_to(text_data=tap(pitcher, kind="hug", client_id=client_id))

    ack = json.loads(await phone.receive_from())
    assert (ack["client_id"], ack["ok"]) == (client_id, False)
    assert "hug" in ack["error"]
    assert await cards() == []
    await phone.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "card"}',
        '{"type": "card", "action": "give", "client_id": "not-a-uuid", "receiver": 1}',
        '{"type": "card", "action": "give", "client_id": [1], "receiver": {"a": 1}}',
        '{"type": "card", "action": "give", "client_id": null, "round": "x"}',
    ],
)
async def test_phone_consumer_ignores_a_card_frame_without_a_client_id(asgi_app, frame):
    [[_, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)

    await phone.send_to(text_data=frame)

    assert await phone.receive_nothing(timeout=0.2)
    assert await cards() == []
    await phone.disconnect()


async def test_phone_consumer_taps_from_a_whole_table_at_once_are_all_written(asgi_app):
    [people] = await seated(6)
    phones = [await phone_of(asgi_app, person) for person in people]

    for giver, phone in zip(people, phones, strict=True):
        for receiver in people:
            if receiver != giver:
                await phone.send_to(text_data=tap(receiver))
    # Each phone hears its 5 acks and the 5 cards given to it, in any order.
    frames = [json.loads(await p.receive_from(timeout=5)) for p in phones for _ in range(10)]
    acks = [frame for frame in frames if frame["type"] == "card_ack"]

    assert [ack["ok"] for ack in acks] == [True] * 30
    assert len(await cards()) == 30
    for phone in phones:
        await phone.disconnect()


async def test_phone_consumer_is_closed_when_its_attendees_data_is_erased(asgi_app):
    """Erasure closes the open socket with 4403 at once (the phone then says the link no
    longer works); nothing it sent after gives a card. The tablemate's socket stays open: it
    hears that this person is now the placeholder (``person``), then that their seat is
    vacated (the new state, its stop without them: anyone leaving mid-round)."""
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    other = await phone_of(asgi_app, pitcher)

    await database_sync_to_async(retention.erase_attendee)(listener)

    assert await phone.receive_output() == {"type": "websocket.close", "code": 4403}
    heard = [json.loads(await other.receive_from(timeout=5)) for _ in range(3)]
    assert [message["type"] for message in heard] == ["person", "state", "plan"]
    assert (heard[0]["id"], heard[0]["erased"]) == (listener.pk, True)
    [stop] = heard[2]["stops"]
    assert [mate["id"] for mate in stop["mates"]] == [pitcher.pk]
    assert await other.receive_nothing()  # only the erased attendee's socket is closed
    assert await cards() == []
    await other.disconnect()


async def test_erasing_an_events_personal_data_closes_every_phone(asgi_app):
    [[first, second]] = await seated(2)
    event = await database_sync_to_async(lambda: first.event)()
    await database_sync_to_async(
        lambda: type(event).objects.filter(pk=event.pk).update(status="closed")
    )()
    phones = [await phone_of(asgi_app, first), await phone_of(asgi_app, second)]
    event.status = "closed"

    await database_sync_to_async(retention.erase_event_personal_data)(event, by=None)

    for phone in phones:
        assert await phone.receive_output() == {"type": "websocket.close", "code": 4403}


async def test_taps_meeting_an_unreachable_database_are_one_log_line_and_sent_again(
    asgi_app, monkeypatch, caplog
):
    """PostgreSQL restarting: no tap is answered (each phone keeps it and sends it again) and a
    room of batches is one warning line, not a traceback each."""
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)

    def unreachable(taps):
        raise OperationalError("server closed the connection unexpectedly\n\tThis probably…")

    monkeypatch.setattr(consumers, "write_taps", unreachable)
    consumers.TAPS_NOT_WRITTEN.reset()
    with caplog.at_level(logging.WARNING, logger="feedback.consumers"):
        for _ in range(3):
            await phone.send_to(text_data=tap(pitcher))
            assert await phone.receive_nothing(timeout=0.3)

    lines = [r for r in caplog.records if r.name == "feedback.consumers"]
    assert [r.getMessage() for r in lines] == [
        "card taps not written, the database is unreachable (server closed the connection "
        "unexpectedly): 1 tap(s) since the last such line; the phones send them again"
    ]
    assert lines[0].exc_info is None
    assert consumers.TAPS_NOT_WRITTEN.unlogged == 2
    consumers.TAPS_NOT_WRITTEN.reset()
    assert await cards() == []
    await phone.disconnect()


# Each phone's socket reads its refusals in its own language.

NOT_TABLEMATE = {"en": "Cards go to people at your table.", "zh-hans": "卡片只能发给同桌的人。"}


async def phone_speaking(asgi_app, attendee, *, query: str = "", headers=()):
    """``open_phone`` on the socket URL with ``query`` (``"?lang=zh-hans"``) and these handshake
    ``headers`` besides the origin."""
    phone = WebsocketCommunicator(
        asgi_app, f"/ws/a/{attendee.token}/{query}", headers=[ORIGIN, *headers]
    )
    connected, _ = await phone.connect()
    assert connected
    for expected in ("state", "presence"):
        assert json.loads(await phone.receive_from())["type"] == expected
    return phone


@database_sync_to_async
def seated_at_an_event_in(language: str, *, people: int, tables: int) -> list[list]:
    """``seated``, at an event whose language is ``language``."""
    round_ = RoundFactory(event=EventFactory(live=True, language=language), number=1, running=True)
    seating = []
    for number in range(1, tables + 1):
        table = TableFactory(round=round_, number=number)
        seating.append([SeatFactory(table=table, speaking_order=k).attendee for k in range(people)])
    return seating


async def test_one_batch_of_taps_refuses_each_phone_in_its_own_language(asgi_app, monkeypatch):
    """A Chinese phone and an English phone (each page's language in its socket URL) at a
    Chinese event: their refused taps are written in one batch, and each reads its refusal in
    its own language."""
    [[chinese, pitcher], [english, other]] = await seated_at_an_event_in(
        "zh-hans", people=2, tables=2
    )
    chinese_phone = await phone_speaking(asgi_app, chinese, query="?lang=zh-hans")
    english_phone = await phone_speaking(asgi_app, english, query="?lang=en")
    gate = threading.Event()
    written = count_written_taps(monkeypatch, gate=gate)
    await english_phone.send_to(text_data=tap(other))  # a batch of its own, held at the gate
    while not written:
        await asyncio.sleep(0.01)

    await chinese_phone.send_to(text_data=tap(other))  # another table: refused
    await english_phone.send_to(text_data=tap(pitcher))  # the same
    while consumers.tap_writer().queue.qsize() < 2:
        await asyncio.sleep(0.01)
    gate.set()
    to_chinese = json.loads(await chinese_phone.receive_from(timeout=5))
    given, to_english = [json.loads(await english_phone.receive_from(timeout=5)) for _ in "ab"]

    assert written == [1, 2]  # both refusals came from one batch
    assert given["ok"] is True
    assert (to_chinese["ok"], to_chinese["code"]) == (to_english["ok"], to_english["code"])
    assert (to_chinese["code"], to_chinese["error"]) == ("refused", NOT_TABLEMATE["zh-hans"])
    assert to_english["error"] == NOT_TABLEMATE["en"]
    await chinese_phone.disconnect()
    await english_phone.disconnect()


async def test_a_malformed_tap_is_refused_in_the_phones_language(asgi_app):
    [[listener, pitcher]] = await seated_at_an_event_in("en", people=2, tables=1)
    chinese_phone = await phone_speaking(asgi_app, listener, query="?lang=zh-hans")
    english_phone = await phone_speaking(asgi_app, listener, query="?lang=en")

    await chinese_phone.send_to(text_data=tap(pitcher, round=0))
    await english_phone.send_to(text_data=tap(pitcher, round=0))
    await chinese_phone.send_to(text_data=tap(pitcher, action="gift"))

    below, unknown = [json.loads(await chinese_phone.receive_from()) for _ in "ab"]
    assert below["error"] == "round：确保该值大于或等于1。"
    assert unknown["error"] == "这部手机发来的点按服务器无法识别。请刷新页面后再点一次。"
    english = json.loads(await english_phone.receive_from())
    assert english["error"] == "round: Ensure this value is greater than or equal to 1."
    assert await cards() == []
    await chinese_phone.disconnect()
    await english_phone.disconnect()


CHINESE_COOKIE = [(b"cookie", b"django_language=zh-hans"), (b"accept-language", b"en")]
"""The language switch's cookie says Chinese, the browser asks for English."""


@pytest.mark.parametrize(
    ("event_language", "query", "headers", "spoken"),
    [
        # the page's language, in the socket URL, wins over the handshake's
        ("en", "?lang=zh-hans", [(b"accept-language", b"en")], "zh-hans"),
        ("zh-hans", "?lang=en", [(b"cookie", b"django_language=zh-hans")], "en"),
        # no language of ours in the URL: the handshake's, as a page would read it
        ("en", "?lang=klingon", [(b"accept-language", b"zh-CN,zh;q=0.9,en;q=0.8")], "zh-hans"),
        ("zh-hans", "", [(b"accept-language", b"en-US")], "en"),
        ("en", "", CHINESE_COOKIE, "zh-hans"),
        # nothing said: the event's language, as the attendee's pages end with
        ("zh-hans", "", [], "zh-hans"),
        ("en", "?lang=", [(b"accept-language", b"fr")], "en"),
    ],
)
async def test_a_refusal_reads_in_the_language_the_socket_speaks(
    asgi_app, event_language, query, headers, spoken
):
    [[listener], [stranger]] = await seated_at_an_event_in(event_language, people=1, tables=2)
    phone = await phone_speaking(asgi_app, listener, query=query, headers=headers)

    await phone.send_to(text_data=tap(stranger))

    assert json.loads(await phone.receive_from())["error"] == NOT_TABLEMATE[spoken]
    await phone.disconnect()
