from __future__ import annotations

from typing import Any

from celery import shared_task

from inbox import services
from inbox.imap import fetch_all_accounts


@shared_task
def wake_snoozed_conversations_task() -> int:
    return services.wake_snoozed_conversations()


# --- Outbound email (inbox.outbound) ----------------------------------------


@shared_task(bind=True, max_retries=None)
def send_message_task(self, message_id: int) -> str:
    """Send one queued message; a run on a sent or cancelled message does nothing.

    Transient ESP errors come back as TransientSendError after the message is
    queued again with backoff; the retry here only makes it prompt (beat's
    dispatcher would find it too), and the attempt limit lives in the service.
    """
    from inbox import outbound
    from inbox.outbound.errors import TransientSendError

    try:
        return outbound.deliver_message(message_id)
    except TransientSendError as exc:
        raise self.retry(countdown=exc.retry_in, exc=exc) from None


@shared_task
def send_auto_reply_task(message_id: int, **_: Any) -> int | None:
    """hooks.INBOUND_RECEIVED for a new conversation: acknowledge it by email.

    Safe to run twice: the per-customer interval refuses a second auto-reply.
    """
    from inbox.outbound import autoreply

    message = autoreply.send_auto_reply(message_id)
    return message.pk if message else None


@shared_task
def dispatch_due_messages_task() -> int:
    from inbox import outbound

    return outbound.dispatch_due_messages()


@shared_task
def fetch_mail_task() -> int:
    """Poll every enabled IMAP account; returns how many messages were read."""
    return sum(result.fetched for result in fetch_all_accounts())
