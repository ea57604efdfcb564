"""Tags that put notes' regions into pages other apps own (base, conversation)."""

from __future__ import annotations

from typing import Any

from django import template

from notes import selectors

register = template.Library()


@register.inclusion_tag("notes/_bell_button.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    """The topbar bell with the viewer's unread count."""
    return {"unread": selectors.unread_count(context["user"])}


@register.inclusion_tag("notes/_sidebar_body.html", takes_context=True)
def notes_sidebar(context: template.Context, conversation: Any) -> dict[str, Any]:
    """Followers, pinned notes, the note form and (unless the thread shows notes)
    the list of notes, for the conversation page's sidebar.

    A page that interleaves notes in its thread sets `notes_in_thread` to True.
    """
    in_thread = bool(context.get("notes_in_thread"))
    notes = [] if in_thread else selectors.notes_for(conversation)
    pinned = (
        selectors.pinned_notes_for(conversation)
        if in_thread
        else sorted(
            (note for note in notes if note.is_pinned),
            key=lambda note: (note.pinned_at, note.pk),
            reverse=True,
        )
    )
    return {
        "conversation": conversation,
        "user": context["user"],
        "csrf_token": context.get("csrf_token"),
        "box": selectors.follower_box(conversation, context["user"]),
        "pinned": pinned,
        "notes": notes,
        "notes_in_thread": in_thread,
        "note_target": "#thread" if in_thread else "#note-list",
    }
