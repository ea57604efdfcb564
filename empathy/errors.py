from __future__ import annotations

from replypad.errors import ReplypadError


class EmpathyBlocked(ReplypadError):
    """The mailbox blocks replies with blocker findings unless a reason is given."""

    field = "body"
