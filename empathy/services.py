"""Empathy checks at compose and send time, and sentiment upkeep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from empathy import events
from empathy.checker import BLOCKER, Finding, check_reply
from empathy.errors import EmpathyBlocked
from empathy.selectors import check_context_for
from inbox.models import Conversation, Mailbox, Message
from inbox.outbound.steps import OutgoingReply
from inbox.sentiment import score_customer_message

RESCORE_BATCH = 500


def check_reply_for(
    text: str, *, conversation: Conversation | None = None, resolves: bool = False
) -> list[Finding]:
    """Findings for a reply in a conversation (or with the global rules only).

    The caller has already checked the user may see the conversation.
    """
    return check_reply(text, check_context_for(conversation, resolves=resolves))


def enforce_empathy(
    text: str,
    *,
    conversation: Conversation,
    override_reason: str = "",
    resolves: bool = False,
    by: Any = None,
) -> list[Finding]:
    """The findings to store with a reply about to be sent.

    In a mailbox whose empathy_mode is `block`, blocker findings stop the
    reply with EmpathyBlocked unless an override reason is given; then the
    override goes on the timeline (`empathy_overridden`, with `by` as actor).
    In `warn` mode nothing is refused. The reply service calls this inside its
    transaction and stores `[f.rule for f in findings]` and the reason on the
    message.
    """
    findings = check_reply_for(text, conversation=conversation, resolves=resolves)
    blockers = [f for f in findings if f.severity == BLOCKER]
    if not blockers or conversation.mailbox.empathy_mode != Mailbox.EmpathyMode.BLOCK:
        return findings
    reason = override_reason.strip()
    if not reason:
        phrases = ", ".join(f'"{text[f.start : f.end]}"' for f in blockers)
        raise EmpathyBlocked(
            f"This mailbox does not send replies containing {phrases}. Apply the "
            "suggested rewrite or give a reason to send anyway."
        )
    events.empathy_overridden(
        conversation,
        actor=by,
        rules=sorted({f.rule for f in blockers}),
        reason=reason,
    )
    return findings


def check_outgoing_reply(reply: OutgoingReply) -> None:
    """send_reply's CHECK step (registered in EmpathyConfig.ready): enforce the
    mailbox's empathy mode and store the findings' rules on the message."""
    findings = enforce_empathy(
        reply.body,
        conversation=reply.conversation,
        override_reason=reply.empathy_override_reason,
        resolves=reply.resolves,
        by=reply.by,
    )
    reply.message_fields["empathy_findings"] = sorted({f.rule for f in findings})


def rescore_sentiment(
    *,
    mailbox_id: int | None = None,
    batch_size: int = RESCORE_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Score every inbound message again and refresh conversations' first/last.

    Runs in batches of `batch_size` messages, each in its own transaction, so
    it can run beside live traffic; safe to run again. Returns the number of
    messages scored. `progress(n)` is called after each batch.
    """
    messages = Message.objects.filter(kind=Message.Kind.INBOUND)
    if mailbox_id is not None:
        messages = messages.filter(mailbox_id=mailbox_id)
    last_id = 0
    total = 0
    while True:
        batch = list(
            messages.filter(id__gt=last_id)
            .order_by("id")
            .only("id", "conversation_id", "text")[:batch_size]
        )
        if not batch:
            return total
        for message in batch:
            sentiment = score_customer_message(message.text)
            message.sentiment = sentiment.score
            message.sentiment_label = sentiment.label
        with transaction.atomic():
            Message.objects.bulk_update(batch, ["sentiment", "sentiment_label"])
            _refresh_conversations({m.conversation_id for m in batch})
        last_id = batch[-1].id
        total += len(batch)
        if progress:
            progress(len(batch))


def _refresh_conversations(conversation_ids: set[int]) -> None:
    inbound = Message.objects.filter(
        conversation_id=OuterRef("pk"),
        kind=Message.Kind.INBOUND,
        sentiment__isnull=False,
    )
    Conversation.objects.filter(pk__in=conversation_ids).update(
        sentiment_first=Subquery(
            inbound.order_by("created_at", "id").values("sentiment")[:1]
        ),
        sentiment_last=Subquery(
            inbound.order_by("-created_at", "-id").values("sentiment")[:1]
        ),
    )
