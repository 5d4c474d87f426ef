from __future__ import annotations

import math
import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Attendee

WORDS_PER_MINUTE = 150
MAX_WISHES = 5
"""Lines of a wish list: people to meet, by name or by kind."""
WISH_LENGTH = 120
# Latin words, numbers and contractions count once; each CJK character is about one spoken word.
WORD_PATTERN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+")


def count_words(text: str) -> int:
    return len(WORD_PATTERN.findall(text))


def spoken_seconds(words: int) -> int:
    """Seconds to say ``words`` at a calm pace, rounded up so a tight pitch is not flattered."""
    return math.ceil(words * 60 / WORDS_PER_MINUTE)


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
    wishes = models.TextField(
        _("people I would like to meet"),
        max_length=MAX_WISHES * (WISH_LENGTH + 1),
        blank=True,
        help_text=_(
            "Private, for the seating only: up to five lines, each a name from the guest list "
            "or a kind of person."
        ),
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
    def wish_list(self) -> tuple[str, ...]:
        """The wish list's lines, blank lines left out. Never shown to anyone but its author."""
        return tuple(line.strip() for line in self.wishes.splitlines() if line.strip())

    @property
    def word_count(self) -> int:
        return count_words(self.text)

    @property
    def spoken_seconds(self) -> int:
        return spoken_seconds(self.word_count)
