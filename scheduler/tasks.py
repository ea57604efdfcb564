"""Scheduler's Celery tasks: beat's dispatcher and milestone watch, and the
inbox hook it subscribes to (SchedulerConfig.ready). Each takes ids and is
safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from inbox.models import Conversation, Message
from scheduler import services


@shared_task
def dispatch_scheduled_emails_task() -> int:
    """Beat runs this: lease the due rows and hand each run to a send task, so
    every worker shares the sending. Returns how many were handed out."""
    claimed = services.claim_due()
    for scheduled_id, run in claimed:
        send_scheduled_email_task.delay(scheduled_id, run)
    return len(claimed)


@shared_task
def send_scheduled_email_task(scheduled_id: int, run: int) -> str:
    """Send one run; a second delivery of the same run does nothing."""
    return services.send_scheduled(scheduled_id, run=run)


@shared_task
def alert_due_milestones_task() -> int:
    return services.alert_due_milestones()


@shared_task
def cancel_on_resolve_task(conversation_id: int, new: str, **_: Any) -> int:
    """hooks.STATUS_CHANGED: a resolved conversation gets no more scheduled email."""
    if new != Conversation.Status.RESOLVED:
        return 0
    return services.cancel_pending_for(
        conversation_id, reason="The conversation was resolved"
    )


@shared_task
def push_back_after_reply_task(message_id: int, conversation_id: int, **_: Any) -> int:
    """hooks.MESSAGE_ADDED for an agent's reply: promised updates wait longer."""
    created_at = (
        Message.objects.filter(pk=message_id)
        .values_list("created_at", flat=True)
        .first()
    )
    if created_at is None:
        return 0
    return services.push_back_after_reply(conversation_id, replied_at=created_at)
