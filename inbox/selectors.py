"""Reads and access checks. Every id-taking selector takes the user.

Anything outside the user's mailboxes is a 404, whether it exists or not, so ids
reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from inbox.models import (
    Conversation,
    ConversationLabel,
    Customer,
    Event,
    Label,
    Mailbox,
    Membership,
    Message,
)


def mailbox_ids_for(user: Any) -> list[int]:
    if not user.is_authenticated:
        return []
    cache = getattr(user, "_replypad_mailbox_ids", None)
    if cache is None:
        cache = list(
            Membership.objects.filter(user=user)
            .order_by("mailbox_id")
            .values_list("mailbox_id", flat=True)
        )
        user._replypad_mailbox_ids = cache
    return cache


def is_member(user: Any, mailbox_id: int) -> bool:
    return mailbox_id in mailbox_ids_for(user)


def mailboxes_for(user: Any) -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(id__in=mailbox_ids_for(user)).order_by("name")


def get_mailbox_for(user: Any, mailbox_id: int) -> Mailbox:
    if not is_member(user, int(mailbox_id)):
        raise Http404("No such mailbox")
    return Mailbox.objects.get(pk=mailbox_id)


def current_labels_prefetch() -> Prefetch:
    """Prefetch of a conversation's labels in force, onto `.current_labels`."""
    return Prefetch(
        "label_links",
        queryset=ConversationLabel.objects.filter(removed_at__isnull=True)
        .select_related("label")
        .order_by("label__name"),
        to_attr="current_labels",
    )


def conversations_for(user: Any) -> QuerySet[Conversation]:
    """Conversations in the user's mailboxes, with what a list row shows."""
    return (
        Conversation.objects.filter(mailbox_id__in=mailbox_ids_for(user))
        .select_related("customer", "assignee", "mailbox")
        .prefetch_related(current_labels_prefetch())
    )


def get_conversation_for(
    user: Any, conversation_id: Any, *, lock: bool = False
) -> Conversation:
    """The conversation if the user's mailboxes hold it; Http404 otherwise.

    With lock=True the caller must be inside transaction.atomic().
    """
    try:
        conversation_id = int(conversation_id)
    except (TypeError, ValueError):
        raise Http404("No such conversation") from None
    queryset = Conversation.objects.filter(mailbox_id__in=mailbox_ids_for(user))
    if lock:
        queryset = queryset.select_for_update()
    else:
        queryset = queryset.select_related(
            "customer", "assignee", "mailbox"
        ).prefetch_related(current_labels_prefetch())
    try:
        return queryset.get(pk=conversation_id)
    except Conversation.DoesNotExist:
        raise Http404("No such conversation") from None


def get_customer_for(user: Any, customer_id: Any) -> Customer:
    """A customer who has written to one of the user's mailboxes."""
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        raise Http404("No such customer") from None
    customer = (
        Customer.objects.filter(
            pk=customer_id, conversations__mailbox_id__in=mailbox_ids_for(user)
        )
        .distinct()
        .first()
    )
    if customer is None:
        raise Http404("No such customer")
    return customer


def customers_for(user: Any) -> QuerySet[Customer]:
    visible = Conversation.objects.filter(mailbox_id__in=mailbox_ids_for(user)).values(
        "customer_id"
    )
    return Customer.objects.filter(id__in=visible)


def labels() -> QuerySet[Label]:
    return Label.objects.order_by("name")


@dataclass(frozen=True)
class InboxPage:
    rows: list[Conversation]
    next_cursor: str | None


def _encode_cursor(conversation: Conversation) -> str:
    return f"{conversation.last_activity_at.isoformat()}_{conversation.pk}"


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        stamp, _, pk = cursor.rpartition("_")
        return datetime.fromisoformat(stamp), int(pk)
    except ValueError:
        return None


def conversations_for_inbox(
    user: Any,
    *,
    mailbox_id: int | None = None,
    status: str | None = Conversation.Status.OPEN,
    after: str | None = None,
    page_size: int = 25,
) -> InboxPage:
    """One keyset page, newest activity first (no OFFSET: page 50 costs what page 1 does)."""
    queryset = conversations_for(user)
    if mailbox_id is not None:
        queryset = queryset.filter(mailbox_id=mailbox_id)
    if status:
        queryset = queryset.filter(status=status)
    cursor = _decode_cursor(after) if after else None
    if cursor:
        stamp, pk = cursor
        queryset = queryset.filter(
            Q(last_activity_at__lt=stamp) | Q(last_activity_at=stamp, pk__lt=pk)
        )
    rows = list(queryset.order_by("-last_activity_at", "-id")[: page_size + 1])
    next_cursor = _encode_cursor(rows[page_size - 1]) if len(rows) > page_size else None
    return InboxPage(rows=rows[:page_size], next_cursor=next_cursor)


@dataclass(frozen=True)
class ThreadItem:
    """A message or timeline event, for the conversation page's single time-ordered list."""

    kind: str
    at: datetime
    obj: Any


def thread_for(conversation: Conversation) -> list[ThreadItem]:
    """Messages (with attachments and authors) and events, oldest first, in two queries."""
    messages = (
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related("attachments")
        .defer("search_vector")
    )
    events = (
        Event.objects.filter(conversation=conversation)
        .select_related("actor")
        .exclude(kind="message_added")
    )
    items = [ThreadItem("message", m.created_at, m) for m in messages]
    items += [ThreadItem("event", e.created_at, e) for e in events]
    items.sort(key=lambda item: item.at)
    return items
