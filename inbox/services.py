"""Writes to the inbox. Each service locks the conversation row, records a timeline
event, and returns the fresh conversation."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from inbox import events, hooks
from inbox.errors import (
    InvalidAssignee,
    InvalidSnooze,
    MoveConflict,
    UnknownLabel,
    UnknownStatus,
    UnsafeHeaderValue,
)
from inbox.models import (
    Conversation,
    ConversationLabel,
    Customer,
    Label,
    Mailbox,
    Message,
    Sequence,
)
from inbox.selectors import ensure_member, is_member
from inbox.sentiment import score_customer_message

SNIPPET_LENGTH = 200


def guess_first_name(name: str) -> str:
    """'Dana Scully' → 'Dana'; 'Scully, Dana' → 'Dana'; an address or blank → ''."""
    name = name.strip().strip('"')
    if not name or "@" in name:
        return ""
    if "," in name:
        name = name.split(",", 1)[1].strip()
    first = name.split()[0] if name.split() else ""
    return first if any(ch.isalpha() for ch in first) else ""


def check_header_value(value: str, *, field: str) -> str:
    """Refuse CR/LF (header injection) in anything that becomes an email header."""
    if "\r" in value or "\n" in value:
        raise UnsafeHeaderValue(f"{field} must be a single line", field=field)
    return value


def get_or_create_customer(email: str, *, name: str = "") -> Customer:
    """The customer with this address (case-insensitive), created on first contact.

    A name learnt later fills a blank one but never overwrites what an agent typed.
    """
    email = email.strip()
    # lower(email) = lower(?) uses the customer_email_ci_unique index; iexact's
    # UPPER() would scan the table on every inbound email.
    same_email = Customer.objects.alias(email_lower=Lower("email")).filter(
        email_lower=email.lower()
    )
    customer = same_email.first()
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(
                    email=email, name=name.strip(), first_name=guess_first_name(name)
                )
        except IntegrityError:  # created concurrently: the unique index decided
            customer = same_email.get()
    if name.strip() and not customer.name:
        customer.name = name.strip()
        customer.first_name = customer.first_name or guess_first_name(name)
        customer.save(update_fields=["name", "first_name"])
    return customer


def next_value(name: str) -> int:
    """Advance a named counter in one statement; the row lock it takes serialises
    concurrent callers until their transaction ends."""
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, value) VALUES (%s, 1) "  # noqa: S608 - table name from the model
            f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [name],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def create_conversation(
    *,
    mailbox: Mailbox,
    customer: Customer,
    subject: str,
    by: Any = None,
    at: datetime | None = None,
) -> Conversation:
    ensure_member(by, mailbox.pk)
    now = at or timezone.now()
    conversation = Conversation.objects.create(
        number=next_value("conversation_number"),
        mailbox=mailbox,
        customer=customer,
        subject=subject.strip()[:998],
        last_activity_at=now,
    )
    if at is not None:
        Conversation.objects.filter(pk=conversation.pk).update(created_at=at)
        conversation.created_at = at
    events.conversation_created(conversation, actor=by, at=now)
    return conversation


def _lock(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


@transaction.atomic
def append_message(
    conversation: Conversation,
    *,
    kind: str,
    from_email: str,
    text: str = "",
    author: Any = None,
    at: datetime | None = None,
    **fields: Any,
) -> Message:
    """Add a message to the thread and keep the conversation's counters in step.

    Inbound mail is scored for sentiment and reopens a resolved, pending or snoozed
    conversation; the first agent reply stamps first_response_at. Publishes
    hooks.MESSAGE_ADDED, so subscribers run after commit.
    """
    inbound = kind == Message.Kind.INBOUND
    if inbound:
        # Scored before the row lock is taken: VADER costs milliseconds.
        sentiment = score_customer_message(text)
        fields["sentiment"], fields["sentiment_label"] = (
            sentiment.score,
            sentiment.label,
        )
    conversation = _lock(conversation)
    now = at or timezone.now()
    fields.setdefault("visible_text", text)
    fields.setdefault("subject", conversation.subject)
    if not fields.get("message_id"):
        fields["message_id"] = _make_message_id(conversation.mailbox.domain)
    message = Message.objects.create(
        conversation=conversation,
        mailbox_id=conversation.mailbox_id,
        kind=kind,
        from_email=from_email,
        text=text,
        author=author,
        created_at=now,
        **fields,
    )
    conversation.message_count += 1
    conversation.last_activity_at = max(conversation.last_activity_at, now)
    conversation.snippet = " ".join(message.visible_text.split())[:SNIPPET_LENGTH]
    changed = ["message_count", "last_activity_at", "snippet", "updated_at"]
    if inbound:
        conversation.last_customer_message_at = now
        if message.sentiment is not None:
            if conversation.sentiment_first is None:
                conversation.sentiment_first = message.sentiment
            conversation.sentiment_last = message.sentiment
        changed += ["last_customer_message_at", "sentiment_first", "sentiment_last"]
        if (
            conversation.status != Conversation.Status.OPEN
            and not message.auto_submitted
        ):
            changed += _reopen(conversation, at=now)
    elif (
        kind == Message.Kind.REPLY
        and author is not None
        and conversation.first_response_at is None
    ):
        conversation.first_response_at = now
        changed.append("first_response_at")
    conversation.save(update_fields=changed)
    events.message_added(
        conversation, message_id=message.pk, kind=kind, actor=author, at=now
    )
    hooks.publish(
        hooks.MESSAGE_ADDED,
        message_id=message.pk,
        conversation_id=conversation.pk,
        kind=kind,
    )
    return message


def _reopen(conversation: Conversation, *, at: datetime) -> list[str]:
    """A customer wrote again: the conversation needs attention. Returns changed fields."""
    old = conversation.status
    if old == Conversation.Status.RESOLVED:
        conversation.reopen_count += 1
        events.conversation_reopened(conversation, at=at)
    else:
        events.status_changed(
            conversation, actor=None, old=old, new=Conversation.Status.OPEN, at=at
        )
    conversation.status = Conversation.Status.OPEN
    conversation.snoozed_until = None
    conversation.resolved_at = None
    return ["status", "snoozed_until", "reopen_count", "resolved_at"]


def _make_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def assignee_from(value: Any, *, by: Any) -> Any:
    """The user an assign action names: a user, a user id (int or digits), "me"
    (the actor), or None / "" / "none" for nobody. Anything else is
    InvalidAssignee; membership is checked by `assign`.
    """
    if value is None or value in ("", "none"):
        return None
    if value == "me":
        return by
    if isinstance(value, get_user_model()):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        user = get_user_model().objects.filter(pk=int(value)).first()
        if user is not None:
            return user
    raise InvalidAssignee("Choose a member of this mailbox to assign to")


@transaction.atomic
def assign(conversation: Conversation, *, to: Any, by: Any) -> Conversation:
    """Assign to a member of the mailbox, or unassign.

    `to` is anything `assignee_from` reads, so the page, the API and bulk
    actions give the same answer for the same input: an unknown user and a
    non-member are both InvalidAssignee. Publishes hooks.CONVERSATION_ASSIGNED.
    """
    to = assignee_from(to, by=by)
    conversation = _lock(conversation)
    ensure_member(by, conversation.mailbox_id)
    if to is not None and not is_member(to, conversation.mailbox_id):
        raise InvalidAssignee("Choose a member of this mailbox to assign to")
    if conversation.assignee_id == (to.pk if to else None):
        return conversation
    conversation.assignee = to
    conversation.save(update_fields=["assignee", "updated_at"])
    events.conversation_assigned(conversation, actor=by, assignee=to)
    hooks.publish(
        hooks.CONVERSATION_ASSIGNED,
        conversation_id=conversation.pk,
        actor_id=by.pk if by else None,
        assignee_id=to.pk if to else None,
    )
    return conversation


@transaction.atomic
def change_status(conversation: Conversation, *, status: str, by: Any) -> Conversation:
    """Open, pending or resolved; snoozing has its own service because it needs a time."""
    conversation = _lock(conversation)
    ensure_member(by, conversation.mailbox_id)
    if status not in {
        Conversation.Status.OPEN,
        Conversation.Status.PENDING,
        Conversation.Status.RESOLVED,
    }:
        raise UnknownStatus(f"Cannot change status to {status!r}")
    old = conversation.status
    if old == status:
        return conversation
    conversation.status = status
    conversation.snoozed_until = None
    if status == Conversation.Status.RESOLVED:
        conversation.resolved_at = timezone.now()
    elif old == Conversation.Status.RESOLVED:
        # A reopen ends the resolution: the next resolve starts a new one.
        conversation.reopen_count += 1
        conversation.resolved_at = None
    conversation.save(
        update_fields=[
            "status",
            "snoozed_until",
            "resolved_at",
            "reopen_count",
            "updated_at",
        ]
    )
    events.status_changed(conversation, actor=by, old=old, new=status)
    hooks.publish(
        hooks.STATUS_CHANGED,
        conversation_id=conversation.pk,
        actor_id=by.pk if by else None,
        old=old,
        new=status,
    )
    return conversation


@transaction.atomic
def snooze(conversation: Conversation, *, until: datetime, by: Any) -> Conversation:
    conversation = _lock(conversation)
    ensure_member(by, conversation.mailbox_id)
    if until <= timezone.now():
        raise InvalidSnooze("Snooze time must be in the future")
    conversation.status = Conversation.Status.SNOOZED
    conversation.snoozed_until = until
    conversation.save(update_fields=["status", "snoozed_until", "updated_at"])
    events.conversation_snoozed(conversation, actor=by, until=until.isoformat())
    return conversation


@transaction.atomic
def unsnooze(conversation: Conversation, *, by: Any = None) -> Conversation:
    conversation = _lock(conversation)
    ensure_member(by, conversation.mailbox_id)
    if conversation.status != Conversation.Status.SNOOZED:
        return conversation
    conversation.status = Conversation.Status.OPEN
    conversation.snoozed_until = None
    conversation.save(update_fields=["status", "snoozed_until", "updated_at"])
    events.conversation_unsnoozed(conversation, actor=by)
    return conversation


def wake_snoozed_conversations(*, now: datetime | None = None) -> int:
    """Reopen every snoozed conversation whose time has come; returns how many."""
    due = Conversation.objects.filter(
        status=Conversation.Status.SNOOZED, snoozed_until__lte=now or timezone.now()
    ).values_list("pk", flat=True)
    woken = 0
    for pk in list(due[:500]):
        unsnooze(Conversation(pk=pk))
        woken += 1
    return woken


def _label_key(value: Any) -> int | str:
    """A label's id, or its lower-cased name; digits are always read as an id."""
    if isinstance(value, Label):
        return value.pk
    text = str(value).strip()
    return int(text) if text.isdigit() else text.lower()


def labels_from(values: Iterable[Any]) -> list[Label]:
    """Labels named by Label objects, ids (int or digits) or names (any case).

    One query for the lot; UnknownLabel lists every value that names nothing.
    """
    values = list(values)
    keys = [_label_key(value) for value in values]
    if "" in keys:
        raise UnknownLabel("Choose a label")
    ids = [key for key in keys if isinstance(key, int)]
    names = [key for key in keys if isinstance(key, str)]
    found: dict[int | str, Label] = {}
    if keys:
        for label in Label.objects.alias(name_lower=Lower("name")).filter(
            Q(pk__in=ids) | Q(name_lower__in=names)
        ):
            found[label.pk] = found[label.name.lower()] = label
    unknown = [
        str(value) for value, key in zip(values, keys, strict=True) if key not in found
    ]
    if unknown:
        raise UnknownLabel(f"No such label: {', '.join(unknown)}")
    return list({found[key].pk: found[key] for key in keys}.values())


@transaction.atomic
def change_labels(
    conversation: Conversation,
    *,
    add: Iterable[Any] = (),
    remove: Iterable[Any] = (),
    by: Any,
) -> Conversation:
    """Apply and remove labels in one transaction: all of it or nothing.

    Labels may be given as objects, ids or names (see `labels_from`). Applying
    a label already in force, or removing one that is not, changes nothing.
    History rows keep when each label was applied and removed, by whom.
    """
    to_add, to_remove = labels_from(add), labels_from(remove)
    conversation = _lock(conversation)
    ensure_member(by, conversation.mailbox_id)
    now = timezone.now()
    in_force = set(
        ConversationLabel.objects.filter(
            conversation=conversation, removed_at__isnull=True
        ).values_list("label_id", flat=True)
    )
    actor = by if getattr(by, "pk", None) else None
    for label in to_add:
        if label.pk in in_force:
            continue
        ConversationLabel.objects.create(
            conversation=conversation, label=label, applied_at=now, applied_by=actor
        )
        in_force.add(label.pk)
        events.label_added(conversation, actor=by, label=label.name)
    for label in to_remove:
        if label.pk not in in_force:
            continue
        ConversationLabel.objects.filter(
            conversation=conversation, label=label, removed_at__isnull=True
        ).update(removed_at=now, removed_by=actor)
        in_force.discard(label.pk)
        events.label_removed(conversation, actor=by, label=label.name)
    return conversation


@transaction.atomic
def move_to_mailbox(
    conversation: Conversation, *, mailbox: Mailbox, by: Any
) -> Conversation:
    """Move a conversation (and its messages) to another mailbox.

    `by` must belong to both mailboxes. The assignee is dropped when they are not
    a member of the new mailbox. Caller need not hold the lock; this takes it.
    """
    conversation = _lock(conversation)
    ensure_member(by, conversation.mailbox_id)
    ensure_member(by, mailbox.pk)
    if conversation.mailbox_id == mailbox.pk:
        return conversation
    old = conversation.mailbox
    conversation.mailbox = mailbox
    changed = ["mailbox", "updated_at"]
    if conversation.assignee_id and not is_member(conversation.assignee, mailbox.pk):
        conversation.assignee = None
        changed.append("assignee")
    # Message-IDs are unique per mailbox; the same one in both means the customer
    # wrote to both addresses, and moving would merge two copies of one email.
    clash = Message.objects.filter(
        mailbox=mailbox,
        message_id__in=Message.objects.filter(conversation=conversation).values(
            "message_id"
        ),
    ).exists()
    if clash:
        raise MoveConflict(
            "The other mailbox already holds one of these messages", field="mailbox"
        )
    conversation.save(update_fields=changed)
    Message.objects.filter(conversation=conversation).update(mailbox=mailbox)
    events.conversation_moved(conversation, actor=by, old=old.name, new=mailbox.name)
    return conversation
