from __future__ import annotations

import base64

import pytest
from anymail.signals import AnymailTrackingEvent, tracking

from inbox.models import Event, Message
from inbox.outbound import deliver_message, record_bounce_report, send_reply
from tests.inbox.outbound_support import conversation_fixture, esp_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
Delivery = Message.DeliveryStatus
WEBHOOK_AUTH = "HTTP_AUTHORIZATION"


@pytest.fixture
def sent_reply(conversation, agent, esp):
    message = send_reply(conversation, body="We are on it.", by=agent)
    deliver_message(message.pk)
    message.refresh_from_db()
    return message


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    return "Basic " + base64.b64encode(b"hook:s3cret").decode()


def _event(message, event_type, **kwargs):
    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(
            event_type=event_type,
            message_id=message.esp_message_id,
            recipient="dana@example.test",
            **kwargs,
        ),
        esp_name="Test",
    )
    message.refresh_from_db()
    return message


def test_a_delivered_event_marks_the_reply_delivered(sent_reply):
    message = _event(sent_reply, "delivered")

    assert message.delivery_status == Delivery.DELIVERED


def test_a_bounce_marks_the_reply_and_shows_on_the_conversation(sent_reply):
    message = _event(
        sent_reply,
        "bounced",
        reject_reason="bounced",
        description="Mailbox does not exist",
        mta_response="550 5.1.1 User unknown",
    )

    event = Event.objects.get(kind=Event.Kind.MESSAGE_BOUNCED)
    assert message.delivery_status == Delivery.BOUNCED
    assert "550 5.1.1 User unknown" in message.delivery_detail
    assert event.conversation_id == message.conversation_id
    assert event.data["recipient"] == "dana@example.test"


def test_a_retried_bounce_webhook_records_one_event(sent_reply):
    _event(sent_reply, "bounced")
    _event(sent_reply, "bounced")

    assert Event.objects.filter(kind=Event.Kind.MESSAGE_BOUNCED).count() == 1


def test_a_late_delivered_event_does_not_hide_a_bounce(sent_reply):
    _event(sent_reply, "bounced")

    message = _event(sent_reply, "delivered")

    assert message.delivery_status == Delivery.BOUNCED


def test_a_spam_complaint_is_recorded(sent_reply):
    message = _event(sent_reply, "complained")

    assert message.delivery_status == Delivery.COMPLAINED
    assert Event.objects.filter(kind=Event.Kind.MESSAGE_COMPLAINED).exists()


def test_opens_and_clicks_change_nothing(sent_reply):
    message = _event(sent_reply, "opened")

    assert message.delivery_status == Delivery.SENT


def test_the_message_is_found_by_our_metadata_before_the_esp_id_is_stored(
    conversation, agent, esp
):
    message = send_reply(conversation, body="Fast ESP", by=agent)
    Message.objects.filter(pk=message.pk).update(delivery_status=Delivery.SENDING)

    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(
            event_type="delivered",
            message_id="esp-123",
            metadata={"replypad_message": str(message.pk)},
        ),
        esp_name="Test",
    )

    message.refresh_from_db()
    assert message.delivery_status == Delivery.DELIVERED


def test_postmark_bounce_webhook_marks_the_reply_bounced(
    client, sent_reply, webhook_secret
):
    Message.objects.filter(pk=sent_reply.pk).update(esp_message_id="pm-0001")
    payload = {
        "RecordType": "Bounce",
        "ID": 42,
        "Type": "HardBounce",
        "MessageID": "pm-0001",
        "Email": "dana@example.test",
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account does not exist",
        "BouncedAt": "2026-11-23T10:00:00Z",
        "Metadata": {"replypad_message": str(sent_reply.pk)},
    }

    response = client.post(
        "/anymail/postmark/tracking/",
        payload,
        content_type="application/json",
        **{WEBHOOK_AUTH: webhook_secret},
    )

    sent_reply.refresh_from_db()
    assert response.status_code == 200
    assert sent_reply.delivery_status == Delivery.BOUNCED
    assert Event.objects.filter(kind=Event.Kind.MESSAGE_BOUNCED).count() == 1


def test_a_webhook_without_the_secret_changes_nothing(
    client, sent_reply, webhook_secret
):
    payload = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": sent_reply.esp_message_id,
        "Metadata": {"replypad_message": str(sent_reply.pk)},
    }

    response = client.post(
        "/anymail/postmark/tracking/", payload, content_type="application/json"
    )

    sent_reply.refresh_from_db()
    assert response.status_code == 403
    assert sent_reply.delivery_status == Delivery.SENT


def test_a_webhook_for_an_unknown_message_is_accepted_and_ignored(
    client, sent_reply, webhook_secret
):
    payload = {
        "RecordType": "Delivery",
        "MessageID": "someone-elses-id",
        "Recipient": "x@example.test",
        "DeliveredAt": "2026-11-23T10:00:00Z",
    }

    response = client.post(
        "/anymail/postmark/tracking/",
        payload,
        content_type="application/json",
        **{WEBHOOK_AUTH: webhook_secret},
    )

    sent_reply.refresh_from_db()
    assert response.status_code == 200
    assert sent_reply.delivery_status == Delivery.SENT


def test_a_bounce_that_comes_back_by_email_marks_the_reply(sent_reply):
    message = record_bounce_report(
        mailbox_id=sent_reply.mailbox_id,
        message_id=sent_reply.message_id,
        recipient="dana@example.test",
        reason="550 5.1.1 User unknown",
    )

    assert message.delivery_status == Delivery.BOUNCED
    assert Event.objects.get(kind=Event.Kind.MESSAGE_BOUNCED).data["reason"] == (
        "550 5.1.1 User unknown"
    )


def test_a_bounce_report_for_someone_elses_message_id_changes_nothing(sent_reply):
    message = record_bounce_report(
        mailbox_id=sent_reply.mailbox_id, message_id="<not-ours@example.test>"
    )

    sent_reply.refresh_from_db()
    assert message is None
    assert sent_reply.delivery_status == Delivery.SENT
