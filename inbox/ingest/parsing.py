"""Raw RFC 5322 bytes → a `ParsedEmail` the pipeline can store.

Tolerant by design: real mail has wrong charsets, undecodable RFC 2047 words,
8-bit headers, missing Message-IDs and MIME trees built by hostile senders. The
parser never raises for any of that; it records what it had to work around in
`ParsedEmail.defects`. It raises `UnparseableEmail` only when there is nothing a
conversation could be made from (too large, no headers, no sender address).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime

from inbox.ingest.html import bounded_html, html_to_text, sanitize_html
from inbox.quotes import strip_quoted
from replypad.errors import ReplypadError

MAX_DEPTH = 10
MAX_ATTACHMENTS = 50
MAX_PARTS = 500
MAX_REFERENCES = 50
# Header bounds, applied before anything decodes a header: the stdlib's RFC 2047
# and RFC 2231 decoders are quadratic, so a 1 MB Subject costs gigabytes.
MAX_HEADER_CHARS = 65_536
MAX_ENCODED_WORDS = 100
MAX_PARAMETERS = 50
MAX_HEADER_NOTES = 20
_PARAMETERISED = frozenset({"content-type", "content-disposition"})
SYNTHETIC_DOMAIN = "synthetic.replypad.invalid"

_MESSAGE_ID = re.compile(r"<([^<>\s]{1,900})>")
_BARE_MESSAGE_ID = re.compile(r"^[^<>\s@]{1,800}@[^<>\s@]{1,200}$")
_SURROGATES = re.compile(r"[\udc80-\udcff]")
_LOOSE_ADDRESS = re.compile(
    r"([A-Za-z0-9._%+'=-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63})"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENCODED_WORD = re.compile(r"\s*=\?[^?\s]{1,75}\?[bBqQ]\?[^?\s]*\?=")


class UnparseableEmail(ReplypadError):
    """The bytes cannot become a message; the raw copy is kept with this reason."""


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    payload: bytes
    content_id: str = ""
    is_inline: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


@dataclass
class ParsedEmail:
    message_id: str
    synthetic_message_id: bool
    subject: str
    from_email: str
    from_name: str
    to: list[str]
    cc: list[str]
    reply_to: list[str]
    delivered_to: list[str]
    in_reply_to: str
    references: list[str]
    date: datetime | None
    text: str
    visible_text: str
    html: str
    attachments: list[ParsedAttachment]
    headers: dict[str, str]
    content_type: str
    thread_index_root: str
    report_parts: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    @property
    def recipients(self) -> list[str]:
        """Every address the message was delivered to, envelope ones first."""
        return [*self.delivered_to, *self.to, *self.cc]


def bound_header(name: str, value: str) -> tuple[str, str]:
    """`value` cut to the header bounds, and a note saying what was cut ("" if nothing).

    Encoded words past the limit are removed rather than cut off the end, so
    the address after a hostile display name survives.
    """
    notes = []
    if value.count("=?") > MAX_ENCODED_WORDS:
        seen = 0

        def keep_first(match: re.Match[str]) -> str:
            nonlocal seen
            seen += 1
            return match.group(0) if seen <= MAX_ENCODED_WORDS else ""

        value = _ENCODED_WORD.sub(keep_first, value)
        if value.count("=?") > MAX_ENCODED_WORDS:
            # Malformed words the pattern missed still reach the decoder: cut them.
            value = value[: _nth(value, "=?", MAX_ENCODED_WORDS)]
        notes.append(f"over {MAX_ENCODED_WORDS} encoded words")
    if len(value) > MAX_HEADER_CHARS:
        value = value[:MAX_HEADER_CHARS]
        notes.append(f"over {MAX_HEADER_CHARS} characters")
    if name.lower() in _PARAMETERISED and value.count(";") > MAX_PARAMETERS:
        value = value[: _nth(value, ";", MAX_PARAMETERS)]
        notes.append(f"over {MAX_PARAMETERS} parameters")
    if not notes:
        return value, ""
    return value, f"{name} header truncated: {', '.join(notes)}"


def _nth(value: str, needle: str, n: int) -> int:
    """Index of the (n+1)th `needle` in `value`, where the kept part ends."""
    index = -1
    for _ in range(n + 1):
        index = value.index(needle, index + 1)
    return index


class _BoundedPolicy(EmailPolicy):
    """The default policy, with every header bounded as it is read from the source.

    The feed parser itself decodes Content-Type while it reads, so the bound has
    to apply here, before any header object exists; `notes` collects what was cut.
    """

    notes: list[str] | None = None

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        value, note = bound_header(name, value)
        if note and self.notes is not None and len(self.notes) < MAX_HEADER_NOTES:
            self.notes.append(note)
        return name, value


def _fix_surrogates(value: str) -> str:
    """8-bit header bytes arrive as surrogate escapes; decode them as UTF-8 or cp1252."""
    if not _SURROGATES.search(value):
        return value
    raw = value.encode("utf-8", "surrogateescape")
    for charset in ("utf-8", "cp1252"):
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _clean_header(value: str) -> str:
    value = _fix_surrogates(value)
    return _CONTROL.sub("", " ".join(value.split()))


def _raw_values(message: Message, name: str) -> list[str]:
    wanted = name.lower()
    return [str(value) for key, value in message.raw_items() if key.lower() == wanted]


def header(message: Message, name: str) -> str:
    """One header as clean single-line text; malformed encodings degrade, never raise.

    Plain values are read as sent; only values with RFC 2047 encoded words go
    through the policy's header parser, which is the slow part of parsing.
    """
    raws = _raw_values(message, name)
    if not raws:
        return ""
    if "=?" not in raws[0]:
        return _clean_header(raws[0])
    try:
        value = str(message.get(name))
    except Exception:  # the policy's header classes can raise on hostile input
        try:
            value = str(make_header(decode_header(raws[0])))
        except Exception:
            value = raws[0]
    return _clean_header(value)


def _header_all(message: Message, name: str) -> list[str]:
    raws = _raw_values(message, name)
    if not any("=?" in raw for raw in raws):
        return [_clean_header(raw) for raw in raws]
    try:
        return [_clean_header(str(value)) for value in message.get_all(name) or []]
    except Exception:
        return [_clean_header(raw) for raw in raws]


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    """(name, address) pairs with a plausible address, lower-cased domain kept as sent."""
    found = []
    for name, address in getaddresses(values):
        address = address.strip().strip("<>")
        if "@" in address and " " not in address and len(address) <= 320:
            found.append((name.strip(), address))
    return found


def _address_list(message: Message, *names: str) -> list[str]:
    values = [value for name in names for value in _header_all(message, name)]
    return [address for _, address in _addresses(values)]


def _normalise_message_id(value: str) -> str:
    match = _MESSAGE_ID.search(value)
    if match:
        return f"<{match.group(1)}>"
    value = value.strip()
    if _BARE_MESSAGE_ID.match(value):
        return f"<{value}>"
    return ""


def _message_ids(value: str) -> list[str]:
    return [f"<{found}>" for found in _MESSAGE_ID.findall(value)]


def _thread_index_root(value: str) -> str:
    """Outlook's Thread-Index: the first 22 bytes name the thread, later ones the reply."""
    try:
        decoded = base64.b64decode("".join(value.split()), validate=False)
    except (binascii.Error, ValueError):
        return ""
    if len(decoded) < 22:
        return ""
    return base64.b64encode(decoded[:22]).decode("ascii")


def _decode_payload(part: Message, defects: list[str]) -> str:
    """Part body as text: declared charset, then UTF-8, cp1252, latin-1 as a last resort."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    declared = (part.get_content_charset() or "").strip().strip("\"'").lower()
    candidates = [declared] if declared else []
    candidates += ["utf-8", "cp1252"]
    for charset in candidates:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError, ValueError):
            # ValueError: a charset name with a NUL in it, which codecs refuse.
            if charset == declared:
                defects.append(f"body not valid in declared charset {declared!r}")
            continue
    return payload.decode("latin-1")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return ""
    name = _clean_header(str(name))
    # Only the last path component: attachments never name a place on disk.
    name = re.split(r"[\\/]", name)[-1].strip().lstrip(".")
    return name[:200]


def _content_type(part: Message) -> str:
    """The part's MIME type, parsed once per part (the policy re-parses on every call)."""
    cached = getattr(part, "_replypad_content_type", None)
    if cached is None:
        try:
            cached = part.get_content_type()
        except Exception:
            cached = "application/octet-stream"
        part._replypad_content_type = cached  # type: ignore[attr-defined]
    return cached


@dataclass
class _Walk:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    report_parts: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parts_seen: int = 0
    dropped_attachments: int = 0
    too_deep: bool = False


def _add_attachment(walk: _Walk, part: Message, *, max_attachments: int) -> None:
    if len(walk.attachments) >= max_attachments:
        walk.dropped_attachments += 1
        return
    content_type = _content_type(part)
    if content_type == "message/rfc822" or part.is_multipart():
        payload = (
            _embedded_bytes(part)
            if content_type == "message/rfc822"
            else part.as_bytes(policy=policy.default)
        )
    else:
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            payload = b""
    filename = _filename(part) or _default_filename(
        content_type, len(walk.attachments) + 1
    )
    disposition = (part.get_content_disposition() or "").lower()
    content_id = _normalise_message_id(header(part, "Content-ID")).strip("<>")
    walk.attachments.append(
        ParsedAttachment(
            filename=filename,
            content_type=content_type,
            payload=payload,
            content_id=content_id,
            is_inline=disposition == "inline"
            or (bool(content_id) and disposition != "attachment"),
        )
    )


def _embedded_bytes(part: Message) -> bytes:
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        try:
            return inner[0].as_bytes(policy=policy.default)
        except Exception:
            return inner[0].as_bytes(policy=policy.compat32)
    if isinstance(inner, str):
        return inner.encode("utf-8", "surrogateescape")
    return b""


def _default_filename(content_type: str, number: int) -> str:
    extension = {
        "message/rfc822": "eml",
        "text/plain": "txt",
        "text/html": "html",
        "text/calendar": "ics",
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/gif": "gif",
        "application/pdf": "pdf",
    }.get(content_type, "bin")
    return f"attachment-{number}.{extension}"


def _walk(
    part: Message, walk: _Walk, *, depth: int, max_depth: int, max_attachments: int
) -> None:
    walk.parts_seen += 1
    if walk.parts_seen > MAX_PARTS:
        return
    if depth > max_depth:
        walk.too_deep = True
        return
    content_type = _content_type(part)
    disposition = (part.get_content_disposition() or "").lower()
    if content_type == "message/rfc822":
        _add_attachment(walk, part, max_attachments=max_attachments)
        return
    if content_type in {
        "message/delivery-status",
        "text/rfc822-headers",
        "message/rfc822-headers",
    }:
        walk.report_parts.append(
            _decode_payload(part, walk.defects) if not part.is_multipart() else ""
        )
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if content_type == "multipart/alternative":
            # Keep one rendering of each kind; the richest comes last (RFC 2046 5.1.4).
            for child in children:
                _walk(
                    child,
                    walk,
                    depth=depth + 1,
                    max_depth=max_depth,
                    max_attachments=max_attachments,
                )
            return
        for child in children:
            _walk(
                child,
                walk,
                depth=depth + 1,
                max_depth=max_depth,
                max_attachments=max_attachments,
            )
        return
    is_attachment = disposition == "attachment" or (
        disposition == "inline"
        and _filename(part)
        and content_type not in {"text/plain", "text/html"}
    )
    if content_type == "text/plain" and not is_attachment:
        walk.texts.append(_decode_payload(part, walk.defects))
    elif content_type == "text/html" and not is_attachment:
        walk.htmls.append(_decode_payload(part, walk.defects))
    else:
        _add_attachment(walk, part, max_attachments=max_attachments)


def synthetic_message_id(*, from_email: str, date: str, subject: str, body: str) -> str:
    """A stable id for mail without a usable Message-ID, so redelivery still dedupes."""
    digest = hashlib.sha256(
        "\x00".join([from_email.lower(), date, subject, body]).encode(
            "utf-8", "replace"
        )
    ).hexdigest()
    return f"<{digest[:40]}@{SYNTHETIC_DOMAIN}>"


def _parse_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


_CLASSIFY_HEADERS = (
    "auto-submitted", "precedence", "x-autoreply", "x-autorespond", "x-auto-response-suppress",
    "x-autogenerated", "x-mailer", "list-id", "list-unsubscribe", "list-post", "mailing-list",
    "x-spam-flag", "x-spam-status", "x-spam-level", "x-spam", "x-mailgun-sflag", "return-path", "x-failed-recipients",
    "x-replypad-mailbox", "thread-topic", "content-type", "feedback-type",
)  # fmt: skip


def parse_email(
    raw: bytes,
    *,
    max_bytes: int,
    max_depth: int = MAX_DEPTH,
    max_attachments: int = MAX_ATTACHMENTS,
) -> ParsedEmail:
    """Parse raw bytes; raises `UnparseableEmail` when no message can be made."""
    if len(raw) > max_bytes:
        raise UnparseableEmail(
            f"message is {len(raw)} bytes, over the {max_bytes}-byte limit"
        )
    if not raw.strip():
        raise UnparseableEmail("empty message")
    try:
        return _parse(raw, max_depth=max_depth, max_attachments=max_attachments)
    except RecursionError:
        # The stdlib parser recurses once per nested multipart; thousands of levels
        # are a MIME bomb, not mail.
        raise UnparseableEmail("MIME structure nested too deeply to parse") from None


def _parse(raw: bytes, *, max_depth: int, max_attachments: int) -> ParsedEmail:
    bounded = _BoundedPolicy(notes=[])
    message: EmailMessage = BytesParser(policy=bounded).parsebytes(raw)
    if not list(message.raw_items()):
        raise UnparseableEmail("no headers found")

    from_name, from_email = "", ""
    senders = _addresses(_header_all(message, "From"))
    if senders:
        from_name, from_email = senders[0]
    else:
        sender = _addresses(_header_all(message, "Sender"))
        if sender:
            from_name, from_email = sender[0]
        else:
            # Broken quoting hides the address from the parser; take the first one seen.
            found = _LOOSE_ADDRESS.search(header(message, "From"))
            from_email = found.group(1) if found else ""
    if not from_email:
        raise UnparseableEmail("no sender address in From or Sender")

    walk = _Walk()
    _walk(message, walk, depth=0, max_depth=max_depth, max_attachments=max_attachments)
    defects = [*(bounded.notes or []), *walk.defects]
    if walk.too_deep:
        defects.append(f"MIME parts nested deeper than {max_depth} levels were dropped")
    if walk.parts_seen > MAX_PARTS:
        defects.append(f"only the first {MAX_PARTS} MIME parts were read")
    if walk.dropped_attachments:
        defects.append(
            f"{walk.dropped_attachments} attachments over the limit of {max_attachments} were dropped"
        )

    # Bounded once here; sanitising and flattening to text then stay cheap.
    raw_html = bounded_html("\n".join(walk.htmls))
    html = sanitize_html(raw_html)
    text = "\n\n".join(t.strip("\n") for t in walk.texts).strip()
    if not text and raw_html:
        text = html_to_text(raw_html)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")

    subject = header(message, "Subject")
    date_value = header(message, "Date")
    message_id = _normalise_message_id(header(message, "Message-ID"))
    synthetic = not message_id
    if synthetic:
        message_id = synthetic_message_id(
            from_email=from_email,
            date=date_value,
            subject=subject,
            body=text or raw_html,
        )
        defects.append("no usable Message-ID; a content hash stands in")

    headers = {}
    present = {str(key).lower() for key, _ in message.raw_items()}
    for name in _CLASSIFY_HEADERS:
        value = header(message, name) if name in present else ""
        if value:
            headers[name] = value[:1000]

    references = _message_ids(header(message, "References"))[-MAX_REFERENCES:]
    in_reply_to_ids = _message_ids(header(message, "In-Reply-To"))
    return ParsedEmail(
        message_id=message_id,
        synthetic_message_id=synthetic,
        subject=subject[:998],
        from_email=from_email,
        from_name=_clean_header(from_name)[:200],
        to=_address_list(message, "To"),
        cc=_address_list(message, "Cc"),
        reply_to=_address_list(message, "Reply-To"),
        delivered_to=_address_list(
            message, "Delivered-To", "X-Original-To", "Envelope-To"
        ),
        in_reply_to=in_reply_to_ids[0] if in_reply_to_ids else "",
        references=references,
        date=_parse_date(date_value),
        text=text,
        visible_text=strip_quoted(text),
        html=html,
        attachments=walk.attachments,
        headers=headers,
        content_type=_content_type(message),
        thread_index_root=_thread_index_root(header(message, "Thread-Index")),
        report_parts=walk.report_parts,
        defects=defects,
    )
