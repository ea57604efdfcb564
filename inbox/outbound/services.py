"""Replies and automatic mail: queue the Message row first, send it later, once.

The row is the idempotency key. `send_reply` stores a queued message with
`send_after` at the end of the undo window; `deliver_message` claims it with a
conditional update (queued → sending), calls the ESP outside any transaction
and finishes with sending → sent. A second run of the same task, a duplicate
dispatch or a retried webhook finds nothing to claim and does nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import smtplib
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailRecipientsRefused,
)
from anymail.signals import AnymailTrackingEvent
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from jinja2 import ChainableUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from inbox import events, services
from inbox.errors import InvalidStatusChange, NotAMember
from inbox.models import Conversation, Customer, Event, Message, RawEmail
from inbox.outbound import compose, loops
from inbox.outbound.errors import (
    EmptyReply,
    NotRetryable,
    ReplyTooLong,
    TransientSendError,
    UndoTooLate,
)
from inbox.selectors import is_member
from replypad.errors import ReplypadError

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 100_000
STATUSES_AFTER_REPLY = {
    Conversation.Status.OPEN,
    Conversation.Status.PENDING,
    Conversation.Status.RESOLVED,
}
AUTO_REPLY_MAX_AGE = timedelta(hours=2)
FIRST_RETRY_SECONDS = 30
INLINE_SECONDS = 1.0
MAX_RETRY_SECONDS = 30 * 60
Delivery = Message.DeliveryStatus

DEFAULT_AUTO_REPLY_SUBJECT = "We have your message [#{{ conversation.number }}]"
DEFAULT_AUTO_REPLY_BODY = """\
Hi {{ customer.first_name | default("there", true) }},

Thank you for writing to {{ mailbox.name }}. Your message has reached us and a \
member of the team will read it and reply personally, usually within one \
business day.

Your reference is #{{ conversation.number }}. If you think of anything to add, \
simply reply to this email and it will join the same conversation.
"""


def _ensure_may_act(by: Any, mailbox_id: int) -> None:
    """A member of the mailbox, a superuser (admin actions) or the system (None)."""
    if by is None or getattr(by, "is_superuser", False):
        return
    if not is_member(by, mailbox_id):
        raise NotAMember("You are not a member of this mailbox")


def _undo_seconds() -> int:
    return int(settings.REPLYPAD_UNDO_SECONDS)


def _enqueue_on_commit(message_id: int) -> None:
    """Ask a worker to send right after commit.

    robust=True: if the broker is down the reply is still stored and queued,
    and beat's dispatcher sends it once the broker is back; the agent gets no
    error for a send that will happen anyway.
    """
    from inbox.tasks import send_message_task

    transaction.on_commit(lambda: send_message_task.delay(message_id), robust=True)


def _queue_message(
    conversation: Conversation,
    *,
    kind: str,
    body: str,
    subject: str,
    author: Any = None,
    to: list[str],
    cc: Iterable[str] = (),
    bcc: Iterable[str] = (),
    send_after: datetime,
    auto_submitted: bool = False,
    **fields: Any,
) -> Message:
    """Render the parts and store the queued row; the caller holds the conversation lock."""
    mailbox = conversation.mailbox
    in_reply_to, references = compose.thread_headers(conversation)
    text, html = compose.compose_bodies(body, signature=mailbox.signature)
    return services.append_message(
        conversation,
        kind=kind,
        from_email=mailbox.email,
        text=text,
        author=author,
        visible_text=body.strip(),
        html=html,
        from_name=compose.sender_name(author, mailbox.name),
        to=to,
        cc=list(cc),
        bcc=list(bcc),
        subject=subject,
        in_reply_to=in_reply_to,
        references=references,
        delivery_status=Delivery.QUEUED,
        send_after=send_after,
        auto_submitted=auto_submitted,
        **fields,
    )


def _render_template(
    template: Any, conversation: Conversation, *, ask: Any, agent: Any
) -> Any:
    """templates_app's send-time render: refuses missing values, counts the use."""
    from templates_app.services import render_for_send

    return render_for_send(template, conversation, ask=ask or {}, agent=agent)


def send_reply(
    conversation: Conversation,
    *,
    body: str,
    by: Any,
    cc: Iterable[str] | str = (),
    bcc: Iterable[str] | str = (),
    status_after: str | None = None,
    template: Any = None,
    ask: Mapping[str, Any] | None = None,
    subject: str | None = None,
    empathy_findings: list[Any] | None = None,
    empathy_override_reason: str = "",
) -> Message:
    """Queue an agent's reply to the customer; it leaves after the undo window.

    Validates everything that becomes a header before storing anything (CR/LF
    is refused with the field named). Applies `status_after` (open, pending,
    resolved) at once. With a canned `template`, templates_app renders it with
    `ask` and refuses while values are missing (MissingValues); an empty body
    then sends the rendered text. Sends nothing until commit: with REPLYPAD_UNDO_SECONDS
    = 0 the send task is enqueued on commit, otherwise beat's dispatcher picks
    the row up when `send_after` passes.
    """
    if not is_member(by, conversation.mailbox_id):
        raise NotAMember("You are not a member of this mailbox")
    body = (body or "").strip()
    if template is not None:
        rendered = _render_template(template, conversation, ask=ask, agent=by)
        # The agent may have tailored the inserted text; an empty box sends it as is.
        body = body or rendered.body.strip()
        if subject is None and template.subject.strip():
            subject = rendered.subject
    if not body:
        raise EmptyReply("Write a reply before sending")
    if len(body) > MAX_BODY_CHARS:
        raise ReplyTooLong(f"A reply can be at most {MAX_BODY_CHARS:,} characters")
    cc = compose.clean_addresses(cc, field="cc")
    bcc = compose.clean_addresses(bcc, field="bcc")
    if status_after and status_after not in STATUSES_AFTER_REPLY:
        raise InvalidStatusChange(
            f"Cannot set status {status_after!r} after a reply", field="status"
        )
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update()
            .select_related("mailbox", "customer")
            .get(pk=conversation.pk)
        )
        to = compose.clean_addresses([locked.customer.email], field="to")
        final_subject = compose.reply_subject(
            subject if subject is not None else locked.subject
        )
        services.check_header_value(final_subject, field="subject")
        now = timezone.now()
        message = _queue_message(
            locked,
            kind=Message.Kind.REPLY,
            body=body,
            subject=final_subject,
            author=by,
            to=to,
            cc=cc,
            bcc=bcc,
            send_after=now + timedelta(seconds=_undo_seconds()),
            template=template,
            empathy_findings=list(empathy_findings or []),
            empathy_override_reason=empathy_override_reason.strip(),
        )
        if status_after:
            services.change_status(locked, status=status_after, by=by)
        if _undo_seconds() == 0:
            _enqueue_on_commit(message.pk)
    return message


def queue_automatic_message(
    conversation: Conversation,
    *,
    kind: str,
    subject: str,
    body: str,
    send_at: datetime | None = None,
) -> Message:
    """Queue mail the system sends on its own (auto-reply, scheduled update, check-in).

    It carries `Auto-Submitted: auto-replied` (RFC 3834) and goes out at
    `send_at` (default now) through the same idempotent delivery as replies.
    """
    if kind not in compose.AUTOMATIC_KINDS:
        raise ReplypadError(f"{kind!r} is not an automatic message kind", field="kind")
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update()
            .select_related("mailbox", "customer")
            .get(pk=conversation.pk)
        )
        message = _queue_message(
            locked,
            kind=kind,
            body=body,
            subject=subject,
            to=compose.clean_addresses([locked.customer.email], field="to"),
            send_after=send_at or timezone.now(),
            auto_submitted=True,
        )
        if send_at is None or send_at <= timezone.now():
            _enqueue_on_commit(message.pk)
    return message


def _status_set_by_reply(message: Message) -> Event | None:
    """The status change "send & resolve/pending" made with this reply, if it stands.

    send_reply changes the status in the reply's own transaction, so it is the
    first status event after the message and it is by the reply's author.
    """
    event = (
        Event.objects.filter(
            conversation_id=message.conversation_id,
            kind="status_changed",
            created_at__gte=message.created_at,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if (
        event is None
        or event.actor_id != message.author_id
        or event.created_at - message.created_at > timedelta(seconds=5)
        or event.data.get("old") not in STATUSES_AFTER_REPLY
    ):
        return None
    return event


@transaction.atomic
def cancel_reply(message: Message, *, by: Any) -> Message:
    """Undo-send: a queued message becomes cancelled and is never sent.

    Raises UndoTooLate once a worker has claimed it. A status the reply set
    ("send & resolve") is put back, unless someone has changed it since.
    """
    _ensure_may_act(by, message.mailbox_id)
    cancelled = Message.objects.filter(
        pk=message.pk, delivery_status=Delivery.QUEUED
    ).update(delivery_status=Delivery.CANCELLED, delivery_detail="Cancelled (undo)")
    if not cancelled:
        raise UndoTooLate("Too late to undo: this message has already been sent")
    conversation = Conversation.objects.select_for_update().get(
        pk=message.conversation_id
    )
    events.record(conversation, "reply_cancelled", actor=by, message=message.pk)
    changed = ["snippet", "updated_at"]
    if conversation.first_response_at == message.created_at:
        # The cancelled reply was never a response; the next real one will be.
        conversation.first_response_at = None
        changed.append("first_response_at")
    latest = (
        Message.objects.filter(conversation=conversation)
        .exclude(delivery_status=Delivery.CANCELLED)
        .order_by("-created_at", "-id")
        .only("visible_text")
        .first()
    )
    visible = latest.visible_text if latest else ""
    conversation.snippet = " ".join(visible.split())[: services.SNIPPET_LENGTH]
    conversation.save(update_fields=changed)
    status_event = _status_set_by_reply(message)
    if status_event and status_event.data.get("new") == conversation.status:
        services.change_status(conversation, status=status_event.data["old"], by=by)
    message.refresh_from_db()
    return message


@transaction.atomic
def retry_message(message: Message, *, by: Any) -> Message:
    """Queue a failed message again, to go out now."""
    _ensure_may_act(by, message.mailbox_id)
    requeued = Message.objects.filter(
        pk=message.pk, delivery_status=Delivery.FAILED
    ).update(
        delivery_status=Delivery.QUEUED,
        send_after=timezone.now(),
        delivery_detail="",
    )
    if not requeued:
        raise NotRetryable("Only a message that failed can be sent again")
    conversation = Conversation.objects.get(pk=message.conversation_id)
    events.record(conversation, "message_requeued", actor=by, message=message.pk)
    _enqueue_on_commit(message.pk)
    message.refresh_from_db()
    return message


# --- Delivery --------------------------------------------------------------


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


def _attempts_so_far(message: Message) -> int:
    return Event.objects.filter(
        conversation_id=message.conversation_id,
        kind="delivery_deferred",
        data__message=message.pk,
    ).count()


def _mark_failed(message: Message, *, reason: str) -> None:
    updated = Message.objects.filter(
        pk=message.pk, delivery_status=Delivery.SENDING
    ).update(delivery_status=Delivery.FAILED, delivery_detail=reason)
    if updated:
        events.record(
            message.conversation, "message_failed", message=message.pk, reason=reason
        )
    logger.warning("Message %s failed: %s", message.pk, reason)


def _defer(message: Message, *, reason: str) -> int:
    """Put a claimed message back in the queue with backoff; returns the delay."""
    attempt = _attempts_so_far(message) + 1
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
        "delivery_deferred",
        message=message.pk,
        attempt=attempt,
        reason=reason,
        retry_at=retry_at.isoformat(),
    )
    logger.info("Message %s deferred %ss: %s", message.pk, delay, reason)
    return delay


def deliver_message(message_id: int, *, now: datetime | None = None) -> str:
    """Send one queued message if it is due; safe to call any number of times.

    Returns "sent", "failed" or "skipped" (gone, cancelled, not due, or another
    worker has it). Raises TransientSendError after putting the message back in
    the queue with backoff, so the Celery task can retry. Must not run inside
    a transaction: the ESP call is slow and cannot be rolled back.
    """
    now = now or timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, delivery_status=Delivery.QUEUED)
        .filter(Q(send_after__isnull=True) | Q(send_after__lte=now))
        .update(delivery_status=Delivery.SENDING)
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
    """Send every queued message whose time has come; returns how many it handled.

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
        Message.objects.filter(delivery_status=Delivery.QUEUED)
        .filter(Q(send_after__isnull=True) | Q(send_after__lte=now))
        .order_by("send_after")
        .values_list("pk", "message_id", "send_after")[:limit]
    )
    dispatched = 0
    for pk, message_id, send_after in list(due):
        stamp = send_after.timestamp() if send_after else 0
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


# --- Auto-reply ------------------------------------------------------------

_sandbox = SandboxedEnvironment(autoescape=False, undefined=ChainableUndefined)


def _render_auto_reply(source: str, fallback: str, context: dict[str, Any]) -> str:
    """Render the mailbox's auto-reply text; a broken template falls back to ours."""
    try:
        return _sandbox.from_string(source or fallback).render(context)
    except TemplateError:
        logger.warning("Auto-reply template is broken; using the default text")
        return _sandbox.from_string(fallback).render(context)


def _raw_headers(raw_email_id: int | None) -> Any:
    if raw_email_id is None:
        return None
    raw = RawEmail.objects.filter(pk=raw_email_id).values_list("raw", flat=True).first()
    if raw is None:
        return None
    head = bytes(raw[:65536])
    return loops.parse_headers(head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])


def auto_reply_refusal(message: Message) -> str | None:
    """Why this inbound message gets no auto-reply (None = it should get one)."""
    conversation = message.conversation
    if message.kind != Message.Kind.INBOUND:
        return "not a customer message"
    if not message.mailbox.auto_reply_enabled:
        return "auto-reply is off for this mailbox"
    if message.auto_submitted:
        return "the message was sent automatically"
    if message.created_at < timezone.now() - AUTO_REPLY_MAX_AGE:
        # Imported history (import_mail, a late IMAP poll, demo data) must not
        # send customers acknowledgements for mail they wrote long ago.
        return "the message is too old to acknowledge"
    first_id = (
        Message.objects.filter(conversation=conversation)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
        .first()
    )
    if first_id != message.pk:
        return "not a new conversation"
    return loops.auto_reply_refusal(
        _raw_headers(message.raw_email_id),
        from_email=message.from_email,
        mailbox_email=message.mailbox.email,
    )


def send_auto_reply(message_id: int) -> Message | None:
    """Acknowledge a new conversation by email, when the mailbox asks for it.

    Never answers robots, bounces, lists or automatic mail (RFC 3834 §2), and
    at most one auto-reply per customer and mailbox per
    REPLYPAD_AUTO_REPLY_INTERVAL_HOURS; the customer row lock makes the check
    hold when two conversations start at once.
    """
    message = (
        Message.objects.select_related("mailbox", "conversation__customer")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return None
    refusal = auto_reply_refusal(message)
    if refusal:
        logger.info("No auto-reply to message %s: %s", message_id, refusal)
        return None
    conversation = message.conversation
    mailbox = message.mailbox
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=conversation.customer_id)
        since = timezone.now() - timedelta(
            hours=int(settings.REPLYPAD_AUTO_REPLY_INTERVAL_HOURS)
        )
        if Message.objects.filter(
            conversation__customer=customer,
            mailbox=mailbox,
            kind=Message.Kind.AUTO_REPLY,
            created_at__gte=since,
        ).exists():
            logger.info("No auto-reply to message %s: rate limit", message_id)
            return None
        context = {
            "customer": {
                "name": customer.name,
                "first_name": customer.first_name,
                "email": customer.email,
            },
            "conversation": {
                "number": conversation.number,
                "subject": conversation.subject,
            },
            "mailbox": {"name": mailbox.name, "email": mailbox.email},
        }
        subject = _render_auto_reply(
            mailbox.auto_reply_subject, DEFAULT_AUTO_REPLY_SUBJECT, context
        )
        return queue_automatic_message(
            conversation,
            kind=Message.Kind.AUTO_REPLY,
            subject=" ".join(subject.split())[:998],
            body=_render_auto_reply(
                mailbox.auto_reply_body, DEFAULT_AUTO_REPLY_BODY, context
            ),
        )


# --- Tracking webhooks -----------------------------------------------------

# Later news never downgrades earlier bad news: a "delivered" that arrives
# after a bounce leaves the bounce showing.
_RANK = {
    Delivery.QUEUED: 0,
    Delivery.SENDING: 1,
    Delivery.SENT: 2,
    Delivery.DELIVERED: 3,
    Delivery.FAILED: 4,
    Delivery.BOUNCED: 5,
    Delivery.COMPLAINED: 6,
}
_EVENT_STATUS = {
    "delivered": Delivery.DELIVERED,
    "bounced": Delivery.BOUNCED,
    "rejected": Delivery.BOUNCED,
    "failed": Delivery.FAILED,
    "complained": Delivery.COMPLAINED,
}
_EVENT_KIND = {
    Delivery.BOUNCED: "message_bounced",
    Delivery.FAILED: "message_failed",
    Delivery.COMPLAINED: "message_complained",
}


def _tracked_message(event: AnymailTrackingEvent) -> Message | None:
    metadata = event.metadata or {}
    esp_id = str(event.message_id or "")
    pk = str(metadata.get("replypad_message", ""))
    if pk.isdigit():
        message = Message.objects.select_for_update().filter(pk=int(pk)).first()
        if message and (
            not message.esp_message_id or not esp_id or message.esp_message_id == esp_id
        ):
            return message
    if esp_id:
        return (
            Message.objects.select_for_update()
            .filter(esp_message_id=esp_id)
            .order_by("-id")
            .first()
        )
    return None


def _apply_delivery_status(
    message: Message, *, status: str, recipient: str, detail: str
) -> Message:
    """Move a locked outgoing message to a later delivery status, never back."""
    current = message.delivery_status
    if current == Delivery.CANCELLED or _RANK.get(current, 0) >= _RANK[status]:
        return message
    message.delivery_status = status
    message.delivery_detail = detail[:2000]
    message.save(update_fields=["delivery_status", "delivery_detail"])
    kind = _EVENT_KIND.get(status)
    if kind:
        events.record(
            message.conversation,
            kind,
            message=message.pk,
            recipient=recipient,
            reason=message.delivery_detail,
        )
    return message


@transaction.atomic
def record_tracking_event(event: AnymailTrackingEvent) -> Message | None:
    """Apply an ESP delivery event (delivered, bounced, complained, ...) to our message.

    Idempotent: a retried webhook finds the status already set and records
    nothing more. A bounce, rejection, failure or complaint also appears on the
    conversation's timeline.
    """
    status = _EVENT_STATUS.get(event.event_type)
    if status is None:
        return None
    message = _tracked_message(event)
    if message is None or not message.is_outbound:
        return None
    detail = " ".join(
        str(part)
        for part in [event.reject_reason, event.description, event.mta_response]
        if part
    )
    return _apply_delivery_status(
        message, status=status, recipient=event.recipient or "", detail=detail
    )


@transaction.atomic
def record_bounce_report(
    *, mailbox_id: int, message_id: str, recipient: str = "", reason: str = ""
) -> Message | None:
    """A bounce that came back by email (a DSN) for one of our messages.

    For the inbound pipeline: it passes the Message-ID the DSN quotes
    (RFC 3464 returned headers). Unknown ids and repeats change nothing.
    """
    message = (
        Message.objects.select_for_update()
        .filter(mailbox_id=mailbox_id, message_id=message_id.strip())
        .exclude(kind=Message.Kind.INBOUND)
        .first()
    )
    if message is None:
        return None
    return _apply_delivery_status(
        message,
        status=Delivery.BOUNCED,
        recipient=recipient,
        detail=reason or "Returned by the recipient's mail server",
    )
