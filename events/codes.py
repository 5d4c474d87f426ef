"""Join codes and attendee tokens.

A join code is read aloud by an organizer and typed on a phone, so it uses an alphabet without
look-alikes (no 0/O, 1/I/L) and is upper case; 6 characters of 31 symbols give 887 million codes,
which with the join page's rate limit cannot be guessed during an event. An attendee token is the
attendee's only credential (their personal link and socket), so it is a long random secret; their
badge carries another one, which is no credential.
"""

from __future__ import annotations

import re
import secrets

JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6
TOKEN_BYTES = 32


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(raw: str) -> str:
    """What a person typed, in the stored form: upper case, without spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def new_attendee_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_badge_key() -> str:
    """The secret in a printed badge's QR code (``/b/<key>/``). A badge is worn in view all
    evening, so it is not the attendee's token: it opens nothing by itself (it offers to mail
    the personal link to the attendee's own address), and it is rotated with the token."""
    return secrets.token_urlsafe(16)


# A join form's nonce: 22 URL-safe characters (16 random bytes), issued with the form.
JOIN_NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_join_nonce() -> str:
    """The random id of one join form as served (a hidden field): the attendee a submit of it
    creates keeps it, so the same form sent again (a double tap) finds them instead of adding a
    second person. Not a credential on its own: only the browser it was served to has it."""
    return secrets.token_urlsafe(16)


def new_projector_key() -> str:
    """The secret in the projector's read-only link: it shows names and tables, nothing else."""
    return secrets.token_urlsafe(16)
