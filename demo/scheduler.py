"""Demo promised updates, a send-later reply and an overdue milestone for
`seed_demo` (after demo.notes)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from inbox.models import Conversation, Mailbox
from scheduler import services
from scheduler.models import ScheduledEmail

PROMISES = [
    # (author, kind, body, hours from now, every)
    (
        "agent",
        "update",
        "A quick update on your case: our engineers are still working on it. "
        "You will hear from us again tomorrow.",
        3,
        "1d",
    ),
    (
        "agent",
        "send_later",
        "Good morning! Following up as promised: did the new invoice arrive?",
        20,
        None,
    ),
    (
        "lead",
        "update",
        "We have not forgotten you: the fix is being tested and we will write "
        "again as soon as it ships.",
        6,
        "12h",
    ),
]


@transaction.atomic
def seed() -> dict[str, int]:
    """A few promises on open Acme Support conversations and one milestone already
    overdue (its alert fires on the next beat tick); a rerun adds nothing."""
    if ScheduledEmail.objects.exists():
        return {"scheduled": 0, "milestones": 0}
    users = {user.username: user for user in get_user_model().objects.all()}
    mailbox = Mailbox.objects.order_by("id").first()
    if mailbox is None or "agent" not in users or "lead" not in users:
        return {"scheduled": 0, "milestones": 0}
    conversations = list(
        Conversation.objects.filter(mailbox=mailbox)
        .exclude(status=Conversation.Status.RESOLVED)
        .select_related("customer", "mailbox")
        .order_by("-last_activity_at")[: len(PROMISES) + 1]
    )
    now = timezone.now()
    for conversation, (author, kind, body, hours, every) in zip(
        conversations, PROMISES, strict=False
    ):
        services.schedule(
            conversation,
            by=users[author],
            kind=kind,
            body=body,
            send_at=now + timedelta(hours=hours),
            every=every,
        )
    escalated = conversations[-1] if len(conversations) > len(PROMISES) else None
    if escalated is not None:
        services.set_escalation(
            escalated,
            by=users["lead"],
            owner=users["agent"].pk,
            milestone="Engineering confirms the fix",
        )
        # Set straight on the row: the service refuses a due time in the past,
        # and the demo needs one that is already overdue.
        Conversation.objects.filter(pk=escalated.pk).update(
            milestone_due_at=now - timedelta(minutes=30)
        )
    return {
        "scheduled": min(len(conversations), len(PROMISES)),
        "milestones": int(escalated is not None),
    }
