"""Anymail's `inbound` signal → the pipeline.

Anymail serves `/anymail/<esp>/inbound/`, checks the ESP's signature and the
basic-auth `ANYMAIL["WEBHOOK_SECRET"]`, and sends `inbound` with a normalised
event. The ESP's own raw MIME is used when it posts one (Mailgun `body-mime`,
Postmark `RawEmail`), so the stored bytes are what the sender's MTA delivered;
otherwise Anymail's reconstruction of the parsed fields is stored.
"""

from __future__ import annotations

import logging
from typing import Any

from anymail.signals import AnymailInboundEvent

from inbox.ingest.pipeline import ingest_raw_email
from inbox.models import RawEmail

logger = logging.getLogger(__name__)


def raw_bytes_of(event: AnymailInboundEvent) -> bytes:
    esp_event = event.esp_event
    raw: Any = None
    if isinstance(esp_event, dict):
        raw = esp_event.get("RawEmail")  # Postmark with "include raw email content"
    elif hasattr(esp_event, "POST"):
        raw = esp_event.POST.get("body-mime")  # Mailgun forward() to a ...-mime URL
    if isinstance(raw, str) and raw:
        return raw.encode("utf-8", "surrogateescape")
    message = event.message
    try:
        return message.as_bytes()
    except Exception:  # Anymail-constructed messages can hold unencodable text
        return message.as_string().encode("utf-8", "surrogateescape")


def handle_inbound(
    sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any
) -> None:
    """Receiver for `anymail.signals.inbound`; connected in `InboxConfig.ready`."""
    message = event.message
    result = ingest_raw_email(
        raw_bytes_of(event),
        source=RawEmail.Source.WEBHOOK,
        envelope_recipient=getattr(message, "envelope_recipient", None)
        if message
        else None,
    )
    logger.info("Inbound %s webhook: %s %s", esp_name, result.status, result.reason)
