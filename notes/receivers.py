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
    """A customer wrote: followers hear of it. Runs after the message committed.

    A failure here must not fail the ingestion that sent the signal: the work is
    handed to a worker instead (message_received is idempotent).
    """
    if kind != Message.Kind.INBOUND:
        return
    try:
        services.message_received(message_id)
    except Exception:
        logger.exception("Notifying followers of message %s failed", message_id)
        from notes.tasks import notify_new_message_task

        try:
            notify_new_message_task.delay(message_id)
        except Exception:
            logger.exception("Could not queue a retry for message %s", message_id)
