"""Refusals from the outbound side: the API answers 400/409, the composer shows them."""

from __future__ import annotations

from replypad.errors import ConflictError, ReplypadError


class EmptyReply(ReplypadError):
    field = "body"


class ReplyTooLong(ReplypadError):
    field = "body"


class InvalidRecipient(ReplypadError):
    """An address that is not one mailbox, or that carries CR/LF (header injection)."""

    field = "cc"


class UndoTooLate(ConflictError):
    """The reply already left (or is leaving); it can no longer be taken back."""


class NotRetryable(ConflictError):
    """Only a failed message can be queued again."""


class TransientSendError(Exception):
    """The ESP could not take the message right now; try again in `retry_in` seconds.

    Not a ReplypadError: nobody sees it but the Celery task that retries.
    """

    def __init__(self, message: str, *, retry_in: int) -> None:
        super().__init__(message)
        self.retry_in = retry_in
