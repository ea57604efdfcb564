from __future__ import annotations

import pytest

from inbox.models import Message
from inbox.outbound import deliver_message, send_reply
from tests.inbox.outbound_support import (  # noqa: F401
    FlakyEsp,
    conversation_fixture,
    esp_error,
    esp_fixture,
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/inbox/message/"


def test_an_admin_sends_a_failed_message_again(
    client, conversation, agent, admin, esp, django_capture_on_commit_callbacks
):
    message = send_reply(conversation, body="Hello", by=agent)
    FlakyEsp.failures = [esp_error(400, "Bad Request")]
    deliver_message(message.pk)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "retry_sending", "_selected_action": [message.pk]}
        )

    message.refresh_from_db()
    assert response.status_code == 302
    assert message.delivery_status == Message.DeliveryStatus.SENT
    assert len(esp) == 1


def test_an_admin_cancels_a_queued_message(
    client, conversation, agent, admin, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 60
    message = send_reply(conversation, body="Hello", by=agent)
    client.force_login(admin)

    client.post(
        CHANGELIST, {"action": "cancel_sending", "_selected_action": [message.pk]}
    )

    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.CANCELLED


def test_the_admin_lists_messages_by_delivery_status(client, conversation, admin):
    client.force_login(admin)

    response = client.get(CHANGELIST, {"delivery_status__exact": "failed"})

    assert response.status_code == 200
