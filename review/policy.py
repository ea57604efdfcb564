"""Which replies need a reviewer's approval, and the send_reply step that holds
them back (registered in ReviewConfig.ready)."""

from __future__ import annotations

from typing import Any, NoReturn

from empathy.checker import BLOCKER
from empathy.services import check_reply_for
from inbox.models import Conversation, ConversationLabel, Mailbox, Membership
from inbox.outbound.steps import OutgoingReply
from review.errors import ReviewRequired
from review.models import Draft, DraftApproval, ReviewRules
from review.services import close_as_sent

Policy = Mailbox.ReviewPolicy


def review_reasons(
    conversation: Conversation, *, author: Any, body: str, resolves: bool = False
) -> list[str]:
    """Why a reply by `author` needs review under the mailbox's policy; [] when not.

    `nobody` never asks; `everyone` always does; a member marked `needs_review`
    is reviewed under every other policy; `rules` asks when the customer's
    latest sentiment is below the threshold, a listed label is on the
    conversation, or the empathy checker finds a blocker in `body`.
    """
    mailbox = conversation.mailbox
    policy = mailbox.review_policy
    if policy == Policy.NOBODY:
        return []
    if policy == Policy.EVERYONE:
        return ["every reply in this mailbox is reviewed"]
    author_id = getattr(author, "pk", None)
    if (
        author_id
        and Membership.objects.filter(
            mailbox_id=mailbox.pk, user_id=author_id, needs_review=True
        ).exists()
    ):
        return ["your replies in this mailbox are reviewed"]
    if policy != Policy.RULES:
        return []
    rules = ReviewRules.objects.filter(mailbox_id=mailbox.pk).first()
    if rules is None:
        return []
    reasons = []
    sentiment = conversation.sentiment_last
    below = rules.sentiment_below
    if below is not None and sentiment is not None and sentiment < below:
        reasons.append(f"the customer's mood is low ({sentiment:+.2f})")
    wanted = {name.lower() for name in rules.labels}
    if wanted:
        present = ConversationLabel.objects.filter(
            conversation_id=conversation.pk, removed_at__isnull=True
        ).values_list("label__name", flat=True)
        matched = sorted(name for name in present if name.lower() in wanted)
        if matched:
            reasons.append(f"it is labelled {', '.join(matched)}")
    if rules.empathy_blockers:
        findings = check_reply_for(body, conversation=conversation, resolves=resolves)
        if any(finding.severity == BLOCKER for finding in findings):
            reasons.append("the empathy checker found a blocker")
    return reasons


def approved_with_body(draft_id: int, *, conversation_id: int, body: str) -> bool:
    """True when the draft is approved and the standing approval is of `body`."""
    approval = (
        DraftApproval.objects.filter(
            draft_id=draft_id,
            draft__conversation_id=conversation_id,
            draft__state=Draft.State.APPROVED,
            voided_at__isnull=True,
        )
        .only("body")
        .first()
    )
    return approval is not None and approval.body.strip() == body.strip()


def enforce_review_policy(reply: OutgoingReply) -> None:
    """send_reply's CHECK step: a reply that needs review goes out only from a
    draft approved with exactly this body; anything else is ReviewRequired (403)
    for the page, the API and an old form post alike.

    A reply sent straight from the composer closes the author's autosaved
    draft there: it became this reply (and undo-send reopens it).
    """
    reasons = review_reasons(
        reply.conversation, author=reply.by, body=reply.body, resolves=reply.resolves
    )
    if reasons and not (
        reply.draft_id is not None
        and approved_with_body(
            reply.draft_id, conversation_id=reply.conversation.pk, body=reply.body
        )
    ):
        _refuse(reasons)
    if reply.draft_id is None and getattr(reply.by, "pk", None):
        scratch = Draft.objects.filter(
            conversation_id=reply.conversation.pk,
            author_id=reply.by.pk,
            state=Draft.State.EDITING,
        ).first()
        if scratch is not None:
            reply.on_stored(lambda message: close_as_sent(scratch, message))


def _refuse(reasons: list[str]) -> NoReturn:
    raise ReviewRequired(
        f"This reply needs a reviewer's approval before it is sent "
        f"({'; '.join(reasons)}). Save it as a draft and ask for review."
    )
