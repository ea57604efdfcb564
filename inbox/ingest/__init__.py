"""Inbound email: parsing, classification, threading and the pipeline service.

`ingest_raw_email(raw_bytes, *, source, mailbox=None, envelope_recipient=None)`
is the one entry point; see `inbox.ingest.pipeline`.
"""

from __future__ import annotations

from inbox.ingest.pipeline import (
    IngestResult,
    NotRetryable,
    ingest_raw_email,
    process_raw_email,
    retry_raw_email,
)

__all__ = [
    "IngestResult",
    "NotRetryable",
    "ingest_raw_email",
    "process_raw_email",
    "retry_raw_email",
]
