from __future__ import annotations

from replypad.errors import ConflictError, ReplypadError


class SendTimeInPast(ReplypadError):
    """A scheduled email cannot go out at a time that has already gone."""

    field = "send_at"


class NoSendTime(ReplypadError):
    field = "send_at"


class InvalidCadence(ReplypadError):
    """`every` is unreadable, below the floor or above the ceiling."""

    field = "every"


class InvalidUntil(ReplypadError):
    field = "until"


class InvalidTimezone(ReplypadError):
    field = "timezone"


class NothingToSend(ReplypadError):
    """Neither a body nor a canned reply was given."""

    field = "body"


class NotPending(ConflictError):
    """Only a scheduled email still waiting can be edited or cancelled."""


class MilestoneInPast(ReplypadError):
    field = "milestone_due_at"
