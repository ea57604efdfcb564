"""Signal receivers, connected from InboxConfig.ready().

Both run after something outside committed: a customer's email stored by the
ingest pipeline (inbox.signals.inbound_message_received, sent on commit) or an
ESP webhook (Anymail's tracking signal).
"""

from __future__ import annotations

import logging
from typing import Any

from anymail import signals as anymail_signals
from anymail.signals import AnymailTrackingEvent
from django.dispatch import receiver

from inbox.outbound import autoreply, tracking
from inbox.signals import inbound_message_received

logger = logging.getLogger(__name__)


@receiver(inbound_message_received, dispatch_uid="inbox.outbound.auto_reply")
def auto_reply_on_new_conversation(
    sender: Any,
    *,
    message_id: int,
    created_conversation: bool = False,
    auto_reply_allowed: bool = False,
    **kwargs: Any,
) -> None:
    """The ingest pipeline stored a customer's email; acknowledge a new conversation.

    The pipeline's classification (bounce, auto-reply, list mail, RFC 3834
    suppression) comes in `auto_reply_allowed`; send_auto_reply adds the
    mailbox setting, its own loop rules and the per-customer rate limit.
    """
    if not (created_conversation and auto_reply_allowed):
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
