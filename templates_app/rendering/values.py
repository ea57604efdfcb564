"""Per-render state, and how plain data looks inside a template."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from jinja2 import Undefined
from markupsafe import Markup

from templates_app.errors import RenderLimitExceeded, TemplateRenderError


@dataclass(frozen=True)
class Limits:
    """Hard caps; every one of them turns into a clear error, never a hang."""

    max_source_chars: int = 20_000
    max_output_chars: int = 50_000
    max_render_seconds: float = 0.5
    max_range: int = 1_000
    max_loop_items: int = 1_000
    max_loop_depth: int = 2
    max_int_bits: int = 256
    max_nesting: int = 40
    max_ask_chars: int = 2_000


BODY_LIMITS = Limits()
SUBJECT_LIMITS = Limits(max_source_chars=500, max_output_chars=500)


# --------------------------------------------------------------------------
# Render state: per call, shared with filters and the Undefined type.


@dataclass
class RenderState:
    limits: Limits
    zone: tzinfo
    html: bool
    deadline: float
    missing: dict[str, None] = field(default_factory=dict)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimitExceeded(
                "The template took too long to render "
                f"(limit {self.limits.max_render_seconds:g} s)."
            )


render_state: ContextVar[RenderState | None] = ContextVar(
    "template_render", default=None
)


def current_state() -> RenderState | None:
    return render_state.get()


def tick() -> None:
    state = current_state()
    if state is not None:
        state.tick()


def missing_marker(name: str, *, html: bool) -> str:
    """How a missing value shows in a preview: loud, never mistaken for text."""
    if html:
        return str(
            Markup(
                '<mark class="template-missing" data-missing="{0}">{0}</mark>'
            ).format(name)
        )
    return f"[{name}]"


class Missing(Undefined):
    """An unknown or empty value: rendered as a marker and reported."""

    __slots__ = ()

    @property
    def path(self) -> str:
        return self._undefined_name or "value"

    def _report(self, *, html: bool) -> str:
        state = current_state()
        if state is not None:
            state.missing.setdefault(self.path, None)
        return missing_marker(self.path, html=html)

    def __str__(self) -> str:
        return self._report(html=False)

    def __html__(self) -> str:
        return self._report(html=True)

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return Missing(name=f"{self.path}.{name}")


class Record(Mapping[str, Any]):
    """A group of values (`customer`, `ask`) that knows its own dotted path.

    Blank values are dropped on the way in, so `customer.company == ""`
    becomes a Missing named `customer.company` rather than empty text.
    """

    __slots__ = ("_path", "_values")

    def __init__(self, path: str, values: Mapping[str, Any]) -> None:
        self._path = path
        self._values = {
            str(key): converted
            for key, value in values.items()
            if (converted := to_template_value(value, f"{path}.{key}")) is not None
        }

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def lookup(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        return Missing(name=f"{self._path}.{key}")

    def __str__(self) -> str:
        raise TemplateRenderError(
            f"'{self._path}' is a group of values; use one of them, "
            f"e.g. {self._path}.{next(iter(self._values), 'name')}."
        )


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_template_value(value: Any, path: str) -> Any:
    """Plain data -> what templates see. None for blank (dropped) values."""
    if is_blank(value):
        return None
    if isinstance(value, Mapping):
        return Record(path, value)
    if isinstance(value, list | tuple):
        return tuple(
            to_template_value(item, f"{path}[{index}]")
            for index, item in enumerate(value)
        )
    if isinstance(value, str | bool | int | float | Decimal | datetime | date):
        return value
    raise TypeError(f"{path}: templates take plain data, not {type(value).__name__}")
