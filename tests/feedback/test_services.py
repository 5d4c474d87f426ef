from __future__ import annotations

import logging
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection

from events.models import Event
from feedback import retention, services, tapsql
from feedback.models import Card, Introduction
from rounds.groups import attendee_group
from rounds.models import Round
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(round_):
    """Three people at table 1: pitcher, listener, other."""
    table = TableFactory(round=round_, number=1)
    return [SeatFactory(table=table, speaking_order=order).attendee for order in range(3)]


@pytest.fixture
def stranger(round_):
    """Someone at table 2 of the same round."""
    return SeatFactory(table=TableFactory(round=round_, number=2), speaking_order=0).attendee


def give(giver, receiver, round_, kind=Card.Kind.SEE_ME, client_id=None, note=""):
    return services.give_card(
        giver,
        receiver=receiver,
        round_=round_,
        kind=kind,
        client_id=client_id or uuid.uuid4(),
        note=note,
    )


def test_give_card_pushes_to_the_receiver_only(
    round_, table, listen, django_capture_on_commit_callbacks
):
    pitcher, listener, other = table
    phones = {person.pk: listen(attendee_group(person.pk)) for person in table}

    with django_capture_on_commit_callbacks(execute=True):
        card = give(listener, pitcher, round_)

    assert phones[pitcher.pk].messages() == [
        {
            "type": "card",
            "card": {
                "id": card.pk,
                "round": 1,
                "kind": "see_me",
                "note": "",
                "giver": {"id": listener.pk, "name": listener.name},
                "is_given": True,
            },
        }
    ]
    assert phones[listener.pk].messages() == []
    assert phones[other.pk].messages() == []


def test_give_card_repeated_tap_counts_once_and_pushes_once(
    round_, table, listen, django_capture_on_commit_callbacks
):
    pitcher, listener, _ = table
    pitcher_phone = listen(attendee_group(pitcher.pk))
    tap = uuid.uuid4()

    with django_capture_on_commit_callbacks(execute=True):
        first = give(listener, pitcher, round_, client_id=tap)
        again = give(listener, pitcher, round_, client_id=tap)

    assert first.pk == again.pk
    assert Card.objects.count() == 1
    assert len(pitcher_phone.messages()) == 1


def test_give_card_same_kind_with_a_new_tap_returns_the_card_already_given(round_, table):
    pitcher, listener, _ = table

    first = give(listener, pitcher, round_)
    second = give(listener, pitcher, round_)

    assert first.pk == second.pk
    assert Card.objects.count() == 1


def test_give_card_both_kinds_are_two_cards_and_only_introduce_keeps_a_note(round_, table):
    pitcher, listener, _ = table

    see_me = give(listener, pitcher, round_, note="ignored")
    introduce = give(listener, pitcher, round_, kind=Card.Kind.INTRODUCE, note="my  cousin Ana")

    assert (see_me.note, introduce.note) == ("", "my cousin Ana")
    assert Card.objects.count() == 2


def test_give_card_to_oneself_is_refused(round_, table):
    with pytest.raises(ValidationError, match="You cannot give a card to yourself"):
        give(table[0], table[0], round_)


def test_give_card_to_another_table_is_refused(round_, table, stranger):
    with pytest.raises(ValidationError, match="Cards go to people at your table"):
        give(table[1], stranger, round_)

    assert Card.objects.count() == 0


def test_give_card_to_someone_of_another_event_is_refused(round_, table):
    outsider = AttendeeFactory()

    with pytest.raises(ValidationError, match="Cards go to people at your table"):
        give(table[1], outsider, round_)


def test_give_card_before_the_round_starts_is_refused(table):
    planned = RoundFactory(event=table[0].event, number=2)
    other_table = TableFactory(round=planned, number=1)
    SeatFactory(table=other_table, attendee=table[0], speaking_order=0)
    SeatFactory(table=other_table, attendee=table[1], speaking_order=1)

    with pytest.raises(ValidationError, match="This round has not started yet"):
        give(table[1], table[0], planned)


@pytest.mark.parametrize(
    ("kind", "note", "error"),
    [("hug", "", "Unknown kind of card"), ("introduce", "x" * 201, "at most 200 characters")],
)
def test_give_card_bad_input_is_refused(round_, table, kind, note, error):
    with pytest.raises(ValidationError, match=error):
        give(table[1], table[0], round_, kind=kind, note=note)


def test_take_back_card_deletes_it_and_tells_the_receiver(
    round_, table, listen, django_capture_on_commit_callbacks
):
    pitcher, listener, _ = table
    tap = uuid.uuid4()
    card = give(listener, pitcher, round_, client_id=tap)
    pitcher_phone = listen(attendee_group(pitcher.pk))

    with django_capture_on_commit_callbacks(execute=True):
        taken = services.take_back_card(listener, client_id=tap)
        again = services.take_back_card(listener, client_id=tap)

    assert (taken, again) == (True, False)
    assert not Card.objects.exists()
    [message] = pitcher_phone.messages()
    assert message["card"]["id"] == card.pk
    assert message["card"]["is_given"] is False


def test_take_back_card_of_someone_else_changes_nothing(round_, table):
    pitcher, listener, other = table
    tap = uuid.uuid4()
    give(listener, pitcher, round_, client_id=tap)

    assert services.take_back_card(other, client_id=tap) is False
    assert Card.objects.count() == 1


@pytest.mark.parametrize("kind", [Card.Kind.SEE_ME, Card.Kind.INTRODUCE])
def test_take_back_card_after_close_is_refused_and_the_card_stays(
    round_, table, kind, listen, django_capture_on_commit_callbacks
):
    pitcher, listener, _ = table
    tap_id = uuid.uuid4()
    give(listener, pitcher, round_, kind=kind, client_id=tap_id, note="my cousin at Acme")
    round_.event.status = Event.Status.CLOSED
    round_.event.save(update_fields=["status"])
    pitcher_phone = listen(attendee_group(pitcher.pk))

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError, match="can no longer be taken back"):
            services.take_back_card(listener, client_id=tap_id)
        [outcome] = services.tap_cards(
            [(listener.pk, tap(pitcher, action="take_back", client_id=tap_id))]
        )

    assert outcome.error == "The event is closed: cards given can no longer be taken back."
    assert Card.objects.filter(client_id=tap_id).exists()
    assert Introduction.objects.count() == (1 if kind == Card.Kind.INTRODUCE else 0)
    assert pitcher_phone.messages() == []


def tap(receiver, *, action="give", kind="see_me", client_id=None):
    return {
        "action": action,
        "client_id": client_id or uuid.uuid4(),
        "receiver_id": receiver.pk,
        "round_number": 1,
        "kind": kind,
        "note": "",
    }


def test_tap_cards_writes_a_batch_and_answers_each_tap(
    table, stranger, listen, django_capture_on_commit_callbacks
):
    pitcher, listener, other = table
    pitcher_phone = listen(attendee_group(pitcher.pk))
    repeated = uuid.uuid4()

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = services.tap_cards(
            [
                (listener.pk, tap(pitcher, client_id=repeated)),
                (other.pk, tap(stranger)),
                (listener.pk, tap(pitcher, client_id=repeated)),
                (other.pk, tap(pitcher, kind="introduce")),
                (999_999, tap(pitcher)),
            ]
        )

    given = Card.objects.get(giver=listener)
    assert [(o.card, o.error) for o in outcomes] == [
        (given, ""),
        (None, "Cards go to people at your table."),
        (given, ""),
        (Card.objects.get(giver=other), ""),
        (None, "This link is no longer valid."),
    ]
    assert [m["card"]["giver"]["id"] for m in pitcher_phone.messages()] == [listener.pk, other.pk]


def test_tap_cards_refuses_a_giver_whose_data_was_erased(table):
    pitcher, listener, _ = table
    retention.erase_attendee(listener)

    [outcome] = services.tap_cards([(listener.pk, tap(pitcher))])

    assert outcome == services.TapOutcome(error="This link is no longer valid.")
    assert not Card.objects.exists()


@pytest.mark.parametrize("taps", [1, 6])
def test_tap_cards_reads_and_writes_a_batch_as_a_set(table, taps, django_assert_num_queries):
    pitcher, listener, other = table
    people = [pitcher, listener, other]
    batch = [
        (giver.pk, tap(receiver, kind=kind))
        for giver in people
        for receiver in people
        if giver != receiver
        for kind in ("see_me",)
    ][:taps]

    # givers and receivers together; the rounds with the seats; cards given; the insert; the
    # batch's transaction (a savepoint in and out inside the test's transaction), and no
    # savepoint of its own for the set
    with django_assert_num_queries(6):
        outcomes = services.tap_cards(batch)

    assert all(outcome.card is not None and outcome.card.pk for outcome in outcomes)
    assert Card.objects.count() == taps


def test_tap_cards_answers_a_tap_sent_again_with_no_read_of_its_card_alone(
    table, django_assert_num_queries
):
    pitcher, listener, _ = table
    sent = tap(pitcher)
    services.tap_cards([(listener.pk, sent)])

    # givers and receivers; the rounds with the seats; the cards given, with their round (was:
    # the round read again for the card, to say whether it is of another round); the batch's
    # savepoint in and out; no insert
    with django_assert_num_queries(5):
        [again] = services.tap_cards([(listener.pk, sent)])

    assert (again.card, again.error, again.other_round) == (Card.objects.get(), "", False)


@pytest.mark.postgres
def test_tap_cards_sends_the_lock_and_the_reads_of_its_first_set_together(table):
    """On PostgreSQL the people's lock, the rounds with the seats and the cards given leave in
    one round trip (pipeline mode), in that order; the insert goes alone."""
    pitcher, listener, other = table
    sent = []

    def record(execute, sql, params, many, context):
        piped = context["connection"].connection.pgconn.pipeline_status != 0
        if sql.startswith("SELECT"):  # not the test's savepoints around the batch
            sent.append((sql.split(" FROM ")[1].split()[0], piped))
        elif sql.startswith("INSERT"):
            sent.append(("INSERT", piped))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        outcomes = services.tap_cards([(listener.pk, tap(pitcher)), (other.pk, tap(listener))])

    assert [outcome.error for outcome in outcomes] == ["", ""]
    assert sent == [
        ('"events_attendee"', True),
        ('"rounds_round"', True),
        ('"feedback_card"', True),
        ("INSERT", False),
    ]


def test_tap_cards_answers_two_taps_of_the_same_card_with_one_card(table):
    pitcher, listener, _ = table

    first, second = services.tap_cards(
        [
            (listener.pk, tap(pitcher, kind="introduce")),
            (listener.pk, tap(pitcher, kind="introduce")),
        ]
    )

    card = Card.objects.get()
    assert (first.card, second.card) == (card, card)
    assert Introduction.objects.get().card == card


def test_tap_cards_keeps_the_order_of_gives_and_take_backs(table):
    pitcher, listener, _ = table
    first, again = uuid.uuid4(), uuid.uuid4()

    outcomes = services.tap_cards(
        [
            (listener.pk, tap(pitcher, client_id=first)),
            (listener.pk, tap(pitcher, action="take_back", client_id=first)),
            (listener.pk, tap(pitcher, client_id=again)),
        ]
    )

    card = Card.objects.get()
    assert str(card.client_id) == str(again)
    assert [o.card for o in outcomes] == [outcomes[0].card, None, card]


def test_tap_cards_falls_back_to_one_by_one_when_the_set_insert_fails(table, monkeypatch):
    pitcher, listener, other = table
    give(other, pitcher, pitcher.seats.get().round)

    def stored_meanwhile(cards):
        raise IntegrityError("the same card was stored by another process")

    monkeypatch.setattr(tapsql, "insert_cards", stored_meanwhile)

    outcomes = services.tap_cards([(listener.pk, tap(pitcher)), (other.pk, tap(listener))])

    assert [o.error for o in outcomes] == ["", ""]
    assert Card.objects.count() == 3


def test_tap_cards_does_a_whole_batch_again_in_order_when_a_set_insert_fails(table, monkeypatch):
    pitcher, listener, other = table
    first, again = uuid.uuid4(), uuid.uuid4()
    give(other, pitcher, pitcher.seats.get().round)
    calls = []

    def stored_meanwhile(cards):
        calls.append(len(cards))
        raise IntegrityError("the same card was stored by another process")

    monkeypatch.setattr(tapsql, "insert_cards", stored_meanwhile)

    outcomes = services.tap_cards(
        [
            (listener.pk, tap(pitcher, client_id=first)),
            (listener.pk, tap(pitcher, action="take_back", client_id=first)),
            (other.pk, tap(pitcher)),
            (listener.pk, tap(pitcher, client_id=again)),
        ]
    )

    assert calls == [1]  # the first set failed; the batch went again tap by tap
    card = Card.objects.get(giver=listener)
    assert str(card.client_id) == str(again)
    assert [o.error for o in outcomes] == ["", "", "", ""]
    assert [o.card for o in outcomes] == [
        outcomes[0].card,
        None,
        Card.objects.get(giver=other),
        card,
    ]
    assert Card.objects.count() == 2


def test_tap_cards_does_not_go_again_tap_by_tap_when_the_connection_is_gone(
    table, monkeypatch, caplog
):
    """The server restarting mid-batch: going again tap by tap would only wait for the
    database again; the error goes up (the phones send their taps again), nothing is stored."""
    pitcher, listener, _ = table
    attempts = []

    def gone(ids, **batch):
        attempts.append(ids)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "tap_people", gone)
    monkeypatch.setattr(services, "database_lost", lambda: True)

    with pytest.raises(OperationalError), caplog.at_level(logging.WARNING):
        services.tap_cards([(listener.pk, tap(pitcher))])

    assert len(attempts) == 1
    assert "tap by tap" not in caplog.text
    assert not Card.objects.exists()


@pytest.mark.parametrize(
    "refusal",
    [
        "canceling statement due to lock timeout",
        "canceling statement due to statement timeout",
        "database is locked",
    ],
)
def test_tap_cards_does_not_go_again_tap_by_tap_after_a_timeout(
    table, monkeypatch, caplog, refusal
):
    """A lock or a statement waited for its whole timeout (PostgreSQL's lock_timeout or
    statement_timeout, SQLite's busy timeout): tap by tap would wait for it once more on the
    one thread every phone of the process shares; the error goes up, the phones resend."""
    pitcher, listener, _ = table
    attempts = []

    class Cancelled(Exception):
        sqlstate = "55P03" if "lock" in refusal else "57014"

    def stuck(ids, **batch):
        attempts.append(ids)
        raise OperationalError(refusal) from Cancelled(refusal)

    monkeypatch.setattr(services, "tap_people", stuck)

    with pytest.raises(OperationalError), caplog.at_level(logging.WARNING):
        services.tap_cards([(listener.pk, tap(pitcher))])

    assert len(attempts) == 1
    assert "tap by tap" not in caplog.text
    assert not Card.objects.exists()


def test_tap_cards_tap_by_tap_stops_at_the_first_timeout(table, monkeypatch):
    """Gone again tap by tap (a set's insert refused), a tap that meets a lock timeout ends the
    batch: the next taps would each wait for it again; every phone sends its taps again."""
    pitcher, listener, other = table
    tried = []

    def stored_meanwhile(cards):
        raise IntegrityError("the same card was stored by another process")

    class LockNotAvailable(Exception):
        sqlstate = "55P03"

    def stuck(giver, **arguments):
        tried.append(giver.pk)
        raise OperationalError("canceling statement due to lock timeout") from LockNotAvailable()

    monkeypatch.setattr(tapsql, "insert_cards", stored_meanwhile)
    monkeypatch.setattr(services, "tap_card", stuck)

    with pytest.raises(OperationalError):
        services.tap_cards([(listener.pk, tap(pitcher)), (other.pk, tap(pitcher))])

    assert tried == [listener.pk]
    assert not Card.objects.exists()


def test_tap_cards_sees_a_connection_that_answers_as_not_lost(table):
    assert services.database_lost() is False


@pytest.fixture
def again(round_, table):
    """Round 2, running, the same three at one table again (a small room repeats); round 1
    is over."""
    round_.status = Round.Status.DONE
    round_.save(update_fields=["status"])
    second = RoundFactory(event=round_.event, number=2, running=True)
    table_2 = TableFactory(round=second, number=1)
    for order, person in enumerate(table):
        SeatFactory(table=table_2, attendee=person, speaking_order=order)
    return second


def test_a_give_to_someone_met_again_answers_with_the_card_of_the_earlier_round(
    round_, table, again
):
    pitcher, listener, _ = table
    first = give(listener, pitcher, round_, kind=Card.Kind.INTRODUCE, note="my cousin")

    [batched] = services.tap_cards([(listener.pk, {**tap(pitcher), "round_number": 2})])
    [set_of_one] = services.tap_cards(
        [(listener.pk, {**tap(pitcher, kind="introduce"), "round_number": 2})]
    )
    [alone] = services.tap_runs(
        [(listener.pk, {**tap(pitcher, kind="introduce"), "round_number": 2})],
        tapsql.people({listener.pk, pitcher.pk}, lock=False),
        as_sets=False,
    )
    [own_round] = services.tap_cards([(listener.pk, tap(pitcher, kind="introduce"))])

    assert (batched.error, batched.other_round) == ("", False)  # "See me" is new in round 2
    assert batched.card.round_id == again.pk
    assert (set_of_one.card.pk, set_of_one.other_round) == (first.pk, True)
    assert (alone.card.pk, alone.other_round) == (first.pk, True)
    assert (own_round.card.pk, own_round.other_round) == (first.pk, False)


def test_a_take_back_from_a_later_round_leaves_the_card_of_the_earlier_round(
    round_, table, again, listen, django_capture_on_commit_callbacks
):
    pitcher, listener, _ = table
    tap_id = uuid.uuid4()
    give(listener, pitcher, round_, kind=Card.Kind.INTRODUCE, client_id=tap_id, note="my cousin")
    pitcher_phone = listen(attendee_group(pitcher.pk))

    with django_capture_on_commit_callbacks(execute=True):
        [outcome] = services.tap_cards(
            [
                (
                    listener.pk,
                    {**tap(pitcher, action="take_back", client_id=tap_id), "round_number": 2},
                )
            ]
        )
        with pytest.raises(ValidationError, match="given in another round"):
            services.take_back_card(listener, client_id=tap_id, round_number=2)

    assert outcome.error == "This card was given in another round; it stays given."
    assert Card.objects.filter(client_id=tap_id, round=round_).exists()
    assert Introduction.objects.filter(card__client_id=tap_id, target="my cousin").exists()
    assert pitcher_phone.messages() == []
    # from its own round it is taken back as before
    assert services.take_back_card(listener, client_id=tap_id, round_number=1) is True


@pytest.mark.parametrize("is_sharing", [True, False])
def test_save_my_details_tells_every_open_page_of_the_attendee_the_answer(
    listen, django_capture_on_commit_callbacks, is_sharing
):
    """The sharing question answered in one tab: every open page of the attendee (their group)
    hears the answer after the commit, and drops the question."""
    person = AttendeeFactory(event=EventFactory(live=True), checked_in=True)
    phones = listen(attendee_group(person.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.save_my_details(person, is_sharing=is_sharing)

    assert phones.messages() == [
        {
            "type": "presence",
            "checked_in": True,
            "left": False,
            "removed": False,
            "sharing": is_sharing,
        }
    ]


# 200 characters as a reader counts them, 450 code points: families, Chinese, flags.
NOTE_OF_200 = "👨‍👩‍👧" * 50 + "中" * 100 + "🇨🇳" * 50


def test_give_card_keeps_a_note_of_200_characters_as_a_reader_counts_them_whole(round_, table):
    pitcher, listener, _ = table

    card = give(listener, pitcher, round_, kind=Card.Kind.INTRODUCE, note=NOTE_OF_200)

    card.refresh_from_db()
    assert (card.note, card.introduction.target) == (NOTE_OF_200, NOTE_OF_200)
    assert services.note_characters(NOTE_OF_200) == 200


@pytest.mark.parametrize("extra", ["中", "👍🏽", "e\u0301"])
def test_give_card_refuses_a_note_over_200_characters_and_cuts_nothing(round_, table, extra):
    pitcher, listener, _ = table

    with pytest.raises(ValidationError) as refused:
        give(listener, pitcher, round_, kind=Card.Kind.INTRODUCE, note=NOTE_OF_200 + extra)

    assert refused.value.code == "note"
    assert refused.value.messages == ["The note is at most 200 characters."]
    assert not Card.objects.exists()


def test_tap_cards_keeps_a_note_of_200_characters_whole_and_refuses_one_more(round_, table):
    pitcher, listener, other = table
    tap = {"action": "give", "round_number": 1, "kind": Card.Kind.INTRODUCE}

    kept, refused = services.tap_cards(
        [
            (
                listener.pk,
                {**tap, "client_id": uuid.uuid4(), "receiver_id": pitcher.pk, "note": NOTE_OF_200},
            ),
            (
                other.pk,
                {
                    **tap,
                    "client_id": uuid.uuid4(),
                    "receiver_id": pitcher.pk,
                    "note": NOTE_OF_200 + "中",
                },
            ),
        ]
    )

    assert Card.objects.get(giver=listener).note == NOTE_OF_200
    assert not Card.objects.filter(giver=other).exists()
    assert (kept.error, refused.error) == ("", "The note is at most 200 characters.")
