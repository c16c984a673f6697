"""Invitations and reminders by email: batches of messages, each sent once over SMTP.

texts: the messages in each language; batches: who gets them, how far a batch has got, and
whether mail can be sent at all. The loop that sends a batch is jobs.mail_sending.
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
    smtp_configured,
)
from .texts import MAIL_LANGUAGES, preview, text_language

__all__ = [
    "KINDS",
    "MAIL_LANGUAGES",
    "MailRefused",
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
    "smtp_configured",
    "text_language",
]
