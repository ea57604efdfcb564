"""Quoted history in replies: what the thread view hides behind "show quoted text".

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


def strip_quoted(text: str) -> str:
    """The new part of a reply: text before the quoted history, trailing `>` lines removed.

    Never returns an empty string for a non-empty message: when the whole body
    looks quoted (a forward with no comment, say) the full text is kept.
    """
    lines = text.splitlines()
    cut = _cut_index(lines)
    if cut is not None:
        lines = lines[:cut]
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    visible = "\n".join(lines).strip()
    return visible or text.strip()
