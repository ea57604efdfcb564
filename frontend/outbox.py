"""Reads the outbox directory (see replypad.outbox) for the outbox page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings

_NAME_RE = re.compile(r"^[0-9A-Za-z-]+\.eml$")
MAX_LISTED = 200


@dataclass(frozen=True)
class OutboxEntry:
    name: str
    sender: str
    to: str
    subject: str
    date: str
    text: str
    raw: str


def _parse(path: Path, *, full: bool) -> EmailMessage:
    with path.open("rb") as handle:
        return BytesParser(policy=policy.default).parse(handle, headersonly=not full)


def _sender_allowed(message: EmailMessage, addresses: set[str]) -> bool:
    return parseaddr(str(message.get("From", "")))[1].lower() in addresses


def _entry(path: Path, message: EmailMessage, *, full: bool) -> OutboxEntry:
    text = ""
    if full:
        body = message.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
    return OutboxEntry(
        name=path.name,
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        date=str(message.get("Date", "")),
        text=text,
        raw=path.read_text(errors="replace") if full else "",
    )


def entries_for(addresses: set[str]) -> list[OutboxEntry]:
    """Newest first, only mail sent from the given mailbox addresses."""
    outbox = Path(settings.REPLYPAD_OUTBOX_DIR)
    if not outbox.is_dir():
        return []
    entries = []
    for path in sorted(outbox.glob("*.eml"), reverse=True):
        message = _parse(path, full=False)
        if _sender_allowed(message, addresses):
            entries.append(_entry(path, message, full=False))
        if len(entries) >= MAX_LISTED:
            break
    return entries


def entry(name: str, addresses: set[str]) -> OutboxEntry | None:
    if not _NAME_RE.match(name):
        return None
    path = Path(settings.REPLYPAD_OUTBOX_DIR) / name
    if not path.is_file():
        return None
    message = _parse(path, full=True)
    return (
        _entry(path, message, full=True)
        if _sender_allowed(message, addresses)
        else None
    )
