"""Steps other apps add to `send_reply`, registered when their app starts.

`send_reply` runs every registered step inside its transaction, with the
conversation row locked, before the reply is stored:

- COMPOSE steps may fill in the text (templates_app renders a canned reply);
- then `send_reply` validates the body, recipients and subject;
- CHECK steps may refuse the reply by raising a ReplypadError (empathy's block
  mode, a review policy) or add fields to store on the message.

A step may also ask to be called with the stored message (`reply.on_stored`),
still inside the transaction. inbox never imports the apps that register steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from inbox.models import Conversation, Message

COMPOSE, CHECK = "compose", "check"


@dataclass
class OutgoingReply:
    """A reply on its way through send_reply's steps; steps may change it."""

    conversation: Conversation  # locked, with mailbox and customer loaded
    by: Any
    body: str
    subject: str | None
    status_after: str | None
    template_id: int | None = None
    ask: Mapping[str, Any] = field(default_factory=dict)
    empathy_override_reason: str = ""
    # The draft this reply comes from, if any; inbox knows it only as an id
    # (a review step checks it was approved with exactly this body).
    draft_id: int | None = None
    message_fields: dict[str, Any] = field(default_factory=dict)
    stored_callbacks: list[Callable[[Message], None]] = field(default_factory=list)

    @property
    def resolves(self) -> bool:
        return self.status_after == Conversation.Status.RESOLVED

    def on_stored(self, callback: Callable[[Message], None]) -> None:
        self.stored_callbacks.append(callback)


Step = Callable[[OutgoingReply], None]
_steps: dict[str, list[Step]] = {COMPOSE: [], CHECK: []}


def register(step: Step, *, stage: str) -> None:
    """Add a step to every reply; registering the same step twice keeps one."""
    if step not in _steps[stage]:
        _steps[stage].append(step)


def run(stage: str, reply: OutgoingReply) -> None:
    for step in _steps[stage]:
        step(reply)
