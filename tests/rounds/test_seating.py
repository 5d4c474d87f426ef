from __future__ import annotations

from collections import Counter

from rounds.seating import (
    SpeakingHistory,
    avoid_pairs,
    changed_rounds,
    company_pairs,
    table_numbers,
)


def test_company_pairs_pairs_colleagues_ignoring_case_and_spacing():
    people = [(1, "Acme Ltd"), (2, "acme  ltd"), (3, ""), (4, "Other"), (5, " ACME LTD ")]

    assert company_pairs(people) == [(1, 2), (1, 5), (2, 5)]


def test_company_pairs_never_pairs_people_without_a_company():
    assert company_pairs([(1, ""), (2, ""), (3, "  ")]) == []


def test_company_pairs_matches_spellings_and_ignores_placeholders():
    people = [
        (1, "Kite Labs"),
        (2, "Kite Labs Ltd."),
        (3, "KiteLabs"),
        (4, "北京星河科技有限公司"),
        (5, "星河科技"),
        (6, "Freelance"),
        (7, "freelance"),
        (8, "个人"),
        (9, "个人"),
    ]

    assert company_pairs(people) == [(1, 2), (1, 3), (2, 3), (4, 5)]


def test_avoid_pairs_adds_keep_apart_pairs_of_present_people_and_drops_allowed_ones():
    people = [(1, "Acme"), (2, "Acme"), (3, ""), (4, "")]

    pairs = avoid_pairs(people, keep_apart=[(4, 3), (3, 99)], together=[(2, 1)])

    assert pairs == [(3, 4)]


def test_speaking_history_gives_everyone_the_opening_slot_once_in_turn():
    table = [10, 11, 12, 13, 14]
    history = SpeakingHistory()

    orders = [history.order(table, round_number) for round_number in range(1, 6)]

    assert sorted(order[0] for order in orders) == table
    assert max(history.lateness.values()) - min(history.lateness.values()) <= 1.0


def test_speaking_history_puts_early_speakers_last():
    history = SpeakingHistory(lateness={1: 0.0, 2: 1.0, 3: 0.5}, firsts=Counter({1: 1, 3: 1}))

    assert history.order([1, 2, 3], 2) == [2, 3, 1]


def test_speaking_history_from_played_reads_positions_and_openers():
    history = SpeakingHistory.from_played([[[1, 2, 3]], [[3, 1, 2]]])

    assert history.lateness == {1: 0.5, 2: 1.5, 3: 1.0}
    assert history.firsts == Counter({1: 1, 3: 1})


def test_table_numbers_keep_the_number_of_the_most_similar_old_table():
    old = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    new = [[7, 8, 10], [1, 2, 3], [4, 5, 11]]

    assert table_numbers(old, new) == [3, 1, 2]


def test_table_numbers_give_new_tables_free_numbers():
    old = [[1, 2, 3], [4, 5, 6]]
    new = [[1, 2, 3], [20, 21, 22], [4, 5, 6]]

    assert table_numbers(old, new) == [1, 3, 2]


def test_changed_rounds_lists_each_persons_rounds_whose_tablemates_changed():
    old = [[[1, 2], [3, 4]], [[1, 3], [2, 4]], [[1, 4], [2, 3]]]
    new = [[[1, 2], [3, 4]], [[3, 1], [2, 5]], [[2, 3], [1, 5]]]

    changed = changed_rounds(old, new)

    assert changed == {1: [3], 2: [2], 4: [2, 3], 5: [2, 3]}
