"""Demo drafts for `seed_demo` (after inbox, templates and notes): a few replies
waiting in the review queue, so a lead's first look at it is not empty."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from inbox.models import Conversation, Mailbox
from review import services
from review.models import Draft

DRAFTS = [
    (
        "agent",
        "Calm down, {first}, as I said before this is being looked at.",
        "",
    ),
    (
        "agent",
        "Hi {first}, I am sorry this has taken so long. I have asked our "
        "engineers to look at it today and I will update you by 17:00.",
        "",
    ),
    (
        "agent",
        "Hi {first}, thanks for your patience. The fix is live; could you try "
        "again and tell me if anything still looks wrong?",
        "Can we promise a time for the follow-up?",
    ),
]


@transaction.atomic
def seed() -> dict[str, int]:
    """Three drafts by `agent` in review in the first mailbox; a rerun adds nothing."""
    if Draft.objects.exists():
        return {"drafts": 0}
    users = {user.username: user for user in get_user_model().objects.all()}
    mailbox = Mailbox.objects.order_by("id").first()
    if mailbox is None or "agent" not in users or "lead" not in users:
        return {"drafts": 0}
    conversations = Conversation.objects.filter(
        mailbox=mailbox, status=Conversation.Status.OPEN
    ).select_related("customer")[: len(DRAFTS)]
    created = 0
    for conversation, (author, body, comment) in zip(
        conversations, DRAFTS, strict=False
    ):
        first = conversation.customer.first_name or "there"
        draft = services.create_draft(
            conversation, by=users[author], body=body.format(first=first)
        )
        services.submit_for_review(draft, by=users[author])
        if comment:
            services.add_comment(draft, by=users["lead"], body=comment)
        created += 1
    return {"drafts": created}
