"""The sandboxed Jinja2 environment and the filters templates may use."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from jinja2 import Undefined
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.lexer import TokenStream
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from templates_app.errors import RenderLimitExceeded, TemplateRenderError
from templates_app.filters import format_moment, guess_first_name, zone_named
from templates_app.rendering.values import (
    BODY_LIMITS,
    Limits,
    Missing,
    Record,
    current_state,
    is_blank,
    tick,
)

LOOP_ATTRIBUTES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length"}
)

# --------------------------------------------------------------------------
# Filters (all pass a Missing through untouched, so `default` still works).


def _passes_missing(func: Any) -> Any:
    pass_arg = getattr(func, "jinja_pass_arg", None)
    if pass_arg is None:

        def wrapper(value: Any, *args: Any, **kwargs: Any) -> Any:
            tick()
            if isinstance(value, Undefined):
                return value
            return func(value, *args, **kwargs)

    else:

        def wrapper(passed: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
            tick()
            if isinstance(value, Undefined):
                return value
            return func(passed, value, *args, **kwargs)

        wrapper.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    wrapper.__name__ = func.__name__
    return wrapper


def _default(value: Any, fallback: Any = "", boolean: bool = False) -> Any:
    if isinstance(value, Undefined) or is_blank(value):
        return fallback
    if boolean and not value:
        return fallback
    return value


def _first_name(value: Any) -> Any:
    guess = guess_first_name(str(value))
    return guess or Missing(name="first_name")


def _moment(value: Any, style: str, *, with_time: bool) -> str:
    state = current_state()
    zone = state.zone if state else zone_named(None)
    if not isinstance(value, datetime | date | str):
        raise TemplateRenderError(f"{value!r} is not a date")
    try:
        return format_moment(value, style, zone, with_time=with_time)
    except ValueError as exc:
        raise TemplateRenderError(f"Cannot format {value!r} as a date: {exc}") from exc


def _date(value: Any, style: str = "long") -> str:
    return _moment(value, style, with_time=False)


def _datetime(value: Any, style: str = "long") -> str:
    return _moment(value, style, with_time=True)


def _join(value: Iterable[Any], separator: str = ", ") -> str:
    state = current_state()
    limit = state.limits.max_output_chars if state else BODY_LIMITS.max_output_chars
    parts: list[str] = []
    size = 0
    for item in value:
        text = str(item)
        size += len(text) + len(separator)
        if size > limit:
            raise RenderLimitExceeded(
                f"join would produce more than {limit} characters."
            )
        parts.append(text)
    return str(separator).join(parts)


def _loop_guard(value: Any) -> Iterator[Any]:
    """Wraps every `for` iterable: caps its length and watches the clock."""
    state = current_state()
    limit = state.limits.max_loop_items if state else BODY_LIMITS.max_loop_items
    if isinstance(value, Undefined):
        return
    if isinstance(value, Record):
        raise TemplateRenderError("Loop over a list of values, not a group.")
    for count, item in enumerate(value, start=1):
        if count > limit:
            raise RenderLimitExceeded(f"A loop may run at most {limit} times.")
        tick()
        yield item


def _range(*args: int) -> range:
    state = current_state()
    limit = state.limits.max_range if state else BODY_LIMITS.max_range
    if not all(isinstance(arg, int) for arg in args):
        raise TemplateRenderError("range() takes whole numbers.")
    numbers = range(*args)
    if len(numbers) > limit:
        raise RenderLimitExceeded(f"range() is capped at {limit} numbers.")
    return numbers


def _build_filters() -> dict[str, Any]:
    passthrough = {
        name: _passes_missing(JINJA_FILTERS[name])
        for name in (
            "upper",
            "lower",
            "title",
            "capitalize",
            "trim",
            "truncate",
            "round",
            "int",
            "abs",
            "string",
        )
    }
    return {
        **passthrough,
        "default": _default,
        "d": _default,
        "first_name": _passes_missing(_first_name),
        "date": _passes_missing(_date),
        "datetime": _passes_missing(_datetime),
        "join": _passes_missing(_join),
        "length": JINJA_FILTERS["length"],
        "count": JINJA_FILTERS["count"],
        "first": JINJA_FILTERS["first"],
        "last": JINJA_FILTERS["last"],
        "loop_guard": _loop_guard,
    }


# --------------------------------------------------------------------------
# The environment.


class _PositionRecorder:
    """Maps tokens back to offsets in the source, for error columns."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.last_offset = 0
        self.last_opener = 0
        self.previous = ""
        self.open_blocks: list[int] = []
        self.offsets: list[tuple[Any, int]] = []

    def track(
        self, raw: Iterable[tuple[int, str, str]]
    ) -> Iterator[tuple[int, str, str]]:
        for lineno, kind, value in raw:
            found = self.source.find(value, self.pos) if value else -1
            if found >= 0:
                self.last_offset = found
                self.pos = found + len(value)
            if kind in ("variable_begin", "block_begin"):
                self.last_opener = self.last_offset
            elif kind == "name" and self.previous == "block_begin":
                # Remember where each unclosed if/for starts, so an
                # "unexpected end of template" points at the opening tag.
                if value in ("if", "for"):
                    self.open_blocks.append(self.last_opener)
                elif value in ("endif", "endfor") and self.open_blocks:
                    self.open_blocks.pop()
            if kind != "whitespace":
                self.previous = kind
            yield lineno, kind, value

    def pair(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            self.offsets.append((token, self.last_offset))
            yield token

    def offset_of(self, token: Any) -> int | None:
        for seen, offset in reversed(self.offsets):
            if seen is token:
                return offset
        return None


class ReplyEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *, html: bool) -> None:
        super().__init__(
            autoescape=html,
            undefined=Missing,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=0,
        )
        self.globals.clear()
        self.globals["range"] = _range
        self.filters = _build_filters()

    # Positions for syntax errors ------------------------------------------

    def _tokenize(
        self,
        source: str,
        name: str | None,
        filename: str | None = None,
        state: str | None = None,
    ) -> TokenStream:
        recorder = _PositionRecorder(source)
        raw = recorder.track(self.lexer.tokeniter(source, name, filename, state))
        stream = TokenStream(
            recorder.pair(self.lexer.wrap(raw, name, filename)), name, filename
        )
        stream.recorder = recorder  # type: ignore[attr-defined]
        return stream

    # Attribute and item access: only our records, loops and sequences ------

    def getattr(self, obj: Any, attribute: str) -> Any:
        tick()
        if isinstance(obj, Missing):
            return Missing(name=f"{obj.path}.{attribute}")
        if isinstance(obj, Record):
            return obj.lookup(attribute)
        if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
            return getattr(obj, attribute)
        raise SecurityError(
            f"'{attribute}' cannot be read from a {type(obj).__name__} value."
        )

    def getitem(self, obj: Any, argument: Any) -> Any:
        tick()
        if isinstance(obj, Missing | Record) and isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, tuple | str) and isinstance(argument, int | slice):
            try:
                return obj[argument]
            except IndexError:
                return Missing(name=f"item {argument}")
        raise SecurityError(f"[{argument!r}] cannot be read from this value.")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        tick()
        limits = current_state().limits if current_state() else BODY_LIMITS
        if operator == "%" and isinstance(left, str):
            raise SecurityError("String formatting with % is not allowed.")
        if operator == "*":
            _check_repetition(left, right, limits)
            _check_repetition(right, left, limits)
        if operator in ("*", "**", "+") and _is_int(left) and _is_int(right):
            _check_int_size(operator, left, right, limits)
        return super().call_binop(context, operator, left, right)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_repetition(sequence: Any, times: Any, limits: Limits) -> None:
    if (
        isinstance(sequence, str | tuple | list)
        and _is_int(times)
        and len(sequence) * max(times, 0) > limits.max_output_chars
    ):
        raise RenderLimitExceeded(
            f"Repetition is capped at {limits.max_output_chars} characters or items."
        )


def _check_int_size(operator: str, left: int, right: int, limits: Limits) -> None:
    left_bits = abs(left).bit_length()
    right_bits = abs(right).bit_length()
    if operator == "**":
        if right < 0 or left in (0, 1, -1):
            return
        bits = right * math.log2(abs(left)) if left else 0
    elif operator == "*":
        bits = left_bits + right_bits
    else:
        bits = max(left_bits, right_bits) + 1
    if bits > limits.max_int_bits:
        raise RenderLimitExceeded(
            f"Numbers are capped at {limits.max_int_bits} bits in templates."
        )


ENVIRONMENTS = {html: ReplyEnvironment(html=html) for html in (False, True)}
