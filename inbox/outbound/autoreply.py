"""The acknowledgement a new conversation gets when its mailbox asks for one (RFC 3834)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from jinja2 import ChainableUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from inbox.models import Customer, Mailbox, Message, RawEmail
from inbox.outbound import loops
from inbox.outbound.replies import queue_automatic_message

logger = logging.getLogger(__name__)

AUTO_REPLY_MAX_AGE = timedelta(hours=2)
# Clocks drift; a Date further ahead than this is forged or broken, not new.
FUTURE_DATE_SLACK = timedelta(hours=1)
DEFAULT_AUTO_REPLY_SUBJECT = "We have your message [#{{ conversation.number }}]"
DEFAULT_AUTO_REPLY_BODY = """\
Hi {{ customer.first_name | default("there", true) }},

Thank you for writing to {{ mailbox.name }}. Your message has reached us and a \
member of the team will read it and reply personally, usually within one \
business day.

Your reference is #{{ conversation.number }}. If you think of anything to add, \
simply reply to this email and it will join the same conversation.
"""

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


def _arrival_refusal(message: Message) -> str | None:
    """Mail that came in by import, or whose Date does not say it is new, is history."""
    source = (
        RawEmail.objects.filter(pk=message.raw_email_id)
        .values_list("source", flat=True)
        .first()
    )
    if source == RawEmail.Source.IMPORT:
        return "imported mail is never acknowledged"
    if message.date_header is None:
        return "no Date header, so not known to be new"
    if message.date_header > timezone.now() + FUTURE_DATE_SLACK:
        return "dated in the future"
    return None


def _mailbox_over_cap(mailbox: Mailbox) -> bool:
    """The mailbox sent its hourly share of auto-replies: a storm, stop and alert."""
    cap = int(settings.REPLYPAD_AUTO_REPLY_MAILBOX_HOURLY_CAP)
    sent = Message.objects.filter(
        mailbox=mailbox,
        kind=Message.Kind.AUTO_REPLY,
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).count()
    if sent < cap:
        return False
    if cache.add(f"replypad:auto-reply-storm:{mailbox.pk}", 1, timeout=3600):
        logger.error(
            "Auto-replies for mailbox %s stopped: %s in the last hour (cap %s)",
            mailbox.email,
            sent,
            cap,
        )
    return True


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
    if message.raw_email_id is not None:
        refusal = _arrival_refusal(message)
        if refusal:
            return refusal
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

    Never answers robots, bounces, lists, automatic or imported mail (RFC 3834
    §2), at most one auto-reply per customer and mailbox per
    REPLYPAD_AUTO_REPLY_INTERVAL_HOURS and at most
    REPLYPAD_AUTO_REPLY_MAILBOX_HOURLY_CAP per mailbox an hour; the row locks
    make both checks hold when conversations start at once.
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
        # The mailbox lock makes the hourly cap exact, the customer lock the window.
        mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        if _mailbox_over_cap(mailbox):
            logger.info("No auto-reply to message %s: mailbox cap", message_id)
            return None
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
