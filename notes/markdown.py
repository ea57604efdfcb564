"""Note bodies: Markdown rendered by markdown-it-py, then sanitised by nh3.

Raw HTML in the source is escaped (``html=False``), markdown-it refuses
``javascript:``/``data:`` links, and nh3 keeps only the tags below, so a note can
never carry script, event handlers or remote images. ``@username`` becomes a
mention token, except inside code and after a word character (e-mail addresses).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MENTION_NAME = re.compile(r"[\w.+-]+")
# Characters that may not precede a mention: part of a word or an address.
NOT_BEFORE_MENTION = re.compile(r"[\w.+\-@/]")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class", "data-username", "title"},
    "ol": {"start"},
}


@dataclass(frozen=True)
class MentionTarget:
    """A resolved @mention: who, and whether they can see the conversation."""

    username: str
    display: str
    has_access: bool


@dataclass
class RenderedNote:
    html: str
    # Lower-cased usernames mentioned, in order of first appearance.
    mentions: list[str] = field(default_factory=list)


def _mention_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "@":
        return False
    if pos > 0 and NOT_BEFORE_MENTION.match(state.src[pos - 1]):
        return False
    match = MENTION_NAME.match(state.src, pos + 1)
    if match is None:
        return False
    # "@alice." at the end of a sentence mentions alice.
    name = match.group(0).rstrip(".-+")
    if not name:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.content = name
        token.meta = {"name": name.lower()}
    state.pos = pos + 1 + len(name)
    return True


def _render_mention(
    self: Any, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    target: MentionTarget | None = env.get("mention_targets", {}).get(
        token.meta["name"]
    )
    if target is None:
        return escapeHtml(f"@{token.content}")
    if target.has_access:
        return (
            f'<span class="mention" data-username="{escapeHtml(target.username)}" '
            f'title="{escapeHtml(target.display)}">@{escapeHtml(target.username)}</span>'
        )
    return (
        f'<span class="mention mention-no-access" '
        f'data-username="{escapeHtml(target.username)}" '
        f'title="{escapeHtml(target.display)} cannot see this mailbox">'
        f"@{escapeHtml(target.username)}</span>"
    )


def _parser() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": False}
    )
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    return md


_MD = _parser()


def mentioned_names(source: str) -> list[str]:
    """Lower-cased @names in the source, first appearance first (code excluded)."""
    names: list[str] = []
    for block in _MD.parse(source):
        for child in block.children or []:
            if child.type == "mention" and child.meta["name"] not in names:
                names.append(child.meta["name"])
    return names


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_note(
    source: str,
    *,
    resolve: Callable[[list[str]], Mapping[str, MentionTarget]] | None = None,
) -> RenderedNote:
    """Render Markdown to safe HTML; `resolve` maps @names to teammates.

    Names `resolve` does not know stay plain text and are not reported.
    """
    names = mentioned_names(source)
    targets = dict(resolve(names)) if resolve and names else {}
    env: dict[str, Any] = {"mention_targets": targets}
    html = _MD.render(source, env)
    return RenderedNote(
        html=sanitise(html), mentions=[name for name in names if name in targets]
    )
