from __future__ import annotations

from replypad.errors import PermissionDeniedError, ReplypadError


class EmptyNote(ReplypadError):
    field = "body"


class NoteTooLong(ReplypadError):
    field = "body"


class NotTheAuthor(PermissionDeniedError):
    """Only a note's author may edit it."""


class BadAttachment(ReplypadError):
    field = "attachments"


class NotAllowedToUnfollow(PermissionDeniedError):
    field = "user"


class UnknownEvent(ReplypadError):
    field = "event"
