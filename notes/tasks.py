"""Notes' Celery tasks: digests on beat, and the inbox hooks notes subscribes to
(NotesConfig.ready). Each takes ids, re-reads, and is safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model

from inbox.models import Conversation
from notes import services


@shared_task
def send_notification_digests_task() -> int:
    """Beat runs this; each due teammate gets one email for all their pending rows."""
    return services.send_due_digests()


@shared_task
def notify_new_message_task(message_id: int, **_: Any) -> int:
    """hooks.MESSAGE_ADDED for customer mail: followers hear of it."""
    return len(services.message_received(message_id))


def _user(user_id: int | None) -> Any:
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@shared_task
def conversation_assigned_task(
    conversation_id: int, actor_id: int | None, assignee_id: int | None, **_: Any
) -> int:
    """hooks.CONVERSATION_ASSIGNED: the assignee and the followers hear of it."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return 0
    return len(
        services.conversation_assigned(
            conversation, by=_user(actor_id), assignee=_user(assignee_id)
        )
    )


@shared_task
def status_changed_task(
    conversation_id: int, actor_id: int | None, old: str, new: str, **_: Any
) -> int:
    """hooks.STATUS_CHANGED: the followers hear of it."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return 0
    return len(
        services.conversation_status_changed(
            conversation, by=_user(actor_id), old=old, new=new
        )
    )
