"""Invitations and reminders by email: batches of messages, each sent once over SMTP.

texts: the messages in each language; batches: who gets them and how far a batch has got;
sending: the loop that sends a batch, committing per message so nobody gets one twice.
"""

from .batches import (
    KINDS,
    MailRefused,
    batch_counts,
    batch_messages,
    create_batch,
    get_batch,
    is_running,
    list_batches,
    message_language,
    queue_batch,
    recipient_languages,
    recipients,
    refusal,
)
from .sending import MailSettings, send_batch, smtp_configured
from .texts import MAIL_LANGUAGES, preview, text_language

__all__ = [
    "KINDS",
    "MAIL_LANGUAGES",
    "MailRefused",
    "MailSettings",
    "batch_counts",
    "batch_messages",
    "create_batch",
    "get_batch",
    "is_running",
    "list_batches",
    "message_language",
    "preview",
    "queue_batch",
    "recipient_languages",
    "recipients",
    "refusal",
    "send_batch",
    "smtp_configured",
    "text_language",
]
