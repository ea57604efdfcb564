"""Reads and access checks for notes, followers and notifications.

Every id-taking selector takes the user; anything outside their mailboxes is 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from inbox.models import Conversation, Membership
from inbox.selectors import mailbox_ids_for
from notes.models import (
    Follower,
    Note,
    NoteAttachment,
    NoteMention,
    NoteRevision,
    Notification,
    NotificationPreference,
)

Verb = Notification.Verb
UNREAD_CAP = 99
# Cached unread counts are dropped on every change; the TTL only bounds staleness
# if a cache delete is ever lost.
UNREAD_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Preference:
    email: bool
    auto_follow: bool


# What a user gets before touching their settings: email only for what is
# addressed to them; follow what they are assigned, mentioned in or write on.
DEFAULT_PREFERENCES: dict[str, Preference] = {
    Verb.NEW_MESSAGE: Preference(email=False, auto_follow=False),
    Verb.ASSIGNED: Preference(email=True, auto_follow=True),
    Verb.MENTION: Preference(email=True, auto_follow=True),
    Verb.STATUS_CHANGED: Preference(email=False, auto_follow=False),
    Verb.NOTE_ADDED: Preference(email=False, auto_follow=True),
    Verb.REVIEW_REQUESTED: Preference(email=True, auto_follow=False),
    Verb.DRAFT_APPROVED: Preference(email=True, auto_follow=False),
    Verb.CHANGES_REQUESTED: Preference(email=True, auto_follow=False),
    Verb.DRAFT_COMMENT: Preference(email=False, auto_follow=False),
    Verb.DRAFT_HELD: Preference(email=True, auto_follow=False),
    Verb.MILESTONE_DUE: Preference(email=True, auto_follow=False),
}
# Events whose auto-follow rule a user may switch; a mention always follows.
CONFIGURABLE_AUTO_FOLLOW = frozenset({Verb.NEW_MESSAGE, Verb.ASSIGNED, Verb.NOTE_ADDED})


def _int_or_404(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}") from None


def _with_details(queryset: QuerySet[Note]) -> QuerySet[Note]:
    return queryset.select_related("author", "pinned_by").prefetch_related(
        Prefetch(
            "mentions",
            queryset=NoteMention.objects.select_related("user").order_by("id"),
        ),
        "attachments",
    )


def notes_for(conversation: Conversation) -> list[Note]:
    """A conversation's notes, oldest first, with authors, mentions and attachments.

    Three queries whatever the number of notes. Each note has `.created_at`, so a
    thread can interleave it with messages and events.
    """
    return list(
        _with_details(Note.objects.filter(conversation=conversation)).order_by(
            "created_at", "id"
        )
    )


def note_with_details(note_id: int) -> Note:
    """One note as notes_for gives it; the caller has already checked access."""
    return _with_details(Note.objects.all()).get(pk=note_id)


def pinned_notes_for(conversation: Conversation) -> list[Note]:
    """The conversation's pinned notes, most recently pinned first."""
    return list(
        Note.objects.filter(conversation=conversation, pinned_at__isnull=False)
        .select_related("author")
        .order_by("-pinned_at", "-id")
    )


def pinned_among(notes: list[Note]) -> list[Note]:
    """The pinned ones of already loaded notes, most recently pinned first."""
    pinned = [note for note in notes if note.pinned_at is not None]
    return sorted(pinned, key=lambda note: (note.pinned_at, note.pk), reverse=True)


def get_note_for(user: Any, note_id: Any, *, lock: bool = False) -> Note:
    """The note if its conversation is in the user's mailboxes; Http404 otherwise.

    With lock=True the caller must be inside transaction.atomic().
    """
    queryset = Note.objects.filter(
        conversation__mailbox_id__in=mailbox_ids_for(user)
    ).select_related("conversation", "author")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=_int_or_404(note_id, "note"))
    except Note.DoesNotExist:
        raise Http404("No such note") from None


def revisions_for(note: Note) -> list[NoteRevision]:
    """Earlier bodies of the note, oldest first; the caller has checked access."""
    return list(note.revisions.select_related("edited_by").order_by("created_at", "id"))


def get_note_attachment_for(user: Any, attachment_id: Any) -> NoteAttachment:
    """A note's attachment if the user may see the conversation; Http404 otherwise."""
    try:
        return NoteAttachment.objects.select_related("note").get(
            pk=_int_or_404(attachment_id, "attachment"),
            note__conversation__mailbox_id__in=mailbox_ids_for(user),
        )
    except NoteAttachment.DoesNotExist:
        raise Http404("No such attachment") from None


def followers_for(conversation: Conversation) -> list[Follower]:
    """Followers with their users, in the order they started following."""
    return list(
        Follower.objects.filter(conversation=conversation)
        .select_related("user")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class FollowerBox:
    """What the conversation sidebar shows about followers, for one viewer."""

    conversation: Conversation
    followers: list[Follower]
    is_following: bool
    addable: list[Any]


def follower_box(conversation: Conversation, user: Any) -> FollowerBox:
    """Followers, whether `user` is one, and the members who could be added (2 queries)."""
    followers = followers_for(conversation)
    following = {follower.user_id for follower in followers}
    addable = [
        member
        for member in mailbox_members(conversation.mailbox_id)
        if member.pk not in following
    ]
    return FollowerBox(conversation, followers, user.pk in following, addable)


def is_following(conversation: Conversation, user: Any) -> bool:
    """Whether the user follows the conversation (one indexed lookup)."""
    return Follower.objects.filter(conversation=conversation, user=user).exists()


def mailbox_members(mailbox_id: int) -> QuerySet[Any]:
    """Active members of a mailbox, by name: who may be mentioned or added."""
    return (
        get_user_model()
        .objects.filter(memberships__mailbox_id=mailbox_id, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def mention_candidates(
    conversation: Conversation, query: str, *, limit: int = 8
) -> list[Any]:
    """Members of the conversation's mailbox whose username or name starts with `query`."""
    query = query.strip().lstrip("@")
    members = mailbox_members(conversation.mailbox_id)
    if query:
        members = members.filter(
            Q(username__istartswith=query)
            | Q(first_name__istartswith=query)
            | Q(last_name__istartswith=query)
        )
    return list(members[:limit])


def users_by_username(names: list[str]) -> list[Any]:
    """Active users whose username matches one of `names`, case-insensitively."""
    if not names:
        return []
    condition = Q()
    for name in names:
        condition |= Q(username__iexact=name)
    return list(get_user_model().objects.filter(condition, is_active=True))


def member_ids(mailbox_id: int, user_ids: list[int]) -> set[int]:
    """Which of these users belong to the mailbox (one query)."""
    return set(
        Membership.objects.filter(
            mailbox_id=mailbox_id, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )


def notifications_for(
    user: Any, *, unread_only: bool = False
) -> QuerySet[Notification]:
    """The user's notifications on conversations they can still see, newest first."""
    queryset = Notification.objects.filter(
        recipient=user, conversation__mailbox_id__in=mailbox_ids_for(user)
    )
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.select_related("actor", "conversation", "conversation__customer")


def notification_page(
    user: Any, *, unread_only: bool = False, before: Any = None, size: int = 50
) -> tuple[list[Notification], int | None]:
    """One page of notifications and the id to continue before (keyset on id)."""
    queryset = notifications_for(user, unread_only=unread_only).order_by("-id")
    if before:
        queryset = queryset.filter(pk__lt=_int_or_404(before, "page"))
    rows = list(queryset[: size + 1])
    more = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], more


def get_notification_for(user: Any, notification_id: Any) -> Notification:
    """One of the user's own notifications; anyone else's is Http404."""
    try:
        return notifications_for(user).get(
            pk=_int_or_404(notification_id, "notification")
        )
    except Notification.DoesNotExist:
        raise Http404("No such notification") from None


def _unread_cache_key(user_id: int) -> str:
    return f"notes:unread:{user_id}"


def unread_count(user: Any) -> int:
    """Unread notifications, counted up to UNREAD_CAP + 1 (the bell shows "99+").

    Also refreshes the cached count the bell renders from.
    """
    if not user.is_authenticated:
        return 0
    count = (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .values("id")[: UNREAD_CAP + 1]
        .count()
    )
    cache.set(_unread_cache_key(user.pk), count, UNREAD_CACHE_SECONDS)
    return count


def cached_unread_count(user: Any) -> int | None:
    """The unread count from the cache, or None: pages render the bell without a
    database query, and the bell fetches the count itself when the cache is cold.
    """
    if not user.is_authenticated:
        return 0
    return cache.get(_unread_cache_key(user.pk))


def forget_unread_counts(user_ids: Any) -> None:
    """Drop cached counts after a change; called once the change has committed."""
    cache.delete_many([_unread_cache_key(user_id) for user_id in user_ids])


def preferences_for(user: Any) -> dict[str, Preference]:
    """Every event's preference for the user: stored choices over the defaults."""
    preferences = dict(DEFAULT_PREFERENCES)
    for row in NotificationPreference.objects.filter(user=user):
        preferences[row.event] = Preference(
            email=row.email, auto_follow=row.auto_follow
        )
    preferences[Verb.MENTION] = Preference(
        email=preferences[Verb.MENTION].email, auto_follow=True
    )
    return preferences


def preferences_of(user_ids: list[int], event: str) -> dict[int, Preference]:
    """One event's preference for many users, in one query."""
    default = DEFAULT_PREFERENCES[event]
    found = {
        row.user_id: Preference(email=row.email, auto_follow=row.auto_follow)
        for row in NotificationPreference.objects.filter(
            user_id__in=user_ids, event=event
        )
    }
    return {user_id: found.get(user_id, default) for user_id in user_ids}


def auto_followers_of_new_conversations(mailbox_id: int) -> list[int]:
    """Members of the mailbox whose rule is to follow every new conversation."""
    opted_in = NotificationPreference.objects.filter(
        event=Verb.NEW_MESSAGE, auto_follow=True
    ).values("user_id")
    return list(
        Membership.objects.filter(mailbox_id=mailbox_id, user_id__in=opted_in)
        .values_list("user_id", flat=True)
        .order_by("user_id")
    )
