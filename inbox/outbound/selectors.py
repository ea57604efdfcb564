"""Reads for the composer and the reply actions; every id-taking one takes the user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from inbox.models import Conversation, Message
from inbox.selectors import mailbox_ids_for

Delivery = Message.DeliveryStatus
IN_FLIGHT = [Delivery.QUEUED, Delivery.SENDING]
PROBLEMS = [Delivery.FAILED, Delivery.BOUNCED, Delivery.COMPLAINED]
PROBLEMS_SHOWN_FOR = timedelta(days=30)


def get_message_for(user: Any, message_id: Any) -> Message:
    """An outgoing message in one of the user's mailboxes; Http404 otherwise."""
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        raise Http404("No such message") from None
    message = (
        Message.objects.filter(mailbox_id__in=mailbox_ids_for(user), pk=message_id)
        .exclude(kind=Message.Kind.INBOUND)
        .select_related("conversation")
        .defer("search_vector")
        .first()
    )
    if message is None:
        raise Http404("No such message")
    return message


def outgoing_for_composer(conversation: Conversation) -> list[Message]:
    """What the composer shows under the form: mail still in the undo window or
    on its way, and recent delivery problems (failed, bounced, complaint)."""
    since = timezone.now() - PROBLEMS_SHOWN_FOR
    return list(
        Message.objects.filter(conversation=conversation)
        .exclude(kind=Message.Kind.INBOUND)
        .filter(
            Q(delivery_status__in=IN_FLIGHT)
            | Q(delivery_status__in=PROBLEMS, created_at__gte=since)
        )
        .only(
            "kind",
            "subject",
            "visible_text",
            "created_at",
            "send_after",
            "claimed_until",
            "delivery_status",
            "delivery_detail",
            "to",
            "conversation_id",
        )
        .order_by("-created_at", "-id")[:10]
    )


def has_in_flight(messages: list[Message]) -> bool:
    return any(m.delivery_status in IN_FLIGHT for m in messages)
