from __future__ import annotations

from replypad.errors import ConflictError, ReplypadError


class NotAMember(ReplypadError):
    """The user acted on a mailbox they do not belong to."""

    status_code = 403


class UnknownStatus(ReplypadError):
    """A status word that is not open, pending or resolved (bad input, 400)."""

    field = "status"


class InvalidSnooze(ReplypadError):
    field = "until"


class UnsafeHeaderValue(ReplypadError):
    """CR or LF in a value that would become an email header."""


class MoveConflict(ConflictError):
    """The target mailbox already holds a message of the conversation."""


class BulkActionInvalid(ReplypadError):
    """A bulk action without a selection, an action or a target."""


class InvalidAssignee(ReplypadError):
    """The assignee is unknown or not a member of the conversation's mailbox.

    Both answer the same, so an id reveals nothing about other mailboxes.
    """

    field = "assignee"


class UnknownLabel(ReplypadError):
    """A label id or name that names no label; nothing was changed."""

    field = "labels"


class InvalidCursor(ReplypadError):
    """A list page link (`after` / `before`) that was not made by the list."""
