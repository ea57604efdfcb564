"""Refusals of the review app: 400 bad input, 403 not allowed, 409 wrong state."""

from __future__ import annotations

from typing import Any

from replypad.errors import ConflictError, PermissionDeniedError, ReplypadError


class IllegalTransition(ConflictError):
    """The draft's state does not allow this move (approving a sent draft)."""

    field = "state"


class DraftNotEditable(ConflictError):
    """A sent or cancelled draft keeps its text."""


class DraftLocked(ConflictError):
    """Someone else holds the edit lock; take it over to edit."""


class StaleDraft(ConflictError):
    """The draft was saved by someone else since `version` was read.

    The answer carries the current text so the editor can show a merge view.
    """

    def __init__(self, message: str, *, current: dict[str, Any]) -> None:
        super().__init__(message)
        self.current = current

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "current": self.current}


class DraftHeld(ConflictError):
    """The customer wrote again after the approval; the draft went back to review."""


class DraftTooLong(ReplypadError):
    field = "body"


class InvalidAnchor(ReplypadError):
    """A comment's passage lies outside the draft's text."""

    field = "start"


class EmptyComment(ReplypadError):
    field = "comment"


class SelfApproval(PermissionDeniedError):
    """An author may not approve (or reject) their own draft."""


class NotAReviewer(PermissionDeniedError):
    """Only leads, or the person asked, review a draft."""


class ReviewRequired(PermissionDeniedError):
    """The mailbox's review policy holds this reply until a reviewer approves it.

    403, not 409: nothing about the reply's state is in conflict; this sender
    may not send it alone, from the page, the API or an old form alike.
    """

    field = "body"
