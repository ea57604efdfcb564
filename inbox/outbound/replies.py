"""Replies and automatic mail are stored as queued rows first; undo and retry.

The row is the idempotency key: `send_reply` stores a queued message with
`send_after` at the end of the undo window, and `inbox.outbound.delivery`
sends it later, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inbox import events, hooks, selectors, services
from inbox.errors import UnknownStatus
from inbox.models import Conversation, Event, Message
from inbox.outbound import compose, steps
from inbox.outbound.errors import (
    EmptyReply,
    NotRetryable,
    ReplyTooLong,
    UndoTooLate,
)
from replypad.errors import ReplypadError

MAX_BODY_CHARS = 100_000
STATUSES_AFTER_REPLY = {
    Conversation.Status.OPEN,
    Conversation.Status.PENDING,
    Conversation.Status.RESOLVED,
}
Delivery = Message.DeliveryStatus


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


def send_reply(
    conversation: Conversation,
    *,
    body: str,
    by: Any,
    cc: Iterable[str] | str = (),
    bcc: Iterable[str] | str = (),
    status_after: str | None = None,
    template_id: int | None = None,
    ask: Mapping[str, Any] | None = None,
    subject: str | None = None,
    empathy_override_reason: str = "",
    draft_id: int | None = None,
) -> Message:
    """Queue an agent's reply to the customer; it leaves after the undo window.

    Validates everything that becomes a header before storing anything (CR/LF
    is refused with the field named). Applies `status_after` (open, pending,
    resolved) at once and stores the change on the reply, for undo. Steps
    other apps registered (inbox.outbound.steps) run inside the transaction:
    with `template_id`, templates_app renders the canned reply with `ask` (an
    empty body then sends the rendered text); checks such as empathy's block
    mode or a review policy may refuse (`draft_id` names the approved draft the
    reply comes from). Sends nothing until commit: with REPLYPAD_UNDO_SECONDS = 0
    the send task is enqueued on commit, otherwise beat's dispatcher picks the
    row up when `send_after` passes.
    """
    selectors.ensure_member(by, conversation.mailbox_id)
    cc = compose.clean_addresses(cc, field="cc")
    bcc = compose.clean_addresses(bcc, field="bcc")
    if status_after and status_after not in STATUSES_AFTER_REPLY:
        raise UnknownStatus(f"Cannot set status {status_after!r} after a reply")
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update()
            .select_related("mailbox", "customer")
            .get(pk=conversation.pk)
        )
        reply = steps.OutgoingReply(
            conversation=locked,
            by=by,
            body=(body or "").strip(),
            subject=subject,
            status_after=status_after,
            template_id=template_id,
            ask=ask or {},
            empathy_override_reason=empathy_override_reason.strip(),
            draft_id=draft_id,
        )
        steps.run(steps.COMPOSE, reply)
        if not reply.body:
            raise EmptyReply("Write a reply before sending")
        if len(reply.body) > MAX_BODY_CHARS:
            raise ReplyTooLong(f"A reply can be at most {MAX_BODY_CHARS:,} characters")
        to = compose.clean_addresses([locked.customer.email], field="to")
        final_subject = compose.reply_subject(
            reply.subject if reply.subject is not None else locked.subject
        )
        services.check_header_value(final_subject, field="subject")
        steps.run(steps.CHECK, reply)
        now = timezone.now()
        undo_fields: dict[str, str] = {}
        # Only open, pending and resolved can be put back by undo; a snooze
        # would need its wake-up time too.
        if (
            status_after
            and status_after != locked.status
            and locked.status in STATUSES_AFTER_REPLY
        ):
            undo_fields = {
                "status_before_reply": locked.status,
                "status_after_reply": status_after,
            }
        message = _queue_message(
            locked,
            kind=Message.Kind.REPLY,
            body=reply.body,
            subject=final_subject,
            author=by,
            to=to,
            cc=cc,
            bcc=bcc,
            send_after=now + timedelta(seconds=_undo_seconds()),
            empathy_override_reason=reply.empathy_override_reason,
            **undo_fields,
            **reply.message_fields,
        )
        for callback in reply.stored_callbacks:
            callback(message)
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


@transaction.atomic
def cancel_reply(message: Message, *, by: Any) -> Message:
    """Undo-send: a queued message becomes cancelled and is never sent.

    Raises UndoTooLate once a worker has claimed it. A status the reply set
    ("send & resolve") is put back, unless someone has changed it since.
    """
    selectors.ensure_member(by, message.mailbox_id)
    cancelled = Message.objects.filter(
        pk=message.pk, delivery_status=Delivery.QUEUED
    ).update(delivery_status=Delivery.CANCELLED, delivery_detail="Cancelled (undo)")
    if not cancelled:
        raise UndoTooLate("Too late to undo: this message has already been sent")
    conversation = Conversation.objects.select_for_update().get(
        pk=message.conversation_id
    )
    events.record(
        conversation, Event.Kind.REPLY_CANCELLED, actor=by, message=message.pk
    )
    hooks.publish(
        hooks.REPLY_CANCELLED,
        message_id=message.pk,
        conversation_id=conversation.pk,
        actor_id=getattr(by, "pk", None),
    )
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
    if (
        message.status_before_reply
        and conversation.status == message.status_after_reply
    ):
        services.change_status(conversation, status=message.status_before_reply, by=by)
    message.refresh_from_db()
    return message


@transaction.atomic
def retry_message(message: Message, *, by: Any) -> Message:
    """Queue a failed message again, to go out now, with a fresh set of attempts
    (a person asked for it, so the backoff starts over). A message stuck
    sending after its worker's lease ran out counts as failed."""
    selectors.ensure_member(by, message.mailbox_id)
    abandoned = Q(delivery_status=Delivery.SENDING, claimed_until__lt=timezone.now())
    requeued = Message.objects.filter(
        Q(delivery_status=Delivery.FAILED) | abandoned, pk=message.pk
    ).update(
        delivery_status=Delivery.QUEUED,
        send_after=timezone.now(),
        delivery_detail="",
        send_attempts=0,
    )
    if not requeued:
        raise NotRetryable(
            "Only a message that failed, or whose send stopped, can be sent again"
        )
    conversation = Conversation.objects.get(pk=message.conversation_id)
    events.record(
        conversation, Event.Kind.MESSAGE_REQUEUED, actor=by, message=message.pk
    )
    _enqueue_on_commit(message.pk)
    message.refresh_from_db()
    return message
