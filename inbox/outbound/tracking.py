"""Delivery news from the ESP (tracking webhooks) and bounces that come back by email."""

from __future__ import annotations

from anymail.signals import AnymailTrackingEvent
from django.db import transaction

from inbox import events
from inbox.models import Event, Message

Delivery = Message.DeliveryStatus

# Later news never downgrades earlier bad news: a "delivered" that arrives
# after a bounce leaves the bounce showing.
_RANK = {
    Delivery.QUEUED: 0,
    Delivery.SENDING: 1,
    Delivery.SENT: 2,
    Delivery.DELIVERED: 3,
    Delivery.FAILED: 4,
    Delivery.BOUNCED: 5,
    Delivery.COMPLAINED: 6,
}
_EVENT_STATUS = {
    "delivered": Delivery.DELIVERED,
    "bounced": Delivery.BOUNCED,
    "rejected": Delivery.BOUNCED,
    "failed": Delivery.FAILED,
    "complained": Delivery.COMPLAINED,
}
_EVENT_KIND = {
    Delivery.BOUNCED: Event.Kind.MESSAGE_BOUNCED,
    Delivery.FAILED: Event.Kind.MESSAGE_FAILED,
    Delivery.COMPLAINED: Event.Kind.MESSAGE_COMPLAINED,
}


def _tracked_message(event: AnymailTrackingEvent) -> Message | None:
    metadata = event.metadata or {}
    esp_id = str(event.message_id or "")
    pk = str(metadata.get("replypad_message", ""))
    if pk.isdigit():
        message = Message.objects.select_for_update().filter(pk=int(pk)).first()
        if message and (
            not message.esp_message_id or not esp_id or message.esp_message_id == esp_id
        ):
            return message
    if esp_id:
        return (
            Message.objects.select_for_update()
            .filter(esp_message_id=esp_id)
            .order_by("-id")
            .first()
        )
    return None


def _apply_delivery_status(
    message: Message, *, status: str, recipient: str, detail: str
) -> Message:
    """Move a locked outgoing message to a later delivery status, never back."""
    current = message.delivery_status
    if current == Delivery.CANCELLED or _RANK.get(current, 0) >= _RANK[status]:
        return message
    message.delivery_status = status
    message.delivery_detail = detail[:2000]
    message.save(update_fields=["delivery_status", "delivery_detail"])
    kind = _EVENT_KIND.get(status)
    if kind:
        events.record(
            message.conversation,
            kind,
            message=message.pk,
            recipient=recipient,
            reason=message.delivery_detail,
        )
    return message


@transaction.atomic
def record_tracking_event(event: AnymailTrackingEvent) -> Message | None:
    """Apply an ESP delivery event (delivered, bounced, complained, ...) to our message.

    Idempotent: a retried webhook finds the status already set and records
    nothing more. A bounce, rejection, failure or complaint also appears on the
    conversation's timeline.
    """
    status = _EVENT_STATUS.get(event.event_type)
    if status is None:
        return None
    message = _tracked_message(event)
    if message is None or not message.is_outbound:
        return None
    detail = " ".join(
        str(part)
        for part in [event.reject_reason, event.description, event.mta_response]
        if part
    )
    return _apply_delivery_status(
        message, status=status, recipient=event.recipient or "", detail=detail
    )


@transaction.atomic
def record_bounce_report(
    *, mailbox_id: int, message_id: str, recipient: str = "", reason: str = ""
) -> Message | None:
    """A bounce that came back by email (a DSN) for one of our messages.

    For the inbound pipeline: it passes the Message-ID the DSN quotes
    (RFC 3464 returned headers). Unknown ids and repeats change nothing.
    """
    message = (
        Message.objects.select_for_update()
        .filter(mailbox_id=mailbox_id, message_id=message_id.strip())
        .exclude(kind=Message.Kind.INBOUND)
        .first()
    )
    if message is None:
        return None
    return _apply_delivery_status(
        message,
        status=Delivery.BOUNCED,
        recipient=recipient,
        detail=reason or "Returned by the recipient's mail server",
    )
