"""Anymail's tracking signal, connected from InboxConfig.ready(): delivery,
bounce and complaint events from the ESP's webhook."""

from __future__ import annotations

from typing import Any

from anymail import signals as anymail_signals
from anymail.signals import AnymailTrackingEvent
from django.dispatch import receiver

from inbox.outbound import tracking


@receiver(anymail_signals.tracking, dispatch_uid="inbox.outbound.tracking")
def delivery_event(
    sender: Any, *, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> None:
    tracking.record_tracking_event(event)
