"""Reads for scheduled emails; every id-taking selector takes the user."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from inbox import selectors as inbox_selectors
from inbox.models import Conversation
from scheduler.models import ScheduledEmail

# Milestones due within this window (or overdue) alert and show as due.
MILESTONE_WARNING = timedelta(hours=1)


def _visible_to(user: Any) -> QuerySet[ScheduledEmail]:
    return ScheduledEmail.objects.filter(
        conversation__mailbox_id__in=inbox_selectors.mailbox_ids_for(user)
    ).select_related("conversation__customer", "author", "template")


def get_scheduled_for(user: Any, scheduled_id: Any) -> ScheduledEmail:
    """The scheduled email if its conversation is in the user's mailboxes; Http404
    whether it is missing or someone else's (and after a move out of them)."""
    try:
        scheduled_id = int(scheduled_id)
    except (TypeError, ValueError):
        raise Http404("No such scheduled email") from None
    if not user.is_authenticated:
        raise Http404("No such scheduled email")
    found = _visible_to(user).filter(pk=scheduled_id).first()
    if found is None:
        raise Http404("No such scheduled email")
    return found


def scheduled_on(conversation: Conversation) -> list[ScheduledEmail]:
    """A conversation's scheduled emails, pending first, then the newest others.

    The caller has checked access to the conversation.
    """
    rows = ScheduledEmail.objects.filter(conversation=conversation).select_related(
        "author", "template"
    )
    return sorted(
        rows, key=lambda row: (row.status != ScheduledEmail.Status.PENDING, row.send_at)
    )


def scheduled_list(
    user: Any, *, mine: bool, status: str = ScheduledEmail.Status.PENDING
) -> QuerySet[ScheduledEmail]:
    """The Scheduled page: by next run time; `mine` = what the user scheduled."""
    rows = _visible_to(user).filter(status=status)
    if mine:
        rows = rows.filter(author=user)
    return rows.order_by("send_at", "id")


def milestones_due(*, now: datetime | None = None) -> QuerySet[Conversation]:
    """Unresolved conversations whose milestone is due within the hour or
    overdue, soonest first."""
    now = now or timezone.now()
    return (
        Conversation.objects.filter(milestone_due_at__lte=now + MILESTONE_WARNING)
        .exclude(status=Conversation.Status.RESOLVED)
        .select_related("escalation_owner", "customer", "mailbox")
        .order_by("milestone_due_at", "id")
    )


def milestones_due_for(user: Any) -> list[Conversation]:
    """The Scheduled page's "Milestones due": `milestones_due` in the user's mailboxes."""
    return list(
        milestones_due().filter(mailbox_id__in=inbox_selectors.mailbox_ids_for(user))[
            :100
        ]
    )
