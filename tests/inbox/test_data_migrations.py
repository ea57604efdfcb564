from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from inbox import events
from inbox.models import Event, Message
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db
Delivery = Message.DeliveryStatus
backfill = import_module("inbox.migrations.0008_backfill_send_attempts")


def _reply(conversation, status: str) -> Message:
    return MessageFactory(
        conversation=conversation,
        kind=Message.Kind.REPLY,
        delivery_status=status,
        message_id=f"<{status}@acme.test>",
    )


def test_send_attempts_are_counted_from_the_deferrals_on_the_timeline():
    conversation = ConversationFactory()
    inbound = MessageFactory(conversation=conversation)
    queued = _reply(conversation, Delivery.QUEUED)
    sent = _reply(conversation, Delivery.SENT)
    cancelled = _reply(conversation, Delivery.CANCELLED)
    for message in (queued, queued, sent):
        events.record(
            conversation, Event.Kind.DELIVERY_DEFERRED, message=message.pk, attempt=1
        )

    backfill.backfill_send_attempts(apps, None)

    attempts = dict(Message.objects.values_list("pk", "send_attempts"))
    assert attempts[inbound.pk] == 0
    assert attempts[queued.pk] == 2
    assert attempts[sent.pk] == 2
    assert attempts[cancelled.pk] == 0
