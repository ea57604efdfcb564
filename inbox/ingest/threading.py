"""Which conversation an inbound email belongs to.

Evidence is tried strongest first, and every lookup is scoped to the mailbox
and the customer who wrote, so a forged header or a guessed number can never
attach mail to someone else's conversation:

1. the signed reply token in a recipient address (`support+<id>-<hmac>@…`);
2. In-Reply-To, then References newest first, against stored Message-IDs
   (ours and the customer's), via the (mailbox, message_id) unique index;
3. Outlook's Thread-Index root, via `message_thread_index_idx`;
4. a `[#123]` conversation number in the subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from inbox.ingest.parsing import ParsedEmail
from inbox.models import Conversation, Customer, Mailbox, Message
from inbox.tokens import conversation_id_from_address

_SUBJECT_NUMBER = re.compile(r"\[#(\d{1,9})\]")


def subject_number(subject: str) -> int | None:
    match = _SUBJECT_NUMBER.search(subject)
    return int(match.group(1)) if match else None


def token_conversation_ids(addresses: Iterable[str]) -> list[int]:
    found = []
    for address in addresses:
        conversation_id = conversation_id_from_address(address)
        if conversation_id is not None and conversation_id not in found:
            found.append(conversation_id)
    return found


def find_conversation(
    parsed: ParsedEmail,
    *,
    mailbox: Mailbox,
    customer: Customer,
    envelope_recipient: str = "",
) -> tuple[Conversation | None, str]:
    """The conversation this email continues and the evidence used, or (None, "")."""
    scoped = Conversation.objects.filter(mailbox=mailbox, customer=customer)

    addresses = (
        [envelope_recipient, *parsed.recipients]
        if envelope_recipient
        else parsed.recipients
    )
    ids = token_conversation_ids(addresses)
    if ids:
        conversation = scoped.filter(pk__in=ids).order_by("-pk").first()
        if conversation is not None:
            return conversation, "reply_token"

    message_ids = list(
        dict.fromkeys([parsed.in_reply_to, *reversed(parsed.references)])
    )
    message_ids = [value for value in message_ids if value]
    if message_ids:
        rows = dict(
            Message.objects.filter(
                mailbox=mailbox,
                message_id__in=message_ids,
                conversation__customer=customer,
            ).values_list("message_id", "conversation_id")
        )
        for message_id in message_ids:
            if message_id in rows:
                return scoped.get(pk=rows[message_id]), "references"

    if parsed.thread_index_root:
        conversation_id = (
            Message.objects.filter(
                mailbox=mailbox,
                thread_index_root=parsed.thread_index_root,
                conversation__customer=customer,
            )
            .order_by("-pk")
            .values_list("conversation_id", flat=True)
            .first()
        )
        if conversation_id is not None:
            return scoped.get(pk=conversation_id), "thread_index"

    number = subject_number(parsed.subject)
    if number is not None:
        conversation = scoped.filter(number=number).first()
        if conversation is not None:
            return conversation, "subject_number"

    return None, ""
