"""The event log as data: one stored row, written in each reader's language; people by
reference, so erasing them changes every line without touching the log."""

from __future__ import annotations

import pytest
from django.utils import translation

from events import logs, services
from events.models import LogEntry
from feedback import retention
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_log_line_one_row_renders_in_english_and_chinese():
    event = EventFactory(live=True)
    services.record(event, action="round_started", params={"n": 2}, by=event.organizer)
    entry = LogEntry.objects.get(event=event)

    with translation.override("en"):
        english = logs.text(entry)
    with translation.override("zh-hans"):
        chinese = logs.text(entry)

    assert english == "Round 2 started."
    assert chinese == "第 2 轮已开始。"
    assert entry.message == ""


def test_log_check_in_and_undo_are_logged_with_who_did_it():
    event = EventFactory(check_in=True)
    attendee = AttendeeFactory(event=event, name="Kenji Sato")

    services.check_in(attendee, by=event.organizer)
    services.check_in(attendee, by=event.organizer)  # again: nothing new happened
    services.undo_check_in(attendee, by=event.organizer)

    entries = list(event.log_entries.order_by("pk").select_related("actor"))
    assert [(e.action, e.params, e.actor) for e in entries] == [
        ("checked_in", {"attendee": attendee.pk}, event.organizer),
        ("check_in_undone", {"attendee": attendee.pk}, event.organizer),
    ]
    with translation.override("en"):
        texts = [line.text for line in logs.lines(entries)]
    assert texts == ["Kenji Sato checked in.", "Check-in of Kenji Sato undone."]


def test_log_names_no_one_in_stored_text_and_follows_erasure():
    event = EventFactory(check_in=True)
    attendee = AttendeeFactory(event=event, name="Lucas Weber", checked_in=True)
    services.mark_left(attendee, by=event.organizer)

    retention.erase_attendee(attendee, by=event.organizer)

    entry = event.log_entries.get(action="attendee_left")
    assert "Lucas" not in entry.message
    assert "Lucas" not in str(entry.params)
    with translation.override("en"):
        assert logs.text(entry) == "Erased attendee left."


def test_log_lines_read_names_in_two_queries_whatever_the_count(django_assert_num_queries):
    event = EventFactory(check_in=True)
    helper = UserFactory(username="mei")
    people = AttendeeFactory.create_batch(3, event=event)
    for person in people:
        services.check_in(person, by=event.organizer)
    services.record(event, action="co_organizer_added", params={"user": helper.pk})
    entries = list(event.log_entries.select_related("actor").order_by("pk"))

    with django_assert_num_queries(2), translation.override("en"):
        lines = logs.lines(entries)

    assert lines[-1].text == "mei can now run this event."
    assert [line.actor for line in lines] == [
        "" if e.actor is None else e.actor.get_username() for e in entries
    ]


def test_log_unknown_action_or_missing_parameter_shows_the_stored_message():
    assert logs.text_of("announced", {}, message="Coffee in the lobby") == "Coffee in the lobby"
    assert logs.text_of("round_started", {}, message="") == ""


def test_log_a_deleted_attendee_reads_as_someone():
    with translation.override("en"):
        assert logs.text_of("attendee_left", {"attendee": 987654}, names={}) == "someone left."


def test_log_a_replan_logged_before_people_changing_table_were_counted_keeps_its_sentence():
    params = {"first_round": 2, "last_round": 4, "n": 20, "c": 8}

    with translation.override("en"):
        old = logs.text_of("replanned", params)
        new = logs.text_of("replanned", {**params, "m": 2})
    with translation.override("zh-hans"):
        chinese = logs.text_of("replanned", {**params, "m": 2})

    assert old == "Rounds 2–4 re-planned for 20 people; 8 itineraries changed."
    assert new == (
        "Rounds 2–4 re-planned for 20 people. People changing table: 2. "
        "Phones told (their table or tablemates changed): 8."
    )
    assert chinese == (
        "第 2–4 轮已为 20 人重新安排。换桌人数：2。已通知的手机（桌号或同桌有变）：8 部。"
    )


def test_log_a_replan_of_one_round_names_the_round_not_a_range():
    params = {"first_round": 3, "last_round": 3, "n": 8, "m": 1, "c": 9}

    with translation.override("en"):
        english = logs.text_of("replanned", params)
    with translation.override("zh-hans"):
        chinese = logs.text_of("replanned", params)

    assert english == (
        "Round 3 re-planned for 8 people. People changing table: 1. "
        "Phones told (their table or tablemates changed): 9."
    )
    assert chinese == (
        "第 3 轮已为 8 人重新安排。换桌人数：1。已通知的手机（桌号或同桌有变）：9 部。"
    )


def test_log_a_rescue_round_says_which_phones_were_told_as_a_replan_does():
    params = {"n": 4, "p": 3, "h": 2, "m": 2, "c": 8}

    with translation.override("en"):
        english = logs.text_of("rescue_replanned", params)
    with translation.override("zh-hans"):
        chinese = logs.text_of("rescue_replanned", params)

    assert english == (
        "Rescue round 4. Pitchers with the fewest cards who now sit with a new helper: 2 of 3. "
        "People changing table: 2. Phones told (their table or tablemates changed): 8."
    )
    assert chinese == (
        "救场轮（第 4 轮）。卡片最少、现在与新的帮手同桌的演讲者：3 位中 2 位。换桌人数：2。"
        "已通知的手机（桌号或同桌有变）：8 部。"
    )


def test_log_join_sentences_puts_a_space_between_english_and_none_after_chinese():
    assert logs.join_sentences(["Round 4.", "Tables changed: 0."]) == "Round 4. Tables changed: 0."
    assert (
        logs.join_sentences(["第 4 轮。", "改动的桌数：0。", "Done."])
        == "第 4 轮。改动的桌数：0。Done."
    )
    assert logs.join_sentences([]) == ""
