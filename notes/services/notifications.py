"""Who hears about what: in-app notifications, with email left to the digest."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from inbox.models import Conversation, Message
from notes import selectors
from notes.errors import UnknownEvent
from notes.models import Follower, Note, Notification, NotificationPreference
from replypad.errors import PermissionDeniedError

logger = logging.getLogger(__name__)
Verb = Notification.Verb
SNIPPET_LENGTH = 160
# Mail dated further back than this is history being imported, not news.
HISTORY_AGE = timedelta(days=1)


def _name(user: Any) -> str:
    if user is None or not getattr(user, "pk", None):
        return "Replypad"
    return user.get_full_name() or user.username


def notify_users(
    conversation: Conversation,
    user_ids: Iterable[int],
    *,
    verb: str,
    actor: Any,
    note: Note | None = None,
    message: Message | None = None,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Notify exactly these users (minus the actor and non-members) of one event.

    Rows whose recipient wants email for this event are marked pending; the digest
    task sends them. Runs inside the caller's transaction, so the notifications
    exist exactly when the change does.
    """
    actor_id = getattr(actor, "pk", None)
    candidates = sorted(set(user_ids) - {actor_id})
    recipients = selectors.member_ids(conversation.mailbox_id, candidates)
    if not recipients:
        return []
    addresses = dict(
        get_user_model()
        .objects.filter(pk__in=recipients, is_active=True)
        .values_list("pk", "email")
    )
    preferences = selectors.preferences_of(sorted(addresses), verb)
    now = timezone.now()
    payload = {"actor_name": _name(actor), **(data or {})}
    rows = [
        Notification(
            recipient_id=user_id,
            actor_id=actor_id,
            verb=verb,
            conversation_id=conversation.pk,
            note=note,
            message=message,
            data=payload,
            created_at=now,
            email_status=Notification.EmailStatus.PENDING
            if preferences[user_id].email and addresses[user_id]
            else Notification.EmailStatus.NONE,
        )
        for user_id in sorted(addresses)
    ]
    created = Notification.objects.bulk_create(rows)
    recipients_done = sorted(addresses)
    transaction.on_commit(lambda: selectors.forget_unread_counts(recipients_done))
    return created


def notify_followers(
    conversation: Conversation,
    *,
    verb: str,
    actor: Any,
    note: Note | None = None,
    message: Message | None = None,
    data: dict[str, Any] | None = None,
    also: Iterable[Any] = (),
    exclude: Iterable[int] = (),
) -> list[Notification]:
    """Notify the conversation's followers (plus the users in `also`) of one event.

    Never notifies the actor, anyone in `exclude` (user ids) or anyone who is no
    longer a member of the conversation's mailbox. Other apps call this from their
    services, inside their transaction (e.g. a post-mortem being published).
    """
    followers = set(
        Follower.objects.filter(conversation_id=conversation.pk).values_list(
            "user_id", flat=True
        )
    )
    followers |= {user.pk for user in also if user is not None}
    return notify_users(
        conversation,
        followers - set(exclude),
        verb=verb,
        actor=actor,
        note=note,
        message=message,
        data=data,
    )


def message_received(message_id: int) -> list[Notification]:
    """Followers hear of a new customer message; safe to call twice for one message.

    Imported history (messages dated more than HISTORY_AGE ago) notifies nobody.

    The first customer message of a conversation also applies everyone's
    "follow every new conversation" rule.
    """
    message = (
        Message.objects.select_related("conversation", "conversation__customer")
        .filter(pk=message_id, kind=Message.Kind.INBOUND)
        .first()
    )
    if message is None or message.created_at < timezone.now() - HISTORY_AGE:
        return []
    if Notification.objects.filter(message=message, verb=Verb.NEW_MESSAGE).exists():
        return []
    conversation = message.conversation
    with transaction.atomic():
        is_first = (
            not Message.objects.filter(
                conversation=conversation, kind=Message.Kind.INBOUND
            )
            .exclude(pk=message.pk)
            .exists()
        )
        if is_first:
            for user_id in selectors.auto_followers_of_new_conversations(
                conversation.mailbox_id
            ):
                Follower.objects.add(
                    conversation,
                    get_user_model()(pk=user_id),
                    reason=Follower.Reason.NEW_CONVERSATION,
                )
        customer = conversation.customer
        text = " ".join((message.visible_text or message.text).split())
        return notify_followers(
            conversation,
            verb=Verb.NEW_MESSAGE,
            actor=None,
            message=message,
            data={
                "customer_name": message.from_name or customer.name or customer.email,
                "snippet": text[:SNIPPET_LENGTH],
            },
        )


def conversation_assigned(
    conversation: Conversation, *, by: Any, assignee: Any
) -> list[Notification]:
    """The new assignee (if not the actor) and the followers hear of an assignment.

    The assignee becomes a follower when their auto-follow rule says so.
    Run by notes.tasks.conversation_assigned_task after the assignment commits.
    """
    if assignee is not None:
        preference = selectors.preferences_of([assignee.pk], Verb.ASSIGNED)[assignee.pk]
        if preference.auto_follow:
            Follower.objects.add(
                conversation, assignee, reason=Follower.Reason.ASSIGNED, by=by
            )
    return notify_followers(
        conversation,
        verb=Verb.ASSIGNED,
        actor=by,
        also=[assignee],
        data={
            "assignee": assignee.pk if assignee else None,
            "assignee_name": _name(assignee) if assignee else "",
        },
    )


def conversation_status_changed(
    conversation: Conversation, *, by: Any, old: str, new: str
) -> list[Notification]:
    """Followers hear that `by` moved the conversation from `old` to `new`.

    Run by notes.tasks.status_changed_task after the change commits.
    """
    return notify_followers(
        conversation,
        verb=Verb.STATUS_CHANGED,
        actor=by,
        data={"old": old, "new": new},
    )


def mark_read(notification: Notification, *, by: Any) -> Notification:
    """Mark one of `by`'s notifications read; reading twice keeps the first time."""
    if notification.recipient_id != by.pk:
        raise PermissionDeniedError("This notification belongs to someone else")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        transaction.on_commit(lambda: selectors.forget_unread_counts([by.pk]))
    return notification


def mark_all_read(user: Any) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    transaction.on_commit(lambda: selectors.forget_unread_counts([user.pk]))
    return marked


def set_preference(
    user: Any, *, event: str, email: bool, auto_follow: bool
) -> NotificationPreference:
    """Store the user's choice for one event (the mention auto-follow stays on)."""
    if event not in Verb.values:
        raise UnknownEvent(f"Unknown event {event!r}")
    if event not in selectors.CONFIGURABLE_AUTO_FOLLOW:
        auto_follow = selectors.DEFAULT_PREFERENCES[event].auto_follow
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, event=event, defaults={"email": email, "auto_follow": auto_follow}
    )
    return preference
