"""Rendering: text, HTML and whole replies, within the hard limits."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateError
from markupsafe import Markup, escape

from templates_app.errors import (
    Problem,
    RenderLimitExceeded,
    TemplateInvalid,
    TemplateRenderError,
)
from templates_app.filters import zone_named
from templates_app.rendering.checks import (
    TemplateInfo,
    capitalise,
    column_of,
    inspect_template,
    normalise_source,
    parse_source,
)
from templates_app.rendering.environment import ENVIRONMENTS
from templates_app.rendering.values import (
    BODY_LIMITS,
    SUBJECT_LIMITS,
    Limits,
    Record,
    RenderState,
    render_state,
    to_template_value,
)
from templates_app.variables import ASK_NAME_RE, sample_context

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029\t]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@lru_cache(maxsize=512)
def _compiled(source: str, html: bool, limits: Limits) -> Any:
    inspect_template(source, limits)
    env = ENVIRONMENTS[html]
    tree = parse_source(normalise_source(source), env)
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
        raise TemplateInvalid([Problem(capitalise(exc.message or str(exc)))]) from exc
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
class RenderWarning:
    """A value that renders but would mislead the customer; sending is refused."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class RenderedReply:
    subject: str
    body: str
    html: str
    missing: tuple[str, ...]
    warnings: tuple[RenderWarning, ...] = ()


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
    state = RenderState(
        limits=limits,
        zone=zone_named(timezone),
        html=html,
        deadline=time.monotonic() + limits.max_render_seconds,
    )
    token = render_state.set(state)
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
            exc.locate(_template_line(exc))
        raise
    except (
        SecurityError,
        TemplateError,
        ArithmeticError,
        ValueError,
        TypeError,
    ) as exc:
        raise TemplateRenderError(
            capitalise(str(exc)) or type(exc).__name__, line=_template_line(exc)
        ) from exc
    except RecursionError as exc:
        raise TemplateRenderError("The template recursed too deeply.") from exc
    finally:
        render_state.reset(token)
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
                        column_of(normalise_source(source), exc.line, None),
                    )
                ]
            ) from exc
    return info
