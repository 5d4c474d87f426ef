from __future__ import annotations

from events.codes import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    new_attendee_token,
    new_join_code,
    normalize_join_code,
)


def test_join_code_alphabet_has_no_look_alikes():
    assert set(JOIN_CODE_ALPHABET).isdisjoint(set("0O1IL"))


def test_new_join_code_uses_only_the_alphabet():
    codes = {new_join_code() for _ in range(200)}

    assert all(len(code) == JOIN_CODE_LENGTH for code in codes)
    assert all(set(code) <= set(JOIN_CODE_ALPHABET) for code in codes)
    assert len(codes) == 200


def test_normalize_join_code_accepts_what_people_type():
    assert normalize_join_code(" cg2-6vp ") == "CG26VP"


def test_new_attendee_token_is_a_long_url_safe_secret():
    tokens = {new_attendee_token() for _ in range(50)}

    assert len(tokens) == 50
    assert all(len(token) >= 43 for token in tokens)
    assert all(token.replace("-", "").replace("_", "").isalnum() for token in tokens)
