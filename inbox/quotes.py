"""Quoted history in mail: the one place that decides which text is quoted.

The thread view, sentiment and the empathy checker all ask this module.

Only the display copy (`Message.visible_text`) is trimmed; `Message.text` keeps
everything. The cut is made at the first line that starts a quoted block, as
written by the common mail clients:

- `On Tue, 3 Mar 2026 at 10:00, Dana <dana@example.test> wrote:` (and the
  French, German, Spanish, Dutch, Italian and Portuguese forms), possibly wrapped
  over two lines;
- Outlook's `-----Original Message-----` and the `From: … Sent: …` block, often
  after a line of underscores;
- a trailing run of `>` lines.
"""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^(?:"
    r"On\b.{0,200}\bwrote:"
    r"|Le\b.{0,200}\ba [ée]crit ?:"
    r"|Am\b.{0,200}\bschrieb.{0,80}:"
    r"|El\b.{0,200}\bescribi[óo]:"
    r"|Op\b.{0,200}\bschreef.{0,80}:"
    r"|Il\b.{0,200}\bha scritto:"
    r"|Em\b.{0,200}\bescreveu:"
    r")\s*$",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Forwarded message|Message d'origine|"
    r"Ursprüngliche Nachricht|Mensaje original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|De|Von|Van|Da)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|Envoyé|Gesendet|Enviado|Verzonden|Inviato)\s*:", re.IGNORECASE
)


def _is_outlook_header(lines: list[str], index: int) -> bool:
    """`From: …` followed within three lines by `Sent:`/`Date:`."""
    if not _OUTLOOK_FROM.match(lines[index]):
        return False
    return any(_OUTLOOK_SENT.match(line) for line in lines[index + 1 : index + 4])


def _cut_index(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _ATTRIBUTION.match(stripped) or _ORIGINAL_MESSAGE.match(stripped):
            return index
        # Gmail wraps long attribution lines: "On Tue, ... Dana <d@x.test>\nwrote:"
        if (
            stripped.lower().startswith(("on ", "le ", "am "))
            and index + 1 < len(lines)
            and _ATTRIBUTION.match(f"{stripped} {lines[index + 1].strip()}")
        ):
            return index
        if (
            _UNDERSCORES.match(line)
            and index + 1 < len(lines)
            and _is_outlook_header(lines, index + 1)
        ):
            return index
        if (
            index > 0
            and not lines[index - 1].strip()
            and _is_outlook_header(lines, index)
        ):
            return index
    return None


def history_start(text: str) -> int:
    """Offset where the quoted history at the end of a reply begins; len(text) if none.

    The history starts at the first attribution or Outlook header, or else at
    the trailing run of `>` and blank lines.
    """
    lines = text.splitlines(keepends=True)
    bare = [line.rstrip("\r\n") for line in lines]
    cut = _cut_index(bare)
    cut = len(lines) if cut is None else cut
    while cut and (not bare[cut - 1].strip() or _QUOTED_LINE.match(bare[cut - 1])):
        cut -= 1
    return sum(len(line) for line in lines[:cut])


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Offsets (start, end) of every quoted part: inline `>` lines, then the history.

    For readers that must ignore the quotes but keep positions, like the empathy
    checker; `strip_quoted` is the display's cut.
    """
    end = history_start(text)
    spans = [
        (match.start(), match.end()) for match in _QUOTED_LINE.finditer(text, 0, end)
    ]
    if end < len(text):
        spans.append((end, len(text)))
    return spans


def without_quotes(text: str) -> str:
    """The text with every quoted part removed (empty if all of it is quoted)."""
    kept: list[str] = []
    at = 0
    for start, end in quoted_spans(text):
        kept.append(text[at:start])
        at = end
    kept.append(text[at:])
    return "".join(kept)


def strip_quoted(text: str) -> str:
    """The new part of a reply: text before the quoted history.

    Inline `>` lines stay, since an answer interleaved with quotes needs them.
    Never returns an empty string for a non-empty message: when the whole body
    looks quoted (a forward with no comment, say) the full text is kept.
    """
    visible = text[: history_start(text)].strip()
    return visible or text.strip()
