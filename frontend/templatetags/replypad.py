"""Formatting helpers every agent page uses (loaded as a template builtin)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def person(user: Any, fallback: str = "") -> str:
    """A teammate's display name: full name, else username, else the fallback."""
    if user is None:
        return fallback
    return user.get_full_name() or user.username


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """mapping[key], or None: for dicts keyed by ids or folder names."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def folder_url(filters: Any, status: str) -> str:
    return filters.folder_url(status)


@register.filter
def mailbox_url(filters: Any, mailbox_id: Any) -> str:
    return filters.mailbox_url(mailbox_id)


@register.filter
def next_url(filters: Any, cursor: str) -> str:
    return filters.next_url(cursor)


@register.filter
def hit_for(hits: Any, conversation_id: int) -> Any:
    """The highlighted snippet of the search hit for a conversation."""
    for hit in hits:
        if hit.conversation.pk == conversation_id:
            return hit.highlight or hit.conversation.snippet
    return ""


@register.filter
def waiting_since(conversation: Any) -> Any:
    """When the customer started waiting, if their message is the latest activity
    and the conversation is open; None when the ball is in their court."""
    last = conversation.last_customer_message_at
    if conversation.status != "open" or last is None:
        return None
    return last if last >= conversation.last_activity_at else None


@register.filter
def local_time(customer: Any) -> str:
    """The time now in the customer's time zone, e.g. "14:05"; blank if unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from django.utils import timezone

    try:
        zone = ZoneInfo(customer.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return timezone.now().astimezone(zone).strftime("%H:%M")


@register.filter
def waiting_cell(conversation: Any) -> str:
    """The "Waiting" cell: how long the customer has waited for us, else how long
    since the last activity. Built in Python: it runs for every row of every page."""
    from django.utils.html import format_html
    from django.utils.timesince import timesince

    since = waiting_since(conversation)
    if since is not None:
        return format_html(
            '<time datetime="{}" title="Customer waiting since {} UTC">{}</time>',
            since.isoformat(),
            since.strftime("%a %d %b, %H:%M"),
            timesince(since),
        )
    last = conversation.last_activity_at
    return format_html(
        '<time class="hint" datetime="{}">{} ago</time>',
        last.isoformat(),
        timesince(last),
    )


@register.filter
def as_words(identifier: str) -> str:
    """'conversation_moved' → 'conversation moved', for kinds without their own wording."""
    return str(identifier).replace("_", " ")
