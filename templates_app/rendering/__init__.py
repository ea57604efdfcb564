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

from templates_app.errors import (
    Problem,
    RenderLimitExceeded,
    TemplateInvalid,
    TemplateRenderError,
)
from templates_app.rendering.checks import (
    ALLOWED_FILTERS,
    TemplateInfo,
    inspect_template,
    normalise_source,
)
from templates_app.rendering.render import (
    Rendered,
    RenderedReply,
    RenderWarning,
    render_html,
    render_reply,
    render_text,
    text_to_html,
    validate_template,
)
from templates_app.rendering.values import (
    BODY_LIMITS,
    SUBJECT_LIMITS,
    Limits,
    Missing,
    Record,
    missing_marker,
    to_template_value,
)

__all__ = [
    "ALLOWED_FILTERS",
    "BODY_LIMITS",
    "SUBJECT_LIMITS",
    "Limits",
    "Missing",
    "Problem",
    "Record",
    "RenderLimitExceeded",
    "RenderWarning",
    "Rendered",
    "RenderedReply",
    "TemplateInfo",
    "TemplateInvalid",
    "TemplateRenderError",
    "inspect_template",
    "missing_marker",
    "normalise_source",
    "render_html",
    "render_reply",
    "render_text",
    "text_to_html",
    "to_template_value",
    "validate_template",
]
