from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import template

from inbox import selectors as inbox_selectors
from scheduler import selectors, services
from templates_app import selectors as template_selectors

register = template.Library()

# The cadences the conversation page offers; the API takes any "Nh" / "Nd" >= 1h.
CADENCES = [
    ("", "Once"),
    ("4h", "Every 4 hours"),
    ("12h", "Every 12 hours"),
    ("1d", "Every day"),
    ("2d", "Every 2 days"),
    ("7d", "Every week"),
]


@register.inclusion_tag("frontend/scheduled/_panel.html", takes_context=True)
def scheduled_panel(context: template.Context, conversation: Any) -> dict[str, Any]:
    """Scheduled emails, the send-later / promise form and the escalation form for
    the conversation page's sidebar; the caller has checked access."""
    user = context["user"]
    due = conversation.milestone_due_at
    return {
        "milestone_due_local": due.astimezone(
            ZoneInfo(services.default_zone(conversation))
        )
        if due
        else None,
        "conversation": conversation,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "flash": context.get("flash"),
        "scheduled": selectors.scheduled_on(conversation),
        "cadences": CADENCES,
        "canned": template_selectors.templates_for_conversation(
            user, conversation, limit=50
        ),
        "members": inbox_selectors.picker_options([conversation.mailbox_id])["members"],
    }
