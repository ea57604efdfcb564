"""After-commit hooks: the one way apps built on inbox hear what happened in it.

An inbox service publishes a named hook with ids and plain values; an app that
builds on inbox (notes, and later scheduler or insights) subscribes a Celery
task to it in its `AppConfig.ready()`. After the publishing transaction commits,
each subscribed task is enqueued with the same keyword arguments, so the work
runs on a worker, never inside the request or webhook that caused it, and a
rolled-back change triggers nothing. inbox never imports its subscribers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

# A message joined a conversation (any kind).
# Payload: message_id, conversation_id, kind.
MESSAGE_ADDED = "message_added"
# The inbound pipeline filed a customer's email.
# Payload: message_id, conversation_id, created_conversation, auto_reply_allowed
# (False for bounces, auto-replies, list mail and RFC 3834 opt-outs), imported.
INBOUND_RECEIVED = "inbound_received"
# Payload: conversation_id, actor_id, assignee_id (None when unassigned).
CONVERSATION_ASSIGNED = "conversation_assigned"
# Payload: conversation_id, actor_id, old, new.
STATUS_CHANGED = "status_changed"
# Undo-send took a queued reply back before it left.
# Payload: message_id, conversation_id, actor_id.
REPLY_CANCELLED = "reply_cancelled"

HOOKS = frozenset(
    {
        MESSAGE_ADDED,
        INBOUND_RECEIVED,
        CONVERSATION_ASSIGNED,
        STATUS_CHANGED,
        REPLY_CANCELLED,
    }
)

Payload = Mapping[str, Any]


@dataclass(frozen=True)
class Subscription:
    task: Any  # a Celery task: anything with .delay(**payload)
    when: Callable[[Payload], bool] | None = None


_subscriptions: dict[str, list[Subscription]] = {hook: [] for hook in HOOKS}


def subscribe(
    hook: str, task: Any, *, when: Callable[[Payload], bool] | None = None
) -> None:
    """Enqueue `task` after every commit that publishes `hook` (and `when` allows).

    Call from AppConfig.ready(); subscribing the same task twice keeps one.
    """
    if hook not in _subscriptions:
        raise ValueError(f"Unknown hook {hook!r}; choose from {sorted(HOOKS)}")
    subscriptions = _subscriptions[hook]
    if all(existing.task is not task for existing in subscriptions):
        subscriptions.append(Subscription(task, when))


def publish(hook: str, **payload: Any) -> None:
    """Announce `hook`; subscribers are enqueued once the current transaction commits.

    Outside a transaction they are enqueued at once. A broker that is down is
    logged, not raised: the change that published the hook has already committed.
    """
    for subscription in _subscriptions[hook]:
        if subscription.when is None or subscription.when(payload):
            transaction.on_commit(
                partial(_enqueue, subscription.task, hook, payload), robust=True
            )


def _enqueue(task: Any, hook: str, payload: Payload) -> None:
    try:
        task.delay(**payload)
    except Exception:
        logger.exception("Could not enqueue %s for hook %s", task.name, hook)
