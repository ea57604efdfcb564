"""The inbound pipeline: raw bytes in, a message in the right conversation out.

Every entry point (Anymail webhook, `import_mail`, `fetch_mail`, the API and the
admin's retry) calls `ingest_raw_email` or `process_raw_email`. The order is
fixed: store the raw bytes and commit, parse, classify, pick the mailbox, drop
loops, spam and duplicates, thread, then create or append through
`inbox.services` (which score sentiment, reopen resolved conversations and
record timeline events). Whatever happens, the raw row ends in a final status
with a reason, so nothing is lost and a retry is always possible.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from inbox import hooks, services
from inbox.ingest.classify import AUTO_REPLY, BOUNCE, SPAM, Classification, classify
from inbox.ingest.parsing import ParsedEmail, UnparseableEmail, parse_email
from inbox.ingest.threading import find_conversation
from inbox.models import Attachment, Mailbox, Message, RawEmail
from inbox.outbound import tracking
from replypad.errors import ConflictError

logger = logging.getLogger(__name__)
Key = TypeVar("Key")

CREATED = "created"
THREADED = "threaded"
DUPLICATE = "duplicate"
REJECTED = "rejected"
FAILED = "failed"


@dataclass(frozen=True)
class IngestResult:
    status: str
    raw_email_id: int | None = None
    message_id: int | None = None
    conversation_id: int | None = None
    reason: str = ""
    threaded_by: str = ""


def ingest_raw_email(
    raw_bytes: bytes,
    *,
    source: str,
    mailbox: Mailbox | None = None,
    envelope_recipient: str | None = None,
) -> IngestResult:
    """Store `raw_bytes` first (committed on its own), then process them.

    Safe to call again with the same bytes: the second call stores nothing new
    and answers `duplicate`. Never raises for bad mail; the result says what
    happened. Must not run inside a caller's transaction, so the raw copy
    survives whatever the processing does.
    """
    envelope = (envelope_recipient or "").strip()[:320]
    digest = hashlib.sha256(raw_bytes).hexdigest()
    earlier = RawEmail.objects.filter(
        sha256=digest, envelope_recipient=envelope, status=RawEmail.Status.PROCESSED
    )
    if mailbox is not None:
        earlier = earlier.filter(mailbox=mailbox)
    earlier_id = earlier.values_list("pk", flat=True).first()
    if earlier_id is not None:
        return IngestResult(
            DUPLICATE, earlier_id, reason="same bytes already processed"
        )
    raw_email = RawEmail.objects.create(
        mailbox=mailbox,
        source=source,
        raw=raw_bytes,
        sha256=digest,
        size=len(raw_bytes),
        envelope_recipient=envelope,
    )
    return process_raw_email(raw_email)


def ingest_many(
    items: Iterable[tuple[Key, bytes]],
    *,
    source: str,
    mailbox: Mailbox | None = None,
    batch_size: int = 100,
) -> Iterator[tuple[Key, IngestResult]]:
    """`ingest_raw_email` for a stream of (key, raw bytes), one commit per batch.

    Each batch's raw bytes are inserted with one statement and committed before
    any of them is parsed; the batch is then processed in one transaction with
    a savepoint per message, so one bad message never undoes another. Bulk
    imports spend their time on mail, not on fsyncs. Yields in input order.
    """
    iterator = iter(items)
    while batch := list(islice(iterator, batch_size)):
        digests = [hashlib.sha256(raw).hexdigest() for _, raw in batch]
        earlier = RawEmail.objects.filter(
            sha256__in=digests, envelope_recipient="", status=RawEmail.Status.PROCESSED
        )
        if mailbox is not None:
            earlier = earlier.filter(mailbox=mailbox)
        known = dict(earlier.values_list("sha256", "pk"))
        fresh = [
            RawEmail(
                mailbox=mailbox, source=source, raw=raw, sha256=digest, size=len(raw)
            )
            for (_, raw), digest in zip(batch, digests, strict=True)
            if digest not in known
        ]
        stored = iter(RawEmail.objects.bulk_create(fresh))
        with transaction.atomic():
            for (key, _), digest in zip(batch, digests, strict=True):
                if digest in known:
                    yield (
                        key,
                        IngestResult(
                            DUPLICATE,
                            known[digest],
                            reason="same bytes already processed",
                        ),
                    )
                    continue
                raw_email = next(stored)
                try:
                    with transaction.atomic():
                        result = _process(raw_email)
                except Exception as error:
                    logger.exception("Inbound email %s failed", raw_email.pk)
                    result = _finish(
                        raw_email, FAILED, f"{type(error).__name__}: {error}"[:2000]
                    )
                yield key, result


def process_raw_email(raw_email: RawEmail) -> IngestResult:
    """Turn a stored RawEmail into a message; used by ingest and by the admin's retry.

    Ends with the row PROCESSED, DUPLICATE, REJECTED (with the reason) or
    FAILED (an unexpected error, logged; retry after a fix).
    """
    try:
        return _process(raw_email)
    except Exception as error:
        logger.exception("Inbound email %s failed", raw_email.pk)
        return _finish(raw_email, FAILED, f"{type(error).__name__}: {error}"[:2000])


RETRYABLE = (RawEmail.Status.REJECTED, RawEmail.Status.FAILED, RawEmail.Status.PENDING)


class NotRetryable(ConflictError):
    """The mail already became a message (or a duplicate of one)."""


def retry_raw_email(raw_email: RawEmail, *, by: Any = None) -> IngestResult:
    """Process a rejected, failed or stuck RawEmail again, e.g. after adding its mailbox.

    Raises NotRetryable for mail that was processed or found duplicate; the
    caller (admin, API, page) has already checked that `by` may see it.
    """
    raw_email = RawEmail.objects.get(pk=raw_email.pk)
    if raw_email.status not in RETRYABLE:
        raise NotRetryable(
            f"This email was already {raw_email.get_status_display().lower()}"
        )
    result = process_raw_email(raw_email)
    logger.info("Inbound email %s retried by %s: %s", raw_email.pk, by, result.status)
    return result


def _finish(
    raw_email: RawEmail,
    status: str,
    reason: str = "",
    *,
    mailbox: Mailbox | None = None,
    message: Message | None = None,
    threaded_by: str = "",
) -> IngestResult:
    raw_status = {
        CREATED: RawEmail.Status.PROCESSED,
        THREADED: RawEmail.Status.PROCESSED,
        DUPLICATE: RawEmail.Status.DUPLICATE,
        REJECTED: RawEmail.Status.REJECTED,
        FAILED: RawEmail.Status.FAILED,
    }[status]
    RawEmail.objects.filter(pk=raw_email.pk).update(
        status=raw_status,
        reason=reason,
        mailbox=mailbox or raw_email.mailbox,
        processed_at=timezone.now(),
    )
    raw_email.status, raw_email.reason = raw_status, reason
    return IngestResult(
        status,
        raw_email.pk,
        message_id=message.pk if message else None,
        conversation_id=message.conversation_id if message else None,
        reason=reason,
        threaded_by=threaded_by,
    )


def _base_address(address: str) -> str:
    """`support+anything@acme.test` → `support@acme.test`, lower-cased."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


_ADDRESS_CACHE_SECONDS = 10.0
_address_cache: tuple[float, dict[str, int]] = (0.0, {})


def _mailbox_addresses() -> dict[str, int]:
    """Lower-cased support address → mailbox id, re-read at most every 10 s.

    Every inbound email needs it twice (routing and loop detection); mailboxes
    change rarely and a message refused in the meantime can be retried.
    """
    global _address_cache
    read_at, addresses = _address_cache
    if time.monotonic() - read_at > _ADDRESS_CACHE_SECONDS:
        rows = Mailbox.objects.annotate(email_lower=Lower("email")).values_list(
            "email_lower", "pk"
        )
        addresses = dict(rows)
        _address_cache = (time.monotonic(), addresses)
    return addresses


def forget_mailbox_addresses(**_: Any) -> None:
    """Drop the address cache (tests, and right after a mailbox is renamed)."""
    global _address_cache
    _address_cache = (0.0, {})


def resolve_mailbox(addresses: list[str]) -> Mailbox | None:
    """The mailbox of the first address (envelope first, then To, Cc) that is one of ours."""
    known = _mailbox_addresses()
    for address in addresses:
        if "@" in address and _base_address(address) in known:
            mailbox = Mailbox.objects.filter(pk=known[_base_address(address)]).first()
            if mailbox is not None:
                return mailbox
    return None


def _is_own_address(address: str) -> bool:
    return _base_address(address) in _mailbox_addresses()


def _mark_bounced(mailbox: Mailbox, classification: Classification) -> str:
    """Hand a DSN to the delivery tracking, as an ESP bounce webhook would be.

    Returns a note for the RawEmail reason.
    """
    if not classification.bounced_message_id:
        return ""
    bounced = tracking.record_bounce_report(
        mailbox_id=mailbox.pk,
        message_id=classification.bounced_message_id,
        reason=classification.reason,
    )
    if bounced is None:
        return ""
    return f"; marked {classification.bounced_message_id} bounced"


def _received_at(parsed: ParsedEmail, raw_email: RawEmail) -> datetime | None:
    """Imported history keeps its Date header; live mail (None) is stamped on arrival."""
    if (
        raw_email.source == RawEmail.Source.IMPORT
        and parsed.date
        and parsed.date <= timezone.now()
    ):
        return parsed.date
    return None


def _process(raw_email: RawEmail) -> IngestResult:
    try:
        parsed = parse_email(
            bytes(raw_email.raw),
            max_bytes=settings.REPLYPAD_MAX_MESSAGE_BYTES,
            max_depth=settings.REPLYPAD_INBOUND_MAX_DEPTH,
            max_attachments=settings.REPLYPAD_INBOUND_MAX_ATTACHMENTS,
        )
    except UnparseableEmail as error:
        return _finish(raw_email, REJECTED, f"unparseable: {error.message}")

    envelope = raw_email.envelope_recipient
    mailbox = raw_email.mailbox or resolve_mailbox([envelope, *parsed.recipients])
    if mailbox is None:
        recipients = ", ".join([envelope, *parsed.recipients][:5]).strip(", ")
        return _finish(
            raw_email, REJECTED, f"no mailbox for recipients: {recipients or 'none'}"
        )
    if _is_own_address(parsed.from_email):
        return _finish(
            raw_email,
            REJECTED,
            f"loop: sent from our own address {parsed.from_email}",
            mailbox=mailbox,
        )

    classification = classify(parsed)
    if classification.kind == SPAM:
        return _finish(
            raw_email, REJECTED, f"spam: {classification.reason}", mailbox=mailbox
        )
    if classification.kind == BOUNCE:
        note = _mark_bounced(mailbox, classification)
        return _finish(
            raw_email,
            REJECTED,
            f"bounce: {classification.reason}{note}",
            mailbox=mailbox,
        )

    if Message.objects.filter(mailbox=mailbox, message_id=parsed.message_id).exists():
        return _finish(
            raw_email,
            DUPLICATE,
            f"Message-ID {parsed.message_id} already stored",
            mailbox=mailbox,
        )

    try:
        with transaction.atomic():
            return _store(raw_email, parsed, classification, mailbox)
    except _NoConversation:
        return _finish(
            raw_email,
            REJECTED,
            f"auto-reply ({classification.reason}) matches no conversation",
            mailbox=mailbox,
        )
    except IntegrityError:
        # The same Message-ID won a race on the (mailbox, message_id) unique index.
        return _finish(
            raw_email,
            DUPLICATE,
            f"Message-ID {parsed.message_id} already stored",
            mailbox=mailbox,
        )


class _NoConversation(Exception):
    """Raised inside the transaction so a customer made for nothing is rolled back."""


def _store(
    raw_email: RawEmail,
    parsed: ParsedEmail,
    classification: Classification,
    mailbox: Mailbox,
) -> IngestResult:
    customer = services.get_or_create_customer(parsed.from_email, name=parsed.from_name)
    conversation, threaded_by = find_conversation(
        parsed,
        mailbox=mailbox,
        customer=customer,
        envelope_recipient=raw_email.envelope_recipient,
    )
    at = _received_at(parsed, raw_email)
    created = conversation is None
    if created:
        if classification.kind == AUTO_REPLY:
            raise _NoConversation
        conversation = services.create_conversation(
            mailbox=mailbox,
            customer=customer,
            subject=parsed.subject or "(no subject)",
            at=at,
        )
    message = services.append_message(
        conversation,
        kind=Message.Kind.INBOUND,
        from_email=parsed.from_email,
        from_name=parsed.from_name,
        text=parsed.text,
        visible_text=parsed.visible_text,
        html=parsed.html,
        subject=parsed.subject,
        to=parsed.to,
        cc=parsed.cc,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        thread_index_root=parsed.thread_index_root,
        raw_email=raw_email,
        date_header=parsed.date,
        auto_submitted=classification.auto_submitted,
        at=at,
    )
    for attachment in parsed.attachments:
        stored = Attachment(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type[:255],
            size=len(attachment.payload),
            sha256=attachment.sha256,
            content_id=attachment.content_id[:255],
            is_inline=attachment.is_inline,
        )
        stored.file.save(
            attachment.filename, ContentFile(attachment.payload), save=False
        )
        stored.save()
    notes = "; ".join(parsed.defects)
    result = _finish(
        raw_email,
        CREATED if created else THREADED,
        notes,
        mailbox=mailbox,
        message=message,
        threaded_by=threaded_by,
    )
    auto_reply_allowed = not classification.suppress_auto_reply
    hooks.publish(
        hooks.INBOUND_RECEIVED,
        message_id=message.pk,
        conversation_id=message.conversation_id,
        created_conversation=created,
        auto_reply_allowed=auto_reply_allowed,
    )
    return result


__all__ = [
    "CREATED",
    "DUPLICATE",
    "FAILED",
    "REJECTED",
    "THREADED",
    "IngestResult",
    "ingest_many",
    "ingest_raw_email",
    "process_raw_email",
    "resolve_mailbox",
    "retry_raw_email",
]
