"""Reads and access checks. Every id-taking selector takes the user.

Anything outside the user's mailboxes is a 404, whether it exists or not, so ids
reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.http import Http404

from inbox.models import (
    Attachment,
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


def member_mailboxes(user: Any) -> list[Mailbox]:
    """The user's mailboxes by name in one query, priming mailbox_ids_for."""
    if not user.is_authenticated:
        return []
    mailboxes = list(Mailbox.objects.filter(memberships__user=user).order_by("name"))
    if getattr(user, "_replypad_mailbox_ids", None) is None:
        user._replypad_mailbox_ids = sorted(m.pk for m in mailboxes)
    return mailboxes


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
    if not user.is_authenticated:
        raise Http404("No such conversation")
    # A subquery unless the user's mailbox ids are already known: the access
    # check then costs no query of its own.
    known = getattr(user, "_replypad_mailbox_ids", None)
    mailboxes = (
        known
        if known is not None
        else Membership.objects.filter(user=user).values("mailbox_id")
    )
    queryset = Conversation.objects.filter(mailbox_id__in=mailboxes)
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


SORT_NEWEST, SORT_OLDEST = "newest", "oldest"
# What a list row shows; loading only these keeps model building cheap (the
# customer's attributes JSON and the mailbox's texts stay in the database).
LIST_ROW_FIELDS = (
    "id",
    "number",
    "subject",
    "status",
    "snippet",
    "mailbox_id",
    "last_activity_at",
    "last_customer_message_at",
    "sentiment_last",
    "customer__id",
    "customer__name",
    "customer__email",
    "assignee__id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)
SORTS = {SORT_NEWEST: "Newest activity", SORT_OLDEST: "Waiting longest"}


def _encode_cursor(conversation: Conversation) -> str:
    return f"{conversation.last_activity_at.isoformat()}_{conversation.pk}"


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        stamp, _, pk = cursor.rpartition("_")
        return datetime.fromisoformat(stamp.replace(" ", "+")), int(pk)
    except ValueError:
        return None


def conversations_for_inbox(
    user: Any,
    *,
    mailbox_id: int | None = None,
    status: str | None = Conversation.Status.OPEN,
    after: str | None = None,
    page_size: int = 25,
    assignee: str | None = None,
    label_id: int | None = None,
    sort: str = SORT_NEWEST,
) -> InboxPage:
    """One keyset page (no OFFSET: page 50 costs what page 1 does).

    `assignee` is "me", "none" or a user id; `sort` is newest activity first or
    waiting longest first. Both orders walk conversation_inbox_idx (forwards or
    backwards), so the page, the API and `bench web` run the same SQL.
    """
    queryset = conversations_for(user)
    if mailbox_id is not None:
        queryset = queryset.filter(mailbox_id=mailbox_id)
    if status:
        queryset = queryset.filter(status=status)
    if assignee == "me":
        queryset = queryset.filter(assignee_id=user.pk)
    elif assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee and assignee.isdigit():
        queryset = queryset.filter(assignee_id=int(assignee))
    if label_id is not None:
        queryset = queryset.filter(
            Exists(
                ConversationLabel.objects.filter(
                    conversation_id=OuterRef("pk"),
                    label_id=label_id,
                    removed_at__isnull=True,
                )
            )
        )
    oldest_first = sort == SORT_OLDEST
    cursor = _decode_cursor(after) if after else None
    if cursor:
        stamp, pk = cursor
        if oldest_first:
            queryset = queryset.filter(
                Q(last_activity_at__gt=stamp) | Q(last_activity_at=stamp, pk__gt=pk)
            )
        else:
            queryset = queryset.filter(
                Q(last_activity_at__lt=stamp) | Q(last_activity_at=stamp, pk__lt=pk)
            )
    order = ("last_activity_at", "id") if oldest_first else ("-last_activity_at", "-id")
    rows = list(
        queryset.select_related(None)
        .select_related("customer", "assignee")
        .only(*LIST_ROW_FIELDS)
        .order_by(*order)[: page_size + 1]
    )
    next_cursor = _encode_cursor(rows[page_size - 1]) if len(rows) > page_size else None
    return InboxPage(rows=rows[:page_size], next_cursor=next_cursor)


FOLDER_COUNT_SECONDS = 20


def folder_counts(user: Any, *, mailbox_id: int | None = None) -> dict[str, int]:
    """Conversations per folder (open, pending, snoozed, mine, unassigned).

    One grouped query, cached for FOLDER_COUNT_SECONDS per user and mailbox, so a
    page view never pays for six count(*). Resolved is left uncounted: it is the
    largest folder and nobody works it down to zero.
    """
    mailbox_ids = mailbox_ids_for(user)
    if mailbox_id is not None:
        mailbox_ids = [m for m in mailbox_ids if m == int(mailbox_id)]
    key = f"folder-counts:{user.pk}:{','.join(map(str, mailbox_ids))}"
    counts = cache.get(key)
    if counts is None:
        active = [
            Conversation.Status.OPEN,
            Conversation.Status.PENDING,
            Conversation.Status.SNOOZED,
        ]
        open_ = Q(status=Conversation.Status.OPEN)
        counts = Conversation.objects.filter(
            mailbox_id__in=mailbox_ids, status__in=active
        ).aggregate(
            open=Count("id", filter=open_),
            pending=Count("id", filter=Q(status=Conversation.Status.PENDING)),
            snoozed=Count("id", filter=Q(status=Conversation.Status.SNOOZED)),
            mine=Count("id", filter=open_ & Q(assignee_id=user.pk)),
            unassigned=Count("id", filter=open_ & Q(assignee__isnull=True)),
        )
        cache.set(key, counts, FOLDER_COUNT_SECONDS)
    return counts


def forget_folder_counts(user: Any) -> None:
    """Drop the user's cached counts after they changed something themselves."""
    mailbox_ids = mailbox_ids_for(user)
    keys = [f"folder-counts:{user.pk}:{','.join(map(str, mailbox_ids))}"]
    keys += [f"folder-counts:{user.pk}:{m}" for m in mailbox_ids]
    cache.delete_many(keys)


def other_conversations_of(
    conversation: Conversation, *, user: Any, limit: int = 5
) -> list[Conversation]:
    """The customer's other conversations the user may see, newest first."""
    return list(
        Conversation.objects.filter(
            customer_id=conversation.customer_id,
            mailbox_id__in=mailbox_ids_for(user),
        )
        .exclude(pk=conversation.pk)
        .only("id", "number", "subject", "status", "last_activity_at")
        .order_by("-last_activity_at")[:limit]
    )


def get_attachment_for(user: Any, attachment_id: Any) -> Attachment:
    """An attachment on a message in one of the user's mailboxes; Http404 otherwise."""
    try:
        attachment_id = int(attachment_id)
    except (TypeError, ValueError):
        raise Http404("No such attachment") from None
    attachment = (
        Attachment.objects.filter(
            pk=attachment_id, message__mailbox_id__in=mailbox_ids_for(user)
        )
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment")
    return attachment


def get_message_for(user: Any, message_id: Any) -> Message:
    """A message in one of the user's mailboxes; Http404 otherwise."""
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        raise Http404("No such message") from None
    message = (
        Message.objects.filter(pk=message_id, mailbox_id__in=mailbox_ids_for(user))
        .defer("search_vector")
        .first()
    )
    if message is None:
        raise Http404("No such message")
    return message


@dataclass(frozen=True)
class ThreadItem:
    """A message or timeline event, for the conversation page's single time-ordered list."""

    kind: str
    at: datetime
    obj: Any


def thread_notes_hook(conversation: Conversation) -> list[ThreadItem]:
    """Internal notes for the thread, when the notes app provides
    `notes.selectors.notes_for(conversation)`; rendered by "notes/_note.html".

    This is the one place the thread learns about notes; without the notes app
    it adds nothing.
    """
    try:
        from notes.selectors import notes_for
    except ImportError:
        return []
    return [
        ThreadItem("note", note.created_at, note) for note in notes_for(conversation)
    ]


def thread_for(conversation: Conversation) -> list[ThreadItem]:
    """Messages (with attachments and authors), events and notes, oldest first.

    A fixed number of queries whatever the thread length: messages, attachments
    (only if any), events, and the notes hook.
    """
    messages = list(
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .annotate(
            has_attachments=Exists(Attachment.objects.filter(message_id=OuterRef("pk")))
        )
        .defer("search_vector", "text", "raw_email", "references")
    )
    # Most threads carry no attachment: ask for them only when one exists.
    with_files = [m for m in messages if m.has_attachments]
    prefetch_related_objects(with_files, "attachments")
    for message in messages:
        if not message.has_attachments:
            message._prefetched_objects_cache = {
                "attachments": Attachment.objects.none()
            }
    events = (
        Event.objects.filter(conversation=conversation)
        .select_related("actor")
        .exclude(kind="message_added")
    )
    items = [ThreadItem("message", m.created_at, m) for m in messages]
    items += [ThreadItem("event", e.created_at, e) for e in events]
    items += thread_notes_hook(conversation)
    items.sort(key=lambda item: item.at)
    return items


def picker_options(mailbox_ids: list[int]) -> dict[str, list]:
    """Members of the mailboxes (for assigning) and all labels, cached a minute.

    Callers pass mailbox ids they have already checked the user belongs to.
    Members and labels change rarely, and the services re-check membership on
    every write, so a stale list can offer a choice but never let a wrong one
    through.
    """
    mailbox_ids = sorted(mailbox_ids)
    key = f"picker-options:{','.join(map(str, mailbox_ids))}"
    options = cache.get(key)
    if options is None:
        options = _load_picker_options(mailbox_ids)
        cache.set(key, options, 60)
    return options


def _load_picker_options(mailbox_ids: list[int]) -> dict[str, list]:
    """Members and labels in one round trip (UNION ALL), sorted for display."""
    text = CharField()
    # Neither side may carry an ORDER BY (Label.Meta.ordering): SQLite refuses
    # one inside a compound statement.
    members = (
        Membership.objects.filter(mailbox_id__in=mailbox_ids)
        .order_by()
        .values_list(
            Value("member", output_field=text),
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__username",
        )
    )
    all_labels = Label.objects.order_by().values_list(
        Value("label", output_field=text),
        "id",
        "name",
        "colour",
        Value("", output_field=text),
    )
    seen: set[int] = set()
    options: dict[str, list] = {"members": [], "labels": []}
    for kind, pk, first, second, third in members.union(all_labels, all=True):
        if kind == "label":
            options["labels"].append({"id": pk, "name": first, "colour": second})
        elif pk not in seen:
            seen.add(pk)
            name = f"{first} {second}".strip() or third
            options["members"].append({"id": pk, "name": name})
    options["members"].sort(key=lambda m: m["name"].lower())
    options["labels"].sort(key=lambda label: label["name"])
    return options
