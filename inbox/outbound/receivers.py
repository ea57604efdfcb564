"""Signal receivers, connected from InboxConfig.ready().

Both run after something outside committed: a new message (inbox.signals fires
on commit) or an ESP webhook (Anymail's tracking signal).
"""

from __future__ import annotations

import logging
from typing import Any

from anymail import signals as anymail_signals
from anymail.signals import AnymailTrackingEvent
from django.dispatch import receiver

from inbox.models import Message
from inbox.outbound import autoreply, tracking
from inbox.signals import message_added

logger = logging.getLogger(__name__)


@receiver(message_added, dispatch_uid="inbox.outbound.auto_reply")
def auto_reply_on_new_conversation(
    sender: Any, *, message_id: int, kind: str, **kwargs: Any
) -> None:
    if kind != Message.Kind.INBOUND:
        return
    if kwargs.get("created_conversation") is False:
        return
    try:
        autoreply.send_auto_reply(message_id)
    except Exception:
        # The customer's message is stored and threaded; a failed acknowledgement
        # must not fail the ingestion that triggered it.
        logger.exception("Auto-reply for message %s failed", message_id)


@receiver(anymail_signals.tracking, dispatch_uid="inbox.outbound.tracking")
def delivery_event(
    sender: Any, *, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> None:
    tracking.record_tracking_event(event)
