"""The .eml corpus under tests/fixtures/eml/ and small builders for generated mail."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

EML_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "eml"


def eml(name: str) -> bytes:
    return (EML_DIR / f"{name}.eml").read_bytes()


def build_email(
    *,
    sender: str = "Dana Scully <dana@customer.test>",
    to: str = "support@acme.test",
    subject: str = "Help with my order",
    body: str = "My order has not arrived.",
    message_id: str | None = "<built-1@customer.test>",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()
