"""Reads for the empathy checker: the rules in force and a reply's context."""

from __future__ import annotations

from django.db.models import Q

from empathy.checker import CheckContext, PhraseRule
from empathy.models import MailboxLanguage
from empathy.models import PhraseRule as PhraseRuleRow
from inbox.models import Conversation, Mailbox, Message

DEFAULT_LANGUAGE = "en"


def phrase_rules_for(
    mailbox: Mailbox | None, *, language: str = DEFAULT_LANGUAGE
) -> tuple[PhraseRule, ...]:
    """The phrase rules in force for a mailbox (or everywhere), in one query.

    A mailbox's own row replaces the global row with the same rule and phrase;
    an inactive mailbox row switches that global row off for the mailbox.
    """
    scope = Q(mailbox__isnull=True)
    if mailbox is not None:
        scope |= Q(mailbox=mailbox)
    rows = PhraseRuleRow.objects.filter(scope, language=language).order_by("id")
    in_force: dict[tuple[str, str], PhraseRuleRow] = {}
    # Mailbox rows first, so a global row only fills the gaps.
    for row in sorted(rows, key=lambda r: r.mailbox_id is None):
        in_force.setdefault((row.rule, row.phrase), row)
    return tuple(
        PhraseRule(
            rule=row.rule,
            phrase=row.phrase,
            severity=row.severity,
            message=row.message,
            suggestion=row.suggestion,
            kind=row.kind,
            language=row.language,
        )
        for row in in_force.values()
        if row.is_active
    )


def language_for(mailbox: Mailbox | None) -> str:
    """The mailbox's reply language (MailboxLanguage), English by default."""
    if mailbox is None:
        return DEFAULT_LANGUAGE
    row = MailboxLanguage.objects.filter(mailbox=mailbox).only("language").first()
    return row.language if row else DEFAULT_LANGUAGE


def last_customer_message(conversation: Conversation) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, kind=Message.Kind.INBOUND)
        .only("text", "sentiment")
        .order_by("-created_at", "-id")
        .first()
    )


def check_context_for(
    conversation: Conversation | None, *, resolves: bool = False
) -> CheckContext:
    """What the checker needs to know about a conversation, in four queries.

    Without a conversation: the global rules and no customer facts, so only
    phrase, shouting and next-step/owner rules can fire.
    """
    if conversation is None:
        return CheckContext(phrase_rules=phrase_rules_for(None), resolves=resolves)
    customer = conversation.customer
    last = last_customer_message(conversation)
    language = language_for(conversation.mailbox)
    return CheckContext(
        customer_name=customer.name,
        customer_first_name=customer.first_name,
        last_customer_message=last.text if last else "",
        last_customer_sentiment=last.sentiment if last else None,
        resolves=resolves,
        phrase_rules=phrase_rules_for(conversation.mailbox, language=language),
        language=language,
    )
