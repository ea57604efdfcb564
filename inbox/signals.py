"""Hooks for steps that follow a new message (notifications, auto-reply, ...).

Sent after the transaction commits, with ids only; receivers re-read what they need.
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: message_id, conversation_id, kind, created_conversation (bool)
message_added = Signal()
