"""The mail backend of a production server without ``EMAIL_HOST``: mail is off.

Every send fails, and opening a connection fails first, so the follow-up run and the invitations
treat it as an unreachable mail server: nothing is claimed or stamped as sent, and once
``EMAIL_HOST`` is set the next run sends everything still due. (The console backend would print
the mail and count it as sent, so nobody would ever receive it.)
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class MailIsOff(ConnectionRefusedError):
    """Raised for every message while no mail server is configured."""

    def __init__(self) -> None:
        super().__init__("mail is off: set EMAIL_HOST (and DEFAULT_FROM_EMAIL) to send it")


class MailOffBackend(BaseEmailBackend):
    """Refuses to open and to send (see the module)."""

    def open(self) -> bool:
        raise MailIsOff()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if email_messages and not self.fail_silently:
            raise MailIsOff()
        return 0
