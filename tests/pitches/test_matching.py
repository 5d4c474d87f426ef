"""Tests of the matcher (pitches.matching): pure functions, no database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pitches.matching import (
    NAMED,
    Profile,
    document_keys,
    help_chances,
    help_scores,
    help_scores_within,
    same_wish,
    top_helpers,
)

ACCOUNTANT_NEED = (
    "Our books are a mess: I need an accountant who knows Chinese tax for a small firm."
)
ACCOUNTANT_OFFER = "I am a chartered accountant; I do tax filings and bookkeeping for small firms."
LUNCH_OFFER = "I can recommend every lunch place near the office."


def scores_of(*people: Profile) -> list[list[float]]:
    return help_scores(list(people))


def test_help_scores_a_listener_whose_offer_answers_the_need() -> None:
    pitcher = Profile(id=1, need=ACCOUNTANT_NEED)
    helper = Profile(id=2, offer=ACCOUNTANT_OFFER)
    bystander = Profile(id=3, offer=LUNCH_OFFER)

    scores = scores_of(pitcher, helper, bystander)

    assert scores[0][1] > scores[0][2]
    assert top_helpers(scores, limit=1)[0] == [1]


def test_help_scores_are_directed_a_shared_need_is_no_help() -> None:
    pitcher = Profile(id=1, need=ACCOUNTANT_NEED, offer=LUNCH_OFFER)
    same_need = Profile(id=2, need=ACCOUNTANT_NEED, offer="Our app books meeting rooms.")
    helper = Profile(id=3, need="A designer for our logo.", offer=ACCOUNTANT_OFFER)

    scores = scores_of(pitcher, same_need, helper)

    assert scores[0][2] > scores[0][1]
    assert scores[2][0] < scores[0][2]  # the accountant does not need an accountant


def test_help_scores_match_chinese_with_chinese() -> None:
    pitcher = Profile(id=1, need="我们的气垫床想进三甲医院，最缺能对接医院设备科采购的人。")
    helper = Profile(id=2, offer="我姐姐在一家医院集团负责设备采购，可以帮忙引荐。")
    bystander = Profile(id=3, offer="我在望京开了一家咖啡馆，欢迎来坐坐。")

    scores = scores_of(pitcher, helper, bystander)

    assert scores[0][1] > scores[0][2]


def test_help_scores_read_company_and_job_title_as_part_of_the_offer() -> None:
    pitcher = Profile(id=1, need="An introduction to a battery cell supplier for e-bikes.")
    helper = Profile(id=2, offer="Happy to talk.", company="Shenzhen Battery Cells Co.")
    bystander = Profile(id=3, offer="Happy to talk.", company="Kite Labs", job_title="Designer")

    scores = scores_of(pitcher, helper, bystander)

    assert scores[0][1] > scores[0][2]


def test_help_scores_a_wish_naming_a_listener_counts_fully() -> None:
    pitcher = Profile(id=1, need=ACCOUNTANT_NEED, wishes=("  LIU Fang ",))
    named = Profile(id=2, name="Liu Fang", offer=LUNCH_OFFER)
    helper = Profile(id=3, offer=ACCOUNTANT_OFFER)

    scores = scores_of(pitcher, named, helper)

    assert scores[0][1] == NAMED
    assert scores[0][2] < NAMED
    assert top_helpers(scores, limit=1)[0] == [1]


def test_help_scores_a_person_picked_by_id_counts_fully_whatever_the_names() -> None:
    pitcher = Profile(id=1, need=ACCOUNTANT_NEED, wished=frozenset({2, 99}))
    picked = Profile(id=2, name="Liu Fang", offer=LUNCH_OFFER)
    namesake = Profile(id=3, name="Liu Fang", offer=ACCOUNTANT_OFFER)
    wishes_themselves = Profile(id=4, wished=frozenset({4}))

    scores = scores_of(pitcher, picked, namesake, wishes_themselves)

    assert scores[0][1] == NAMED
    assert scores[0][2] < NAMED  # same name, not the one picked; 99 is not in the room
    assert scores[3][3] == 0.0


def test_help_scores_a_wish_in_free_text_reads_like_a_need() -> None:
    pitcher = Profile(id=1, need="", wishes=("investors in hardware startups",))
    investor = Profile(id=2, offer="I invest in early hardware startups.")
    bystander = Profile(id=3, offer=LUNCH_OFFER)

    scores = scores_of(pitcher, investor, bystander)

    assert scores[0][1] > scores[0][2]


def test_help_scores_never_score_oneself_and_leave_empty_texts_at_zero() -> None:
    alone = Profile(id=1, need=ACCOUNTANT_NEED, offer=ACCOUNTANT_OFFER)
    empty = Profile(id=2)

    scores = scores_of(alone, empty)

    assert scores == [[0.0, 0.0], [0.0, 0.0]]
    assert help_scores([]) == []
    assert top_helpers(scores) == [[], []]


def test_help_scores_a_chinese_need_is_met_by_an_english_offer() -> None:
    pitcher = Profile(id=1, need="我们正在寻找懂税务的会计师，帮小公司做账。")
    helper = Profile(id=2, offer="I am an accountant: tax returns and bookkeeping for small firms.")
    bystander = Profile(id=3, offer="I organise hiking trips in the mountains every weekend.")

    scores = scores_of(pitcher, helper, bystander)

    assert scores[0][1] > 0
    assert scores[0][1] > scores[0][2]


def test_help_scores_an_english_need_is_met_by_a_chinese_offer() -> None:
    pitcher = Profile(id=1, need="We are looking for a lawyer to register our company.")
    helper = Profile(id=2, offer="我是律师，专门帮外国人在上海注册公司。")
    bystander = Profile(id=3, offer="我在望京开了一家咖啡馆，欢迎来坐坐。")

    scores = scores_of(pitcher, helper, bystander)

    assert scores[0][1] > 0
    assert scores[0][1] > scores[0][2]


def test_help_scores_across_languages_are_directed() -> None:
    pitcher = Profile(id=1, need="我们需要律师。", offer="我们做手机游戏。")
    same_need = Profile(id=2, need="We need a lawyer.", offer="We sell coffee beans.")
    lawyer = Profile(id=3, need="A designer for our logo.", offer="I am a lawyer.")

    scores = scores_of(pitcher, same_need, lawyer)

    assert scores[0][1] == 0  # a shared need, in the other language, is no help
    assert scores[0][2] > 0
    assert scores[2][0] == 0  # the lawyer does not need a lawyer


def test_help_scores_a_distractor_sharing_only_common_words_ranks_below_the_helper() -> None:
    pitcher = Profile(id=1, need="I need help finding investors for our medical device firm.")
    fields = ["hiring", "visas", "logo design", "Python code", "translation", "office space"]
    room = [  # words everyone writes, in needs and offers alike
        Profile(id=10 + i, need=f"I need help with {a}.", offer=f"I can help with {b}.")
        for i, (a, b) in enumerate(zip(fields, fields[1:] + fields[:1], strict=True))
    ]
    distractor = Profile(id=5, offer="I need help too and I can help anyone, I love to help!")
    investor = Profile(id=6, offer="我是天使投资人，投资医疗器械领域。")

    scores = scores_of(pitcher, *room, distractor, investor)

    assert top_helpers(scores, limit=1)[0] == [len(room) + 2]


def test_help_scores_fold_english_inflections() -> None:
    pitcher = Profile(id=1, need="Looking for investors.")
    helper = Profile(id=2, offer="As an investor I back seed rounds.")
    bystander = Profile(id=3, offer="I spend my weekends hiking.")

    scores = scores_of(pitcher, helper, bystander)

    assert scores[0][1] > scores[0][2]


ROOM = [
    Profile(id=1, need="We need a lawyer for a trademark dispute.", offer="I run a bakery."),
    Profile(id=2, need="Looking for a bakery supplier.", offer="I am a trademark lawyer."),
    Profile(id=3, need="需要律师处理商标纠纷", offer="我们做物流，仓库在通州。"),
    Profile(id=4, need="", offer="Warehouse space in Tongzhou for events.", company="Logistics"),
    Profile(id=5, need="Investors in hardware", offer="", wishes=("Ada Li",)),
    Profile(id=6, name="Ada Li", offer="Angel investor in hardware startups."),
    Profile(id=7),
    Profile(id=8, need="场地 活动", offer="", wished=frozenset({4})),
]


def test_help_scores_within_equal_help_scores_of_each_group() -> None:
    """The bulk scorer gives each group what ``help_scores`` fitted on that group alone gives
    (float rounding aside): groups of every size, overlapping, with named wishes and empty
    texts."""
    groups = [(ROOM[p], [ROOM[m] for m in range(len(ROOM)) if m != p]) for p in range(len(ROOM))]
    groups += [(ROOM[0], [ROOM[1]]), (ROOM[4], [ROOM[5], ROOM[6]]), (ROOM[7], [ROOM[3]])]
    groups += [(ROOM[2], []), (ROOM[6], [ROOM[6 - k] for k in range(1, 6)])]

    bulk = help_scores_within(groups)

    assert len(bulk) == len(groups)
    for (pitcher, listeners), scores in zip(groups, bulk, strict=True):
        alone = help_scores([pitcher, *listeners])[0][1:]
        assert scores == pytest.approx(alone, abs=1e-12)
    assert bulk[4][ROOM.index(ROOM[5]) - 1] == NAMED  # a wish naming Ada Li
    assert bulk[7][3] == NAMED  # a person picked from the guest list
    assert any(score > 0 for score in bulk[0])


def test_help_scores_within_of_nothing() -> None:
    assert help_scores_within([]) == []
    assert help_scores_within([(ROOM[6], [])]) == [[]]
    assert help_scores_within([(Profile(id=1), [Profile(id=2)])]) == [[0.0]]


def test_help_chances_guess_by_rank_and_give_a_named_listener_all() -> None:
    scores = [[0.0, 0.2, NAMED, 0.5, 0.0], [0.0] * 5, [0.0] * 5, [0.0] * 5, [0.0] * 5]

    assert help_chances(scores, limit=3) == [(0, 2, 1.0), (0, 3, 1 / 2), (0, 1, 1 / 3)]
    assert help_chances(scores, limit=2) == [(0, 2, 1.0), (0, 3, 1 / 2)]


def test_help_chances_count_one_text_once_and_give_its_place_to_another_helper() -> None:
    """Two colleagues with one offer are one piece of evidence: only the better scored is a
    candidate, and the next different listener takes the second rank (the planner would
    otherwise seat the pitcher with both instead of with someone else who may help)."""
    pitcher = Profile(id=1, need=ACCOUNTANT_NEED)
    accountant = Profile(id=2, offer=ACCOUNTANT_OFFER, company="Kite Tax")
    colleague = Profile(id=3, offer=ACCOUNTANT_OFFER + "  ", company="KITE TAX")
    bookkeeper = Profile(id=4, offer="Bookkeeping for small firms, in English and Chinese.")
    named_twin = Profile(id=5, offer=ACCOUNTANT_OFFER, company="Kite Tax", name="Wang Lei")
    wisher = Profile(id=6, need=ACCOUNTANT_NEED, wishes=("Wang Lei",))
    people = [pitcher, accountant, colleague, bookkeeper, named_twin, wisher]
    scores = help_scores(people)
    documents = document_keys(people)
    assert documents[1] == documents[2] == documents[4]  # folded: case and spaces

    mine = [(listener, chance) for p, listener, chance in help_chances(scores) if p == 0]
    distinct = [
        (listener, chance)
        for p, listener, chance in help_chances(scores, documents=documents)
        if p == 0
    ]
    theirs = [
        (listener, chance)
        for p, listener, chance in help_chances(scores, documents=documents)
        if p == 5
    ]

    assert [listener for listener, _chance in mine][:3] == [1, 2, 4]  # one text, three times
    assert distinct == [(1, 1 / 2), (3, 1 / 3)]
    # a named listener counts fully whatever their text, and takes no text's place
    assert theirs == [(4, 1.0), (1, 1 / 2), (3, 1 / 3)]


def test_the_words_of_the_pitch_format_are_no_evidence_of_help() -> None:
    """ "Who do you know…?" is every ask: an offer that says "I know…" shares it with everyone,
    in English and, glossed, in Chinese (认识 know, 人 person, 做 make)."""
    knows = Profile(id=1, offer="I know every AV supplier in town and help people meet them.")
    asking = Profile(id=2, need="A bakery bookkeeper.", ask="Who do you know who keeps books?")
    chinese = Profile(id=3, need="我需要认识做跨境电商物流的人。", ask="你认识做海外仓的人吗？")
    carrier = Profile(id=4, offer="We run cross-border e-commerce logistics to Europe.")

    scores = help_scores([knows, asking, chinese, carrier])

    assert scores[1][0] == 0.0
    assert scores[2][0] == 0.0
    assert scores[2][3] > 0.0


def test_a_wish_that_types_the_name_of_someone_off_the_guest_list_does_not_name_them() -> None:
    """Someone who said no to the guest list cannot be found there, nor wished for by typing
    their name or company: the text scores as any text. Picked before (by id), they still
    count."""
    wisher = Profile(id=1, wishes=("Bob Private", "hidden co"))
    unlisted = Profile(id=2, name="Bob Private", company="Hidden Co", listed=False)
    picker = Profile(id=3, wished=frozenset({2}))

    scores = help_scores([wisher, unlisted, picker])
    within = help_scores_within([(wisher, [unlisted])])

    assert scores[0][1] < NAMED
    assert within[0][0] < NAMED
    assert scores[2][1] == NAMED
    assert help_scores([wisher, replace(unlisted, listed=True)])[0][1] == NAMED


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("investors in hardware", "Investors in hardware."),
        ("investors in hardware", "investors in hardware\U000e0020"),
        ("🚀 investors", "🚀\ufe0f investors"),
        ("投资人", "投資人"),
        ("“investors”", "investors"),
    ],
)
def test_same_wish_sees_one_wish_however_it_is_typed(one, other) -> None:
    assert same_wish(one, other)


@pytest.mark.parametrize(("one", "other"), [("investors", "investors in hardware"), ("", "")])
def test_same_wish_keeps_different_wishes_apart(one, other) -> None:
    assert not same_wish(one, other)


@pytest.mark.parametrize(
    ("wish", "name", "company"),
    [
        ("陳美玲", "陈美玲", ""),
        ("鸿海精密", "Wang Xiaoming", "鴻海精密"),
        ("Li Wei.", "Li Wei", ""),
    ],
)
def test_a_typed_name_names_the_listener_in_either_chinese_script_and_without_its_full_stop(
    wish, name, company
) -> None:
    scores = help_scores([Profile(id=1, wishes=(wish,)), Profile(id=2, name=name, company=company)])

    assert scores[0][1] == NAMED


def test_connect_run_and_contact_are_no_evidence_of_help_either() -> None:
    anyone = Profile(id=1, offer="I can connect you with anyone; happy to help, I have contacts.")
    chinese = Profile(id=2, offer="我人脉很广，可以帮你联系任何人。")
    asking = Profile(
        id=3,
        need="A trucking fleet.",
        ask="Can anyone connect me with someone who runs a fleet? A contact would do.",
    )
    running = Profile(id=4, offer="I run a free workshop on contracts.")

    scores = help_scores([anyone, chinese, asking, running])

    assert scores[2][0] == scores[2][1] == scores[2][3] == 0.0


def test_a_wish_reaches_the_company_of_someone_on_the_guest_list_only() -> None:
    """Typing an unlisted person's company in a wish ("someone at Quantum Widgets") does not
    find them; the same person on the guest list is found; a kind of person still meets an
    unlisted listener's offer, and the need still meets their company."""
    wisher = Profile(id=1, need="A logistics partner.", wishes=("someone at Quantum Widgets",))
    hidden = Profile(id=2, company="Quantum Widgets", offer="I paint watercolours.", listed=False)
    shown = replace(hidden, id=3, listed=True)
    kinds = Profile(id=4, need="A lawyer.", wishes=("investors in hardware",))
    investor = Profile(id=5, offer="I invest in hardware startups.", listed=False)
    needing = Profile(id=6, need="Someone at a logistics company.", wishes=("lunch",))
    carrier = Profile(id=7, company="Kite Logistics Company", listed=False)

    scores = help_scores([wisher, hidden, shown, kinds, investor, needing, carrier])

    assert scores[0][1] == 0.0
    assert scores[0][2] > 0.0
    assert scores[3][4] > 0.0
    assert scores[5][6] > 0.0
