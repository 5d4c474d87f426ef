"""Warnings about something that happens to many at once: a room's sockets meeting a database
that restarts, a thousand card taps a second whose pushes Redis refuses. One line at most every
``every_s`` seconds, with how many times it happened since the line before, and no traceback:
the cause is named once, and the log stays readable while the room retries."""

from __future__ import annotations

import logging
import math
import time


def first_line(error: BaseException) -> str:
    """An exception's message without psycopg's or redis-py's hints on the lines after it (its
    type's name when it has no message)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class ThrottledWarning:
    """``logger.warning(message % (*args, count))`` at most every ``every_s`` seconds, ``count``
    being how many times ``seen`` was told since the last line (the message's last placeholder).
    Used from one thread (the event loop's): the counts are not locked."""

    def __init__(self, logger: logging.Logger, message: str, *, every_s: float = 10.0) -> None:
        self.logger, self.message, self.every_s = logger, message, every_s
        self.reset()

    def reset(self) -> None:
        """Forget the last line: the next ``seen`` is logged."""
        self.unlogged = 0
        self.logged_at = -math.inf

    def seen(self, *args: object, count: int = 1) -> None:
        """``count`` more times; logged with ``args`` (the message's other placeholders) when
        ``every_s`` has passed since the last line."""
        self.unlogged += count
        now = time.monotonic()
        if now - self.logged_at < self.every_s:
            return
        self.logger.warning(self.message, *args, self.unlogged)
        self.logged_at, self.unlogged = now, 0
