"""Timeline rows: one function per kind, named in the past tense."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from inbox.models import Conversation, Event


def record(
    conversation: Conversation,
    kind: Event.Kind,
    *,
    actor: Any = None,
    at: datetime | None = None,
    **data: Any,
) -> Event:
    return Event.objects.create(
        conversation=conversation,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        data=data,
        created_at=at or timezone.now(),
    )


def conversation_created(
    conversation: Conversation, *, actor: Any = None, at: datetime | None = None
) -> Event:
    return record(conversation, Event.Kind.CONVERSATION_CREATED, actor=actor, at=at)


def message_added(
    conversation: Conversation,
    *,
    message_id: int,
    kind: str,
    actor: Any = None,
    at: datetime | None = None,
) -> Event:
    return record(
        conversation,
        Event.Kind.MESSAGE_ADDED,
        actor=actor,
        at=at,
        message=message_id,
        message_kind=kind,
    )


def conversation_assigned(
    conversation: Conversation, *, actor: Any, assignee: Any
) -> Event:
    return record(
        conversation,
        Event.Kind.CONVERSATION_ASSIGNED,
        actor=actor,
        assignee=assignee.pk if assignee else None,
        assignee_name=(assignee.get_full_name() or assignee.username)
        if assignee
        else "",
    )


def status_changed(
    conversation: Conversation,
    *,
    actor: Any,
    old: str,
    new: str,
    at: datetime | None = None,
) -> Event:
    return record(
        conversation, Event.Kind.STATUS_CHANGED, actor=actor, at=at, old=old, new=new
    )


def conversation_snoozed(
    conversation: Conversation, *, actor: Any, until: str
) -> Event:
    return record(
        conversation, Event.Kind.CONVERSATION_SNOOZED, actor=actor, until=until
    )


def conversation_unsnoozed(conversation: Conversation, *, actor: Any) -> Event:
    return record(conversation, Event.Kind.CONVERSATION_UNSNOOZED, actor=actor)


def conversation_reopened(
    conversation: Conversation, *, actor: Any = None, at: datetime | None = None
) -> Event:
    return record(conversation, Event.Kind.CONVERSATION_REOPENED, actor=actor, at=at)


def label_added(conversation: Conversation, *, actor: Any, label: str) -> Event:
    return record(conversation, Event.Kind.LABEL_ADDED, actor=actor, label=label)


def label_removed(conversation: Conversation, *, actor: Any, label: str) -> Event:
    return record(conversation, Event.Kind.LABEL_REMOVED, actor=actor, label=label)


def conversation_moved(
    conversation: Conversation, *, actor: Any, old: str, new: str
) -> Event:
    return record(
        conversation, Event.Kind.CONVERSATION_MOVED, actor=actor, old=old, new=new
    )
