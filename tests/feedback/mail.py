"""A test mail backend: Django's locmem backend that refuses some addresses like an SMTP
server would, to test that one failed send does not stop the others."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend

REFUSED: set[str] = set()


class RefusingBackend(EmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            for address in message.recipients():
                if any(refused in address for refused in REFUSED):
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"No such user")})
        return super().send_messages(email_messages)
