"""Outgoing email: replies with undo-send, automatic mail, delivery and tracking.

Services live in `replies` (queue, undo, retry), `delivery` (send once,
dispatch), `autoreply` and `tracking`, and are re-exported here; the email
itself is assembled in `compose`.
"""

from __future__ import annotations

from inbox.outbound.autoreply import send_auto_reply
from inbox.outbound.delivery import deliver_message, dispatch_due_messages
from inbox.outbound.replies import (
    cancel_reply,
    queue_automatic_message,
    retry_message,
    send_reply,
)
from inbox.outbound.tracking import record_bounce_report, record_tracking_event

__all__ = [
    "cancel_reply",
    "deliver_message",
    "dispatch_due_messages",
    "queue_automatic_message",
    "record_bounce_report",
    "record_tracking_event",
    "retry_message",
    "send_auto_reply",
    "send_reply",
]
