"""Reads and access checks. Every id-taking selector takes the user.

Anything outside the user's mailboxes is a 404, whether it exists or not, so ids
reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
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

from inbox.errors import InvalidCursor, NotAMember
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


def ensure_member(user: Any, mailbox_id: int) -> None:
    """The one membership policy for writes: members of the mailbox may act, and
    `None` stands for the system (workers, the pipeline). Everyone else, staff
    and superusers included, gets NotAMember (403).

    Reads use the same membership through `mailbox_ids_for` and answer 404.
    """
    if user is not None and not is_member(user, mailbox_id):
        raise NotAMember("You are not a member of this mailbox")


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
    previous_cursor: str | None = None
    search: Any = None  # inbox.search.SearchResults when the page is a search


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
    "sentiment_first",
    "sentiment_last",
    # The rest of what the API list shows, so no row loads a deferred field.
    "message_count",
    "snoozed_until",
    "created_at",
    "first_response_at",
    "resolved_at",
    "reopen_count",
    "next_update_at",
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


def _decode_cursor(cursor: str, *, field: str) -> tuple[datetime, int] | None:
    """A `next`/`previous` cursor back into its keyset position; "" is page one."""
    if not cursor:
        return None
    try:
        stamp, _, pk = cursor.rpartition("_")
        return datetime.fromisoformat(stamp.replace(" ", "+")), int(pk)
    except ValueError:
        raise InvalidCursor(
            "This page link is not valid; start again from the first page.",
            field=field,
        ) from None


def filter_conversations(
    queryset: QuerySet[Conversation],
    user: Any,
    *,
    mailbox_id: int | None = None,
    status: str | None = None,
    assignee: str | None = None,
    label: int | str | None = None,
) -> QuerySet[Conversation]:
    """The inbox filters, shared by the keyset list and search.

    `assignee` is "me", "none" or a user id; `label` a label id or name (any
    case; digits are an id). Unknown values match nothing rather than everything.
    """
    if mailbox_id is not None:
        queryset = queryset.filter(mailbox_id=mailbox_id)
    if status:
        queryset = queryset.filter(status=status)
    if assignee == "me":
        queryset = queryset.filter(assignee_id=user.pk)
    elif assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee:
        queryset = queryset.filter(
            assignee_id=int(assignee) if str(assignee).isdigit() else None
        )
    if label not in (None, ""):
        text = str(label).strip()
        by_label = (
            Q(label_id=int(text)) if text.isdigit() else Q(label__name__iexact=text)
        )
        queryset = queryset.filter(
            Exists(
                ConversationLabel.objects.filter(
                    by_label, conversation_id=OuterRef("pk"), removed_at__isnull=True
                )
            )
        )
    return queryset


def conversations_for_inbox(
    user: Any,
    *,
    mailbox_id: int | None = None,
    status: str | None = Conversation.Status.OPEN,
    assignee: str | None = None,
    label: int | str | None = None,
    query: str = "",
    sort: str = SORT_NEWEST,
    after: str | None = None,
    before: str | None = None,
    page_size: int = 25,
) -> InboxPage:
    """One page of the inbox list: the page, the API and `bench web` all call this.

    Without a `query` it is a keyset page (no OFFSET: page 50 costs what page 1
    does): `after` walks to older rows (newer with sort=oldest), `before` back.
    Both orders walk conversation_inbox_idx forwards or backwards. With a
    `query` it is the newest matches (inbox.search), narrowed by the filters,
    on one page.
    """
    if query.strip():
        from inbox import search  # search builds on these selectors

        results = search.search_conversations(
            user,
            query,
            limit=page_size,
            filters={
                "mailbox_id": mailbox_id,
                "status": status,
                "assignee": assignee,
                "label": label,
            },
        )
        return InboxPage(rows=results.conversations, next_cursor=None, search=results)
    queryset = filter_conversations(
        conversations_for(user),
        user,
        mailbox_id=mailbox_id,
        status=status,
        assignee=assignee,
        label=label,
    )
    oldest_first = sort == SORT_OLDEST
    backwards = before is not None and after is None
    cursor = (
        _decode_cursor(before, field="before")
        if backwards
        else _decode_cursor(after or "", field="after")
    )
    # Walking back reverses the order, then the rows are put the right way round.
    ascending = oldest_first != backwards
    if cursor:
        stamp, pk = cursor
        if ascending:
            queryset = queryset.filter(
                Q(last_activity_at__gt=stamp) | Q(last_activity_at=stamp, pk__gt=pk)
            )
        else:
            queryset = queryset.filter(
                Q(last_activity_at__lt=stamp) | Q(last_activity_at=stamp, pk__lt=pk)
            )
    order = ("last_activity_at", "id") if ascending else ("-last_activity_at", "-id")
    rows = list(
        queryset.select_related(None)
        .select_related("customer", "assignee")
        .only(*LIST_ROW_FIELDS)
        .order_by(*order)[: page_size + 1]
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
        return InboxPage(
            rows=rows,
            next_cursor=_encode_cursor(rows[-1]) if rows else None,
            previous_cursor=_encode_cursor(rows[0]) if more else None,
        )
    return InboxPage(
        rows=rows,
        next_cursor=_encode_cursor(rows[-1]) if more else None,
        previous_cursor=_encode_cursor(rows[0]) if cursor and rows else None,
    )


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


def count_for_inbox(
    user: Any,
    *,
    mailbox_id: int | None = None,
    status: str | None = None,
    assignee: str | None = None,
    label: int | str | None = None,
) -> int:
    """How many conversations a list with these filters holds, never an uncached
    count(*) per request: the folders come from folder_counts, anything else is
    counted once and cached as briefly."""
    folder = {
        (Conversation.Status.OPEN, ""): "open",
        (Conversation.Status.PENDING, ""): "pending",
        (Conversation.Status.SNOOZED, ""): "snoozed",
        (Conversation.Status.OPEN, "me"): "mine",
        (Conversation.Status.OPEN, "none"): "unassigned",
    }.get((status or "", assignee or ""))
    if folder and label in (None, ""):
        return folder_counts(user, mailbox_id=mailbox_id)[folder]
    filters = (mailbox_id, status or "", assignee or "", str(label or "").lower())
    key = f"inbox-count:{user.pk}:{':'.join(map(str, filters))}"
    count = cache.get(key)
    if count is None:
        count = filter_conversations(
            Conversation.objects.filter(mailbox_id__in=mailbox_ids_for(user)),
            user,
            mailbox_id=mailbox_id,
            status=status,
            assignee=assignee,
            label=label,
        ).count()
        cache.set(key, count, FOLDER_COUNT_SECONDS)
    return count


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
    """One row of a conversation's timeline (a message, an event, a note), as
    the page and the API list it."""

    kind: str
    at: datetime
    obj: Any


@dataclass(frozen=True)
class TimelineSource:
    """Rows another app adds to every conversation's timeline (notes, for one)."""

    kind: str
    items: Callable[[Conversation], list[Any]]  # each with .created_at
    as_dict: Callable[[Any], dict[str, Any]]  # the API's representation


_timeline_sources: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    """Called from the owning app's AppConfig.ready(); inbox never imports it."""
    _timeline_sources[source.kind] = source


def timeline_source(kind: str) -> TimelineSource:
    return _timeline_sources[kind]


def thread_for(
    conversation: Conversation, *, full_text: bool = False
) -> list[ThreadItem]:
    """The conversation's timeline, oldest first: messages (with attachments and
    authors), events, and the rows of every registered TimelineSource (notes).

    The page and the API both read this. A fixed number of queries whatever
    the thread length: messages, attachments (only if any), events, and each
    source's own. Messages carry their full `text` (quoted history included)
    only with `full_text`; the page shows `visible_text`.
    """
    deferred = ["search_vector", "raw_email", "references"]
    if not full_text:
        deferred.append("text")
    messages = list(
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .annotate(
            has_attachments=Exists(Attachment.objects.filter(message_id=OuterRef("pk")))
        )
        .defer(*deferred)
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
        .exclude(kind=Event.Kind.MESSAGE_ADDED)
    )
    items = [ThreadItem("message", m.created_at, m) for m in messages]
    items += [ThreadItem("event", e.created_at, e) for e in events]
    for source in _timeline_sources.values():
        items += [
            ThreadItem(source.kind, row.created_at, row)
            for row in source.items(conversation)
        ]
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
