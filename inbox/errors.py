from __future__ import annotations

from replypad.errors import ConflictError, ReplypadError


class NotAMember(ReplypadError):
    """The user acted on a mailbox they do not belong to."""

    status_code = 403


class InvalidStatusChange(ConflictError):
    pass


class InvalidSnooze(ReplypadError):
    field = "until"


class UnsafeHeaderValue(ReplypadError):
    """CR or LF in a value that would become an email header."""
