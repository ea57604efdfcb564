"""Timeline rows written by the empathy app."""

from __future__ import annotations

from typing import Any

from inbox.events import record
from inbox.models import Conversation, Event


def empathy_overridden(
    conversation: Conversation, *, actor: Any, rules: list[str], reason: str
) -> Event:
    return record(
        conversation,
        Event.Kind.EMPATHY_OVERRIDDEN,
        actor=actor,
        rules=rules,
        reason=reason,
    )
