"""What every e-mail the product sends carries, whichever app sends it."""

import smtplib
from urllib.parse import urlsplit

from django.conf import settings


def stable_message_id(kind: str, pk: int) -> str:
    """A Message-ID derived from the row the e-mail is sent for ("reminder", 42 →
    <reminder.42@minutes.example.cn>). A resend of the same row after a crash (the server accepted the
    message, the worker died before recording it) is then the same message, which mail servers and
    clients recognise and drop."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{kind}.{pk}@{host}>"


def is_permanent(exc: Exception) -> bool:
    """A refusal that retrying cannot fix: the mail server rejects the address or the message (5xx)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600
