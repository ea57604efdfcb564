"""The error every service raises, and its mapping to HTTP answers."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler


class ReplypadError(Exception):
    """A refused action the user can understand and fix.

    `field` names the input at fault (the API puts the message under it);
    `status_code` is 400 for bad input and 409 for a state conflict.
    """

    status_code = 400
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def as_dict(self) -> dict[str, Any]:
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}


class ConflictError(ReplypadError):
    status_code = 409


class PermissionDeniedError(ReplypadError):
    status_code = 403


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ReplypadError):
        return Response(exc.as_dict(), status=exc.status_code)
    return exception_handler(exc, context)
