"""Outgoing email: replies with undo-send, automatic mail, delivery and tracking.

Services live in `inbox.outbound.services` and are re-exported here; the email
itself is assembled in `inbox.outbound.compose`.
"""

from __future__ import annotations

from inbox.outbound.services import (
    cancel_reply,
    deliver_message,
    dispatch_due_messages,
    queue_automatic_message,
    record_bounce_report,
    record_tracking_event,
    retry_message,
    send_auto_reply,
    send_reply,
)

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
