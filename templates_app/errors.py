"""Errors raised while validating or rendering canned reply templates."""

from __future__ import annotations

from typing import Any, NamedTuple

from replypad.errors import ReplypadError


class Problem(NamedTuple):
    """One thing wrong with a template source, located for the editor."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:
            return f"Line {self.line}: {self.message}"
        return f"Line {self.line}, column {self.column}: {self.message}"


class TemplateInvalid(ReplypadError):
    """The source cannot be saved: syntax error, unsafe construct, unknown name."""

    def __init__(
        self,
        problems: list[Problem] | tuple[Problem, ...],
        *,
        field: str | None = "body",
    ) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "; ".join(str(problem) for problem in self.problems), field=field
        )

    @property
    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]

    def as_dict(self) -> dict[str, Any]:
        return {self.field or "detail": self.messages}


class TemplateRenderError(ReplypadError):
    """Rendering failed on this data (a limit was hit or a value misbehaved)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(str(Problem(message, line)))
        self.reason = message
        self.line = line

    def locate(self, line: int | None) -> None:
        """Add the template line, once known, to the message."""
        self.line = line
        self.message = str(Problem(self.reason, line))
        self.args = (self.message,)


class RenderLimitExceeded(TemplateRenderError):
    """A hard limit (time, output size, range, repetition) stopped the render."""


class MissingValues(ReplypadError):
    """The reply cannot be sent while placeholders have no value."""

    def __init__(self, missing: list[str] | tuple[str, ...]) -> None:
        super().__init__(
            "Fill in the missing values before sending: " + ", ".join(missing)
        )
        self.missing = tuple(missing)

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "missing": list(self.missing)}


class PromisedTimeInPast(ReplypadError):
    """The reply would promise the customer a time that has already gone.

    `field` is the template variable holding that time.
    """


class TemplateFieldsInvalid(ReplypadError):
    """Several fields of a template are wrong; the API answers each by name."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        return dict(self.errors)


class TemplateNotForMailbox(ReplypadError):
    """The canned reply is scoped to other mailboxes than the conversation's."""

    field = "template"


class TemplateInactive(ReplypadError):
    """The canned reply was retired; it can be previewed but not sent."""

    field = "template"
