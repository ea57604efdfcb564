"""Tags that put notes' regions into pages other apps own (base, conversation)."""

from __future__ import annotations

from typing import Any

from django import template

from notes import selectors

register = template.Library()


def _thread_shows_notes(context: template.Context) -> bool:
    """Whether the page's thread already interleaves notes (so the sidebar must not).

    A page says so with `notes_in_thread`; otherwise a page with a timeline
    (inbox.selectors.thread_for, where notes register their rows) shows them.
    """
    return bool(context.get("notes_in_thread", "thread" in context))


@register.inclusion_tag("notes/_bell_button.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    """The topbar bell: the cached unread count, or a bell that loads it (no query)."""
    return {"unread": selectors.cached_unread_count(context["user"])}


@register.inclusion_tag("notes/_sidebar_body.html", takes_context=True)
def notes_sidebar(context: template.Context, conversation: Any) -> dict[str, Any]:
    """Followers, pinned notes, the note form and (unless the thread shows notes)
    the list of notes, for the conversation page's sidebar.

    Adds no query to a page whose thread interleaves notes: pinned notes come
    from the thread and the followers box loads itself. New notes then go to
    `#thread` instead of the sidebar list.
    """
    in_thread = _thread_shows_notes(context)
    if in_thread:
        shown = [
            item.obj for item in context.get("thread") or [] if item.kind == "note"
        ]
        notes = []
    else:
        shown = notes = selectors.notes_for(conversation)
    return {
        "conversation": conversation,
        "user": context["user"],
        "csrf_token": context.get("csrf_token"),
        "pinned": selectors.pinned_among(shown),
        "notes": notes,
        "notes_in_thread": in_thread,
        "note_target": "#thread" if in_thread else "#note-list",
    }
