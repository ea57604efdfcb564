"""Demo notes, followers and notifications for `seed_demo` (after demo.inbox)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from inbox.models import Conversation, Mailbox
from notes import services
from notes.models import Follower, Note, Notification

NOTES = [
    # (author, body, pin)
    (
        "agent",
        "Customer has written **three times** about this. @lead can we offer a "
        "goodwill credit? Next step: I will call them before 16:00 today.",
        True,
    ),
    (
        "lead",
        "Approved. Please own the follow-up and promise the next update for "
        "tomorrow 10:00.\n\n- credit: 1 month\n- reference: `GW-2231`",
        False,
    ),
    (
        "agent",
        "Engineering confirmed the root cause; @agent2 knows the billing side "
        "(they are not in this mailbox, so the note says so).",
        False,
    ),
    (
        "agent",
        "Logs attached in the ticket tracker, see [status page](https://status.acme.test).",
        False,
    ),
]


@transaction.atomic
def seed() -> dict[str, int]:
    """Add notes to the newest Acme Support conversations once; a rerun adds nothing."""
    if Note.objects.exists():
        return {"notes": 0}
    users = {user.username: user for user in get_user_model().objects.all()}
    mailbox = Mailbox.objects.order_by("id").first()
    if mailbox is None or "agent" not in users or "lead" not in users:
        return {"notes": 0}
    conversations = list(
        Conversation.objects.filter(mailbox=mailbox).order_by("-last_activity_at")[:4]
    )
    # The seeded history notified its assignees as it was made; a new user should
    # open a quiet bell and get no digest of it, so that history counts as read.
    Notification.objects.filter(read_at__isnull=True).update(
        read_at=timezone.now(), email_status=Notification.EmailStatus.NONE
    )
    created = 0
    for index, conversation in enumerate(conversations):
        Follower.objects.add(conversation, users["lead"])
        for author, body, pin in NOTES[: 2 if index else len(NOTES)]:
            note = services.add_note(conversation, body=body, by=users[author]).note
            created += 1
            if pin:
                services.pin_note(note, by=users[author])
    return {"notes": created}
