"""HTML from inbound mail: sanitised for display and flattened to plain text.

Customer HTML is hostile until proven otherwise. The allowlist keeps the
formatting people use in email (paragraphs, lists, tables, links, inline
images) and drops everything that can run code or phone home through the page:
script, style, event handlers, `style` attributes, forms, frames, SVG/MathML and
any URL scheme other than http(s), mailto and cid.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code",
        "col", "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol",
        "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "table": {"align", "width"},
    "col": {"span", "width"},
    "ol": {"start", "type"},
    "blockquote": {"cite"},
    "font": {"color"},
    "p": {"align"},
    "div": {"align"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto", "cid"})

# Removed together with everything inside them: their text is never content.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "title", "head", "svg", "math", "template", "iframe",
        "object", "embed", "noscript", "xml", "textarea", "select", "frameset",
        "noembed", "noframes",
    }
)  # fmt: skip


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# The HTML5 tree builder is quadratic in nesting depth: 200,000 nested <div>
# took minutes. Real mail nests a few dozen levels and rarely passes 1 MB.
MAX_HTML_CHARS = 2_000_000
MAX_HTML_DEPTH = 200
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>")


def flatten_deep_html(html: str, *, max_depth: int = MAX_HTML_DEPTH) -> str:
    """`html` with the tags nested deeper than `max_depth` removed, text kept.

    One linear pass over the tags, so the cost of sanitising stays bounded.
    """
    depth = 0
    kept: list[str] = []
    start = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if name.lower() in _VOID_TAGS or self_closing:
            continue
        if closing:
            drop = depth > max_depth
            depth = max(0, depth - 1)
        else:
            depth += 1
            drop = depth > max_depth
        if drop:
            kept.append(html[start : match.start()])
            start = match.end()
    kept.append(html[start:])
    return "".join(kept)


def bounded_html(html: str) -> str:
    """`html` cut to MAX_HTML_CHARS and MAX_HTML_DEPTH, before anything parses it."""
    return flatten_deep_html(html[:MAX_HTML_CHARS])


def sanitize_html(html: str) -> str:
    """Safe-to-render HTML: only allowlisted tags, attributes and URL schemes."""
    if not html.strip():
        return ""
    return _cleaner().clean(bounded_html(html)).strip()


_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
        "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
_PARAGRAPH_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre"}
)
_SKIP_TAGS = DROPPED_WITH_CONTENT
_VOID_TAGS = frozenset(
    {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"}
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.quote_depth = 0
        self.links: list[str | None] = []

    def _newline(self, blank: bool = False) -> None:
        """Start a new line (or leave a blank one), never piling up empty lines."""
        text = "".join(self.parts[-2:])
        wanted = "\n\n" if blank else "\n"
        if not self.parts or text.endswith(wanted):
            return
        self.parts.append("\n" if text.endswith("\n") else wanted)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            if tag not in _VOID_TAGS:
                self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag == "br":
            self._newline()
        elif tag in _BLOCK_TAGS:
            self._newline()
            if tag == "li":
                self.parts.append("- ")
            elif tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
        elif tag in {"td", "th"}:
            self.parts.append("\t")
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth:
            return
        if tag == "a" and self.links:
            href = self.links.pop()
            if (
                href
                and href.startswith(("http://", "https://"))
                and href not in self.parts[-1]
            ):
                self.parts.append(f" ({href})")
        if tag in _BLOCK_TAGS:
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            self._newline(blank=tag in _PARAGRAPH_TAGS)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if not self.pre_depth:
            data = re.sub(r"\s+", " ", data)
        if self.quote_depth:
            data = data.replace("\n", "\n" + "> " * self.quote_depth)
            if not self.parts or self.parts[-1].endswith("\n"):
                data = "> " * self.quote_depth + data.lstrip()
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text for an HTML body: blocks become lines, blockquotes `>`."""
    if not html.strip():
        return ""
    parser = _TextExtractor()
    parser.feed(bounded_html(html))
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip(" \t") for line in text.replace("\xa0", " ").splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
