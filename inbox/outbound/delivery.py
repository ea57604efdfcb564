"""Sending queued messages exactly once, and the beat dispatcher that ends undo windows.

`deliver_message` claims a row with a conditional update (queued → sending,
with a lease until `claimed_until`), calls the ESP outside any transaction and
finishes with sending → sent. A second run of the same task, a duplicate
dispatch or a retried webhook finds nothing to claim and does nothing. A worker
that dies mid-send leaves its lease to expire; the dispatcher then claims the
row again. Only a death between the ESP's acceptance and the final update can
send twice, and the copy carries the same Message-ID, so mail clients show one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import smtplib
import time
from datetime import datetime, timedelta

from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailRecipientsRefused,
)
from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from inbox import events
from inbox.models import Event, Message
from inbox.outbound import compose
from inbox.outbound.errors import (
    TransientSendError,
)
from replypad.errors import ReplypadError

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 30 * 60
INLINE_SECONDS = 1.0
Delivery = Message.DeliveryStatus


def _failure_reason(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # an exception whose __str__ breaks still needs a reason
        text = ""
    return " ".join(text.split())[:500] or exc.__class__.__name__


def _is_transient(exc: BaseException) -> bool:
    """Worth another try later: ESP outages, rate limits, timeouts, dropped connections."""
    if isinstance(exc, AnymailRecipientsRefused):
        return False
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        return status is None or status == 429 or status >= 500
    if isinstance(exc, AnymailError):
        return False  # invalid address, unsupported feature, serialisation
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500
    return isinstance(exc, OSError)  # connection refused/reset, timeouts, DNS


def _mark_failed(message: Message, *, reason: str) -> None:
    updated = Message.objects.filter(
        pk=message.pk, delivery_status=Delivery.SENDING
    ).update(delivery_status=Delivery.FAILED, delivery_detail=reason)
    if updated:
        events.record(
            message.conversation,
            Event.Kind.MESSAGE_FAILED,
            message=message.pk,
            reason=reason,
        )
    logger.warning("Message %s failed: %s", message.pk, reason)


def _defer(message: Message, *, reason: str) -> int:
    """Put a claimed message back in the queue with backoff; returns the delay.

    `message` was read after its claim, so send_attempts already counts this try.
    """
    attempt = message.send_attempts
    max_attempts = int(settings.REPLYPAD_SEND_MAX_ATTEMPTS)
    if attempt >= max_attempts:
        _mark_failed(message, reason=f"Gave up after {attempt} attempts: {reason}")
        return 0
    delay = min(FIRST_RETRY_SECONDS * 2 ** (attempt - 1), MAX_RETRY_SECONDS)
    retry_at = timezone.now() + timedelta(seconds=delay)
    Message.objects.filter(pk=message.pk, delivery_status=Delivery.SENDING).update(
        delivery_status=Delivery.QUEUED,
        send_after=retry_at,
        delivery_detail=f"Attempt {attempt} failed ({reason}); trying again at "
        f"{retry_at:%H:%M:%S} UTC",
    )
    events.record(
        message.conversation,
        Event.Kind.DELIVERY_DEFERRED,
        message=message.pk,
        attempt=attempt,
        reason=reason,
        retry_at=retry_at.isoformat(),
    )
    logger.info("Message %s deferred %ss: %s", message.pk, delay, reason)
    return delay


def _claimable(now: datetime) -> Q:
    """Queued and due, or sending with a lease that ran out (its worker died)."""
    due = Q(delivery_status=Delivery.QUEUED) & (
        Q(send_after__isnull=True) | Q(send_after__lte=now)
    )
    abandoned = Q(delivery_status=Delivery.SENDING, claimed_until__lt=now)
    return due | abandoned


def deliver_message(message_id: int, *, now: datetime | None = None) -> str:
    """Send one queued message if it is due; safe to call any number of times.

    Returns "sent", "failed" or "skipped" (gone, cancelled, not due, or another
    worker has it). Raises TransientSendError after putting the message back in
    the queue with backoff, so the Celery task can retry. Must not run inside
    a transaction: the ESP call is slow and cannot be rolled back.
    """
    now = now or timezone.now()
    # Claiming and counting the attempt are one statement, so two workers can
    # neither both claim the row nor lose an attempt between them.
    lease = timedelta(seconds=settings.REPLYPAD_SEND_LEASE_SECONDS)
    claimed = Message.objects.filter(_claimable(now), pk=message_id).update(
        delivery_status=Delivery.SENDING,
        send_attempts=F("send_attempts") + 1,
        claimed_until=timezone.now() + lease,
    )
    if not claimed:
        return "skipped"
    message = Message.objects.select_related("conversation", "mailbox", "author").get(
        pk=message_id
    )
    try:
        email = compose.build_email(message)
    except ReplypadError as exc:
        _mark_failed(message, reason=f"Not sent: {exc.message}")
        return "failed"
    try:
        email.send()
    except Exception as exc:
        reason = _failure_reason(exc)
        if _is_transient(exc):
            delay = _defer(message, reason=reason)
            if delay:
                raise TransientSendError(reason, retry_in=delay) from exc
            return "failed"
        logger.exception("Message %s was refused by the email backend", message_id)
        _mark_failed(message, reason=reason)
        return "failed"
    status = getattr(email, "anymail_status", None)
    esp_id = status.message_id if status is not None else None
    if isinstance(esp_id, set):
        esp_id = " ".join(sorted(str(i) for i in esp_id if i is not None))
    fields = {
        "sent_at": timezone.now(),
        "esp_message_id": "" if esp_id is None else str(esp_id)[:255],
    }
    finished = Message.objects.filter(
        pk=message_id, delivery_status=Delivery.SENDING
    ).update(delivery_status=Delivery.SENT, delivery_detail="", **fields)
    if not finished:
        # A tracking webhook (delivered/bounced) beat this update; keep its status.
        Message.objects.filter(pk=message_id).update(**fields)
    return "sent"


def dispatch_due_messages(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send every queued message whose time has come, and every send whose
    worker's lease expired; returns how many it handled.

    Beat runs this every few seconds, which is what ends the undo window. The
    first messages are delivered right here (one broker round trip fewer, which
    matters on the file-system broker of `make run`); after INLINE_SECONDS the
    rest fan out as send tasks to every worker. A short cache lease keeps one
    message from being picked on every tick; a duplicate would find nothing to
    claim anyway.
    """
    from inbox.tasks import send_message_task

    now = now or timezone.now()
    started = time.monotonic()
    due = (
        Message.objects.filter(_claimable(now))
        .order_by("send_after")
        .values_list("pk", "message_id", "send_after", "claimed_until")[:limit]
    )
    dispatched = 0
    for pk, message_id, send_after, claimed_until in list(due):
        since = claimed_until or send_after
        stamp = since.timestamp() if since else 0
        digest = hashlib.sha256(f"{message_id}:{stamp}".encode()).hexdigest()[:32]
        if not cache.add(f"replypad:outbound:dispatch:{digest}", 1, timeout=30):
            continue
        dispatched += 1
        if time.monotonic() - started > INLINE_SECONDS:
            send_message_task.delay(pk)
            continue
        # A transient failure has queued it again with backoff; a later tick retries.
        with contextlib.suppress(TransientSendError):
            deliver_message(pk, now=now)
    return dispatched
