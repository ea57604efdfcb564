"""Who is looking at or replying to a conversation right now (collision detection).

Presence lives in the cache (Redis in production) with a short expiry: each open
conversation page reports every POLL_SECONDS, and an entry nobody refreshes
disappears after TTL_SECONDS. One cache key per conversation holds a small dict
{user_id: [name, state, expires_at]}; a lost update in a race heals on the next
poll, which is cheaper than a lock for a hint this transient.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from inbox.models import Conversation, Message

POLL_SECONDS = 10
TTL_SECONDS = 30
VIEWING, REPLYING = "viewing", "replying"
STATES = (VIEWING, REPLYING)


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    state: str

    @property
    def is_replying(self) -> bool:
        return self.state == REPLYING


def _key(conversation_id: int) -> str:
    return f"presence:conversation:{conversation_id}"


def _display_name(user: Any) -> str:
    return user.get_full_name() or user.username


def _alive(entries: dict, now: float) -> dict:
    return {uid: entry for uid, entry in entries.items() if entry[2] > now}


def touch(conversation: Conversation, *, user: Any, state: str = VIEWING) -> None:
    """Record that `user` has the conversation open (viewing or replying).

    The caller has already checked access (selectors.get_conversation_for).
    """
    if state not in STATES:
        state = VIEWING
    now = time.time()
    key = _key(conversation.pk)
    entries = _alive(cache.get(key) or {}, now)
    entries[str(user.pk)] = [_display_name(user), state, now + TTL_SECONDS]
    cache.set(key, entries, TTL_SECONDS)


def leave(conversation: Conversation, *, user: Any) -> None:
    """The user closed the page: drop their entry at once."""
    key = _key(conversation.pk)
    entries = cache.get(key) or {}
    if entries.pop(str(user.pk), None) is not None:
        cache.set(key, entries, TTL_SECONDS)


def others_on(conversation: Conversation, *, user: Any) -> list[Presence]:
    """Everyone else with the conversation open now, replying ones first."""
    return _others(cache.get(_key(conversation.pk)) or {}, user)


def others_on_many(conversation_ids: list[int], *, user: Any) -> dict[int, list]:
    """Presence for a page of conversations in one cache round trip."""
    found = cache.get_many([_key(pk) for pk in conversation_ids])
    return {
        pk: others
        for pk in conversation_ids
        if (others := _others(found.get(_key(pk)) or {}, user))
    }


def _others(entries: dict, user: Any) -> list[Presence]:
    now = time.time()
    people = [
        Presence(user_id=int(uid), name=entry[0], state=entry[1])
        for uid, entry in _alive(entries, now).items()
        if int(uid) != user.pk
    ]
    return sorted(people, key=lambda p: (not p.is_replying, p.name))


def messages_since(
    conversation: Conversation, *, after_message_id: int
) -> list[Message]:
    """Messages added to the thread after `after_message_id` (the newest one the
    page showed when it loaded), oldest first. The composer calls this before
    sending so an agent never answers without seeing what just arrived."""
    return list(
        Message.objects.filter(conversation=conversation, pk__gt=after_message_id)
        .select_related("author")
        .defer("search_vector", "raw_email", "html", "text")
        .order_by("pk")[:20]
    )
