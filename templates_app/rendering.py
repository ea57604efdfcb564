"""Validate and render canned reply templates, safely, from plain dicts.

Template authors are trusted staff, but the text they write is still code
that runs on every send, and the values poured into it come from customers.
So the engine is a Jinja2 `ImmutableSandboxedEnvironment` narrowed further:

* only placeholders, `if`, `for` (two levels deep) and a short list of
  filters; no `set`, macros, includes, imports, method calls or private
  attributes; the source is checked statically before it is compiled;
* a value that is unknown or empty, with no `default(...)`, renders as a
  visible marker and is reported in `missing` instead of becoming blank text;
* hard limits on source size, render time, output size, `range`, loop length,
  string repetition and number size stop every amplification trick;
* the HTML part escapes the template text and every value, so nothing a
  customer typed (or an author pasted) becomes markup.

Everything here takes and returns plain data; `templates_app.services` builds
the context dict from the database.
"""

from __future__ import annotations

import math
import re
import time
import traceback
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import Undefined, nodes
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.lexer import TokenStream
from jinja2.parser import Parser
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from templates_app.errors import (
    Problem,
    RenderLimitExceeded,
    TemplateInvalid,
    TemplateRenderError,
)
from templates_app.filters import format_moment, guess_first_name, zone_named
from templates_app.variables import (
    ASK_NAME_RE,
    ASK_PREFIX,
    GROUPS,
    KNOWN_NAMES,
    is_known,
    sample_context,
)


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

ALLOWED_FILTERS = (
    "default",
    "d",
    "first_name",
    "date",
    "datetime",
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "truncate",
    "join",
    "length",
    "count",
    "first",
    "last",
    "round",
    "int",
    "abs",
    "string",
)
FORBIDDEN_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.Extends: "extends",
    nodes.Block: "block",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from ... import",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.FilterBlock: "filter",
    nodes.With: "with",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
    nodes.ExprStmt: "do",
}
# Names the template itself binds or that the engine provides.
BUILTIN_NAMES = frozenset({"loop", "range"})
LOOP_ATTRIBUTES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length"}
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029\t]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


# --------------------------------------------------------------------------
# Render state: per call, shared with filters and the Undefined type.


@dataclass
class _RenderState:
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


_state: ContextVar[_RenderState | None] = ContextVar("template_render", default=None)


def _current() -> _RenderState | None:
    return _state.get()


def _tick() -> None:
    state = _current()
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
        state = _current()
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


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_template_value(value: Any, path: str) -> Any:
    """Plain data -> what templates see. None for blank (dropped) values."""
    if _is_blank(value):
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


# --------------------------------------------------------------------------
# Filters (all pass a Missing through untouched, so `default` still works).


def _passes_missing(func: Any) -> Any:
    pass_arg = getattr(func, "jinja_pass_arg", None)
    if pass_arg is None:

        def wrapper(value: Any, *args: Any, **kwargs: Any) -> Any:
            _tick()
            if isinstance(value, Undefined):
                return value
            return func(value, *args, **kwargs)

    else:

        def wrapper(passed: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
            _tick()
            if isinstance(value, Undefined):
                return value
            return func(passed, value, *args, **kwargs)

        wrapper.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    wrapper.__name__ = func.__name__
    return wrapper


def _default(value: Any, fallback: Any = "", boolean: bool = False) -> Any:
    if isinstance(value, Undefined) or _is_blank(value):
        return fallback
    if boolean and not value:
        return fallback
    return value


def _first_name(value: Any) -> Any:
    guess = guess_first_name(str(value))
    return guess or Missing(name="first_name")


def _moment(value: Any, style: str, *, with_time: bool) -> str:
    state = _current()
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
    state = _current()
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
    state = _current()
    limit = state.limits.max_loop_items if state else BODY_LIMITS.max_loop_items
    if isinstance(value, Undefined):
        return
    if isinstance(value, Record):
        raise TemplateRenderError("Loop over a list of values, not a group.")
    for count, item in enumerate(value, start=1):
        if count > limit:
            raise RenderLimitExceeded(f"A loop may run at most {limit} times.")
        _tick()
        yield item


def _range(*args: int) -> range:
    state = _current()
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
        _tick()
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
        _tick()
        if isinstance(obj, Missing | Record) and isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, tuple | str) and isinstance(argument, int | slice):
            try:
                return obj[argument]
            except IndexError:
                return Missing(name=f"item {argument}")
        raise SecurityError(f"[{argument!r}] cannot be read from this value.")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        limits = _current().limits if _current() else BODY_LIMITS
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


_ENVIRONMENTS = {html: ReplyEnvironment(html=html) for html in (False, True)}


# --------------------------------------------------------------------------
# Static checks.


@dataclass(frozen=True)
class TemplateInfo:
    """What a valid template uses: variable paths and `ask` names, in order."""

    variables: tuple[str, ...]
    ask: tuple[str, ...]


def normalise_source(source: str) -> str:
    return (source or "").replace("\r\n", "\n").replace("\r", "\n")


def _column_of(source: str, line: int | None, needle: str | None) -> int | None:
    if line is None:
        return None
    lines = source.split("\n")
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    for candidate in (needle, "{{", "{%"):
        if candidate and (found := text.find(candidate)) >= 0:
            return found + 1
    return 1


def _offset_to_column(source: str, offset: int) -> int:
    return offset - (source.rfind("\n", 0, offset) + 1) + 1


def _dotted(node: nodes.Node) -> tuple[str, nodes.Name] | None:
    """`customer.attributes["plan"]` -> ("customer.attributes.plan", root)."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if not isinstance(node.arg.value, str):
                return None
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return ".".join(reversed(parts)), node
        else:
            return None


class _Checker:
    def __init__(self, source: str, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.problems: list[Problem] = []
        self.variables: dict[str, None] = {}
        self.ask: dict[str, None] = {}
        self.local_names: set[str] = set()

    def problem(
        self, message: str, node: nodes.Node, needle: str | None = None
    ) -> None:
        line = getattr(node, "lineno", None)
        self.problems.append(
            Problem(message, line, _column_of(self.source, line, needle))
        )

    def run(self, tree: nodes.Template) -> None:
        for loop in tree.find_all(nodes.For):
            for name in [loop.target, *loop.target.find_all(nodes.Name)]:
                if isinstance(name, nodes.Name):
                    self.local_names.add(name.name)
        self.visit(tree, depth=0, loops=0)

    def visit(self, node: nodes.Node, *, depth: int, loops: int) -> None:
        if depth > self.limits.max_nesting:
            self.problem(
                f"The template nests deeper than {self.limits.max_nesting} levels.",
                node,
            )
            return
        if type(node) in FORBIDDEN_STATEMENTS:
            tag = FORBIDDEN_STATEMENTS[type(node)]
            self.problem(
                f"'{{% {tag} %}}' is not allowed in canned replies.", node, tag
            )
            return
        if isinstance(node, nodes.For):
            loops += 1
            if node.recursive:
                self.problem("Recursive loops are not allowed.", node, "recursive")
            if loops > self.limits.max_loop_depth:
                self.problem(
                    f"Loops may be nested at most {self.limits.max_loop_depth} deep.",
                    node,
                    "for",
                )
        elif isinstance(node, nodes.Call):
            if not (
                isinstance(node.node, nodes.Name)
                and node.node.name == "range"
                and not node.kwargs
                and node.dyn_args is None
                and node.dyn_kwargs is None
            ):
                self.problem(
                    "Calling functions or methods is not allowed; use a filter "
                    "instead (e.g. `| upper`).",
                    node,
                    "(",
                )
                return
        elif isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            reason = (
                " (it would skip HTML escaping)" if node.name in ("safe", "e") else ""
            )
            self.problem(
                f"Filter '{node.name}' is not allowed{reason}. Allowed filters: "
                + ", ".join(sorted(set(ALLOWED_FILTERS))),
                node,
                node.name,
            )
        elif (
            isinstance(node, nodes.Test) and node.name not in _ENVIRONMENTS[False].tests
        ):
            self.problem(f"Unknown test '{node.name}'.", node, node.name)
        if isinstance(
            node, nodes.Getattr | nodes.Getitem | nodes.Name
        ) and self.check_reference(node):
            return
        for child in node.iter_child_nodes():
            self.visit(child, depth=depth + 1, loops=loops)

    def check_reference(self, node: nodes.Node) -> bool:
        """Checks a dotted name; True when the whole chain was handled."""
        private = [
            part
            for part in _private_parts(node)
            if part.startswith("_") or part in ("mro", "format", "format_map")
        ]
        if private:
            self.problem(
                f"Access to '{private[0]}' is not allowed in canned replies.",
                node,
                private[0],
            )
            return True
        dotted = _dotted(node)
        if dotted is None:
            return False
        path, root = dotted
        if root.ctx != "load" or root.name in self.local_names:
            return True
        if root.name in BUILTIN_NAMES:
            return True
        if path in GROUPS:
            hint = sorted(name for name in KNOWN_NAMES if name.startswith(path + "."))
            example = hint[0] if hint else f"{path}.order_number"
            self.problem(
                f"'{path}' is a group of values; use one of them, e.g. {example}.",
                node,
                path,
            )
            return True
        if not is_known(path):
            self.problem(_unknown_message(path), node, path)
            return True
        self.variables.setdefault(path, None)
        if path.startswith(ASK_PREFIX):
            self.ask.setdefault(path.removeprefix(ASK_PREFIX), None)
        return True


def _private_parts(node: nodes.Node) -> list[str]:
    parts: list[str] = []
    for item in [node, *node.find_all((nodes.Getattr, nodes.Getitem, nodes.Name))]:
        if isinstance(item, nodes.Getattr):
            parts.append(item.attr)
        elif isinstance(item, nodes.Getitem) and isinstance(item.arg, nodes.Const):
            parts.append(str(item.arg.value))
        elif isinstance(item, nodes.Name):
            parts.append(item.name)
    return parts


def _unknown_message(path: str) -> str:
    import difflib

    if path.startswith(ASK_PREFIX):
        return (
            f"'{path}' is not a valid ask name: use lower-case letters, digits "
            f"and underscores, starting with a letter (e.g. ask.order_number)."
        )
    close = difflib.get_close_matches(path, sorted(KNOWN_NAMES), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown variable '{path}'.{hint}"


def _syntax_problem(
    source: str, exc: TemplateSyntaxError, parser: Parser | None
) -> Problem:
    message = exc.message or "Syntax error"
    # Lexer messages end in " at <offset>"; the recorder knows better.
    message = re.sub(r" at \d+$", "", message)
    if parser is not None and (recorder := getattr(parser.stream, "recorder", None)):
        frames = traceback.extract_tb(exc.__traceback__)
        if any(frame.name == "tokeniter" for frame in frames):
            offset = recorder.pos
            while offset < len(source) and source[offset].isspace():
                offset += 1
        elif parser.stream.current.type == "eof":
            offset = (
                recorder.open_blocks[-1]
                if recorder.open_blocks
                else recorder.last_opener
            )
        else:
            offset = recorder.offset_of(parser.stream.current)
            if offset is None:
                offset = recorder.last_offset
        offset = min(offset, max(len(source) - 1, 0))
        column = _offset_to_column(source, offset)
        line = source.count("\n", 0, offset) + 1
        return Problem(_capitalise(message), line, column)
    return Problem(_capitalise(message), exc.lineno, 1)


def _capitalise(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message


def _parse(source: str, env: ReplyEnvironment) -> nodes.Template:
    parser: Parser | None = None
    try:
        parser = Parser(env, source)
        return parser.parse()
    except TemplateSyntaxError as exc:
        raise TemplateInvalid([_syntax_problem(source, exc, parser)]) from exc
    except RecursionError as exc:
        raise TemplateInvalid(
            [Problem("The template nests too deeply to read.", 1, 1)]
        ) from exc


@lru_cache(maxsize=512)
def inspect_template(source: str, limits: Limits = BODY_LIMITS) -> TemplateInfo:
    """Static check of a source: syntax, allowed constructs, known names.

    Raises TemplateInvalid listing every problem with its line and column.
    """
    source = normalise_source(source)
    if len(source) > limits.max_source_chars:
        raise TemplateInvalid(
            [
                Problem(
                    f"The template is {len(source)} characters long; the limit "
                    f"is {limits.max_source_chars}."
                )
            ]
        )
    tree = _parse(source, _ENVIRONMENTS[False])
    checker = _Checker(source, limits)
    checker.run(tree)
    if checker.problems:
        raise TemplateInvalid(checker.problems)
    return TemplateInfo(tuple(checker.variables), tuple(checker.ask))


@lru_cache(maxsize=512)
def _compiled(source: str, html: bool, limits: Limits) -> Any:
    inspect_template(source, limits)
    env = _ENVIRONMENTS[html]
    tree = _parse(normalise_source(source), env)
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Filter(loop.iter, "loop_guard", [], [], None, None)
        loop.iter.set_lineno(loop.lineno)
    if html:
        # Template text is plain text too: escape it so only values are
        # escaped-by-Jinja and nothing becomes markup.
        for data in tree.find_all(nodes.TemplateData):
            data.data = str(escape(data.data))
    try:
        code = env.compile(tree)
    except TemplateError as exc:
        raise TemplateInvalid([Problem(_capitalise(exc.message or str(exc)))]) from exc
    except RecursionError as exc:
        raise TemplateInvalid(
            [Problem("The template nests too deeply to compile.", 1, 1)]
        ) from exc
    return env.template_class.from_code(env, code, env.make_globals(None), None)


# --------------------------------------------------------------------------
# Rendering.


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class RenderedReply:
    subject: str
    body: str
    html: str
    missing: tuple[str, ...]


def _template_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _variables(
    context: Mapping[str, Any], ask: Mapping[str, Any] | None, limits: Limits
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in context.items():
        if key == "ask":
            continue
        converted = to_template_value(value, key)
        if converted is not None:
            values[key] = converted
    clean_ask: dict[str, str] = {}
    for name, value in (ask or {}).items():
        if not ASK_NAME_RE.match(str(name)):
            raise TemplateRenderError(f"'{name}' is not a valid ask name.")
        text = "" if value is None else str(value)
        if len(text) > limits.max_ask_chars:
            raise RenderLimitExceeded(
                f"The value for ask.{name} is longer than "
                f"{limits.max_ask_chars} characters."
            )
        clean_ask[str(name)] = text
    values["ask"] = Record("ask", clean_ask)
    return values


def _render(
    source: str,
    context: Mapping[str, Any],
    *,
    ask: Mapping[str, Any] | None,
    timezone: str | None,
    limits: Limits,
    html: bool,
) -> Rendered:
    template = _compiled(normalise_source(source), html, limits)
    state = _RenderState(
        limits=limits,
        zone=zone_named(timezone),
        html=html,
        deadline=time.monotonic() + limits.max_render_seconds,
    )
    token = _state.set(state)
    try:
        variables = _variables(context, ask, limits)
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(variables):
            size += len(chunk)
            if size > limits.max_output_chars:
                raise RenderLimitExceeded(
                    "The rendered text is longer than "
                    f"{limits.max_output_chars} characters."
                )
            state.tick()
            chunks.append(chunk)
    except TemplateRenderError as exc:
        if exc.line is None:
            exc.line = _template_line(exc)
        raise
    except (
        SecurityError,
        TemplateError,
        ArithmeticError,
        ValueError,
        TypeError,
    ) as exc:
        raise TemplateRenderError(
            _capitalise(str(exc)) or type(exc).__name__, line=_template_line(exc)
        ) from exc
    except RecursionError as exc:
        raise TemplateRenderError("The template recursed too deeply.") from exc
    finally:
        _state.reset(token)
    return Rendered("".join(chunks), tuple(state.missing))


def render_text(
    source: str,
    context: Mapping[str, Any],
    *,
    ask: Mapping[str, Any] | None = None,
    timezone: str | None = None,
    limits: Limits = BODY_LIMITS,
    single_line: bool = False,
) -> Rendered:
    """Plain-text render. Missing values show as `[name]` and are listed.

    Raises TemplateInvalid for a source that fails the static checks and
    TemplateRenderError (or RenderLimitExceeded) when rendering fails.
    """
    rendered = _render(
        source, context, ask=ask, timezone=timezone, limits=limits, html=False
    )
    text = _CONTROL_CHARS.sub("", rendered.text)
    if single_line:
        # Header safety: a subject never carries a line break, whatever the
        # values contain (no CRLF header injection).
        text = _LINE_BREAKS.sub(" ", text).strip()
    return Rendered(text, rendered.missing)


def render_html(
    source: str,
    context: Mapping[str, Any],
    *,
    ask: Mapping[str, Any] | None = None,
    timezone: str | None = None,
    limits: Limits = BODY_LIMITS,
) -> Rendered:
    """HTML render: everything escaped, blank lines become paragraphs."""
    rendered = _render(
        source, context, ask=ask, timezone=timezone, limits=limits, html=True
    )
    # The render escaped every value and all template text already.
    return Rendered(
        text_to_html(Markup(rendered.text)),  # noqa: S704
        rendered.missing,
    )


def text_to_html(markup: Markup) -> str:
    """Paragraphs and line breaks for already-escaped text."""
    body = _CONTROL_CHARS.sub("", str(markup)).strip("\n")
    paragraphs = [part.strip("\n") for part in _PARAGRAPH_BREAK.split(body)]
    return "\n".join(
        f"<p>{part.replace(chr(10), '<br>' + chr(10))}</p>"
        for part in paragraphs
        if part.strip()
    )


def render_reply(
    *,
    subject: str,
    body: str,
    context: Mapping[str, Any],
    ask: Mapping[str, Any] | None = None,
    timezone: str | None = None,
) -> RenderedReply:
    """Subject (single line), text body and HTML body, with every missing name."""
    rendered_subject = render_text(
        subject,
        context,
        ask=ask,
        timezone=timezone,
        limits=SUBJECT_LIMITS,
        single_line=True,
    )
    text = render_text(body, context, ask=ask, timezone=timezone)
    html = render_html(body, context, ask=ask, timezone=timezone)
    missing = dict.fromkeys(rendered_subject.missing + text.missing)
    return RenderedReply(rendered_subject.text, text.text, html.text, tuple(missing))


def validate_template(
    source: str, *, limits: Limits = BODY_LIMITS, single_line: bool = False
) -> TemplateInfo:
    """Save-time check: static rules, then a trial render on sample data.

    The trial render fills every `ask` value with a sample, so a template
    that only breaks a limit at run time is refused before anyone uses it.
    Raises TemplateInvalid with every problem located.
    """
    info = inspect_template(normalise_source(source), limits)
    sample_ask = dict.fromkeys(info.ask, "sample")
    for html in (False, True):
        if html and single_line:
            continue
        try:
            _render(
                source,
                sample_context(),
                ask=sample_ask,
                timezone="Europe/London",
                limits=limits,
                html=html,
            )
        except TemplateRenderError as exc:
            raise TemplateInvalid(
                [
                    Problem(
                        exc.reason,
                        exc.line,
                        _column_of(normalise_source(source), exc.line, None),
                    )
                ]
            ) from exc
    return info
