"""Hooks for steps that follow a new message (notifications, auto-reply, ...).

Sent after the transaction commits, with ids only; receivers re-read what they need.
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: message_id, conversation_id, kind, created_conversation (bool)
message_added = Signal()

# Sent after commit for every inbound email stored as a message, by the ingest
# pipeline (inbox.ingest.pipeline). kwargs: message_id, conversation_id,
# created_conversation (bool), auto_reply_allowed (bool: False for bounces,
# auto-replies, list mail and mail that asks for no automatic answer, RFC 3834).
# The auto-reply belongs here: reply when created_conversation and
# auto_reply_allowed and the mailbox has auto_reply_enabled.
inbound_message_received = Signal()
