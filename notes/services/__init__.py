"""Writes for notes, followers and notifications (re-exported from submodules)."""

from __future__ import annotations

from notes.services.digests import send_digest, send_due_digests
from notes.services.followers import follow, unfollow
from notes.services.notes import (
    MentionProblem,
    NoteResult,
    add_note,
    edit_note,
    pin_note,
    unpin_note,
)
from notes.services.notifications import (
    conversation_assigned,
    conversation_status_changed,
    mark_all_read,
    mark_read,
    message_received,
    notify_followers,
    notify_users,
    set_preference,
)

__all__ = [
    "MentionProblem",
    "NoteResult",
    "add_note",
    "conversation_assigned",
    "conversation_status_changed",
    "edit_note",
    "follow",
    "mark_all_read",
    "mark_read",
    "message_received",
    "notify_followers",
    "notify_users",
    "pin_note",
    "send_digest",
    "send_due_digests",
    "set_preference",
    "unfollow",
    "unpin_note",
]
