"""Hooks into other apps' signals (connected in NotesConfig.ready)."""

from __future__ import annotations

import logging
from typing import Any

from inbox.models import Message
from notes import services

logger = logging.getLogger(__name__)


def on_message_added(
    sender: Any, *, message_id: int, kind: str = "", **kwargs: Any
) -> None:
    """A customer wrote: followers hear of it. Runs after the message committed."""
    if kind != Message.Kind.INBOUND:
        return
    try:
        services.message_received(message_id)
    except Exception:
        # The mail is safe; hand the notifications to a worker to retry.
        logger.exception("Notifying followers of message %s failed", message_id)
        from notes.tasks import notify_new_message_task

        notify_new_message_task.delay(message_id)
