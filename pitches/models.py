from __future__ import annotations

import re

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from events.models import Attendee

WORDS_PER_MINUTE = 150
"""A calm English pace, for every word that is not written in CJK characters."""
CJK_CHARACTERS_PER_MINUTE = 240
"""Four a second, for Chinese characters (one spoken syllable each): Mandarin is read aloud at
about 5.2 syllables a second (Pellegrino, Coupé and Marsico, "A cross-language perspective on
speech information rate", Language 87(3), 2011); a pitch is said a little slower than read.
(At English's 150 words a minute, a Chinese pitch came out about half as long as said.)"""
MAX_WISHES = 5
"""Wishes on a wish list: people to meet, picked from the guest list or described."""
WISH_LENGTH = 120
# Latin words, numbers and contractions count once; each CJK character once (static/js/pitch.js
# counts the same way): Han ideographs (the basic block, extension A, compatibility, and the
# extensions B-G beyond the BMP, such as 𠮷) and Japanese kana (hiragana, katakana, their
# phonetic extensions, half-width katakana), which are written without spaces between words.
# Kana are said faster than 240 a minute, so a kana pitch is estimated long, never short.
CJK_RANGES = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
# What separates words, as JavaScript's \s does (Python's also takes U+001C-U+001F and U+0085).
SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
CJK_PATTERN = re.compile(f"[{CJK_RANGES}]")
WORD_PATTERN = re.compile(f"[{CJK_RANGES}]|[^{SPACE}{CJK_RANGES}]+")


def count_words(text: str) -> int:
    """Latin words and numbers, and CJK characters, each once."""
    return len(WORD_PATTERN.findall(text))


def count_cjk_characters(text: str) -> int:
    """The CJK characters in ``text``: each one spoken syllable."""
    return len(CJK_PATTERN.findall(text))


# ``spoken_units`` per second: both rates' minutes in one integer scale.
UNITS_PER_SECOND = WORDS_PER_MINUTE * CJK_CHARACTERS_PER_MINUTE


def spoken_units(text: str) -> tuple[int, int, int]:
    """(the time to say ``text`` in units of 1/``UNITS_PER_SECOND`` s, its CJK characters, its
    other words): each CJK character at ``CJK_CHARACTERS_PER_MINUTE``, every other word at
    ``WORDS_PER_MINUTE``. Integer arithmetic, as static/js/pitch.js ``spokenSeconds``."""
    characters = count_cjk_characters(text)
    words = count_words(text) - characters
    units = 60 * (characters * WORDS_PER_MINUTE + words * CJK_CHARACTERS_PER_MINUTE)
    return units, characters, words


def spoken_seconds(text: str) -> int:
    """Seconds to say ``text`` at a calm pace, rounded up so a tight pitch is not flattered: each
    CJK character at ``CJK_CHARACTERS_PER_MINUTE`` (240 characters a minute, see there for the
    source), every other word at ``WORDS_PER_MINUTE`` (150 words a minute), mixed text the sum
    (``spoken_units``), so that the server and the browser say the same second."""
    units, _characters, _words = spoken_units(text)
    return -(-units // UNITS_PER_SECOND)


class Pitch(models.Model):
    attendee = models.OneToOneField(
        Attendee, on_delete=models.CASCADE, related_name="pitch", verbose_name=_("attendee")
    )
    need = models.TextField(_("what I need"), max_length=600, blank=True)
    offer = models.TextField(_("what I offer"), max_length=600, blank=True)
    ask = models.CharField(
        _("the ask"),
        max_length=200,
        blank=True,
        help_text=_('One line that closes the pitch, e.g. "Who do you know at a food bank?"'),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pitch")
        verbose_name_plural = _("pitches")
        ordering = ["attendee__name", "pk"]

    def __str__(self) -> str:
        return self.ask or self.need[:80] or str(_("(empty pitch)"))

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.need, self.offer, self.ask) if part)

    @property
    def word_count(self) -> int:
        return count_words(self.text)

    @property
    def spoken_seconds(self) -> int:
        return spoken_seconds(self.text)


class Wish(models.Model):
    """One line of an attendee's private wish list: a person picked from the event's guest list
    (held by reference, so a namesake or a renamed person changes nothing) or a kind of person in
    free text ("investors in hardware"). Only its author ever sees it; the seating reads it
    (``pitches.matching``). That the person is at the author's event is checked by
    ``pitches.services.add_wish``; the rest is enforced here."""

    author = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="wishes", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # No reverse accessor: nothing reached from the person wished for leads to the wish.
    person = models.ForeignKey(
        Attendee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person from the guest list"),
    )
    text = models.CharField(_("kind of person"), max_length=WISH_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    is_private_to_author = True
    """Left out of the admin's deletion summary of the person wished for (``events.admin``)."""

    class Meta:
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")
        ordering = ["author", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "position"], name="wish_unique_position_per_author"
            ),
            models.UniqueConstraint(
                fields=["author", "person"],
                condition=Q(person__isnull=False),
                name="wish_unique_person_per_author",
                violation_error_message=_("This person is on your wish list already."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_WISHES),
                name="wish_at_most_five",
                violation_error_message=_("A wish list holds at most five wishes."),
            ),
            models.CheckConstraint(
                condition=(Q(person__isnull=True) & ~Q(text=""))
                | (Q(person__isnull=False) & Q(text="")),
                name="wish_person_or_text",
                violation_error_message=_("A wish is either a person or a kind of person."),
            ),
            models.CheckConstraint(
                condition=~Q(person=F("author")),
                name="wish_not_oneself",
                violation_error_message=_("You cannot wish to meet yourself."),
            ),
        ]

    def __str__(self) -> str:
        # Neutral on purpose: an admin's deletion summary must not tell who wished for whom.
        return str(_("a private wish"))
