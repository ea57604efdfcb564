"""Review's Celery tasks: hooks it subscribes to (ReviewConfig.ready)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from review import services


@shared_task
def reply_cancelled_task(message_id: int, **_: Any) -> int | None:
    """hooks.REPLY_CANCELLED: a draft whose reply was undone is editable again."""
    draft = services.return_to_draft(message_id)
    return draft.pk if draft else None
