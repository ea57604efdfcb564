from __future__ import annotations

from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
import time_machine
from anymail.exceptions import AnymailRecipientsRefused
from django.utils import timezone

from inbox import services
from inbox.errors import NotAMember, UnknownStatus, UnsafeHeaderValue
from inbox.ingest import ingest_raw_email
from inbox.models import Conversation, Event, Message, RawEmail
from inbox.outbound import (
    cancel_reply,
    deliver_message,
    dispatch_due_messages,
    retry_message,
    send_reply,
)
from inbox.outbound.errors import (
    EmptyReply,
    InvalidRecipient,
    NotRetryable,
    TransientSendError,
    UndoTooLate,
)
from inbox.tasks import send_message_task
from inbox.tokens import conversation_id_from_address
from templates_app.errors import MissingValues, TemplateInactive
from tests.factories import CannedTemplateFactory
from tests.inbox.outbound_support import (  # noqa: F401
    FlakyEsp,
    conversation_fixture,
    esp_error,
    esp_fixture,
)

pytestmark = pytest.mark.django_db
Delivery = Message.DeliveryStatus


def test_a_reply_is_stored_queued_until_the_undo_window_ends(
    conversation, agent, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    before = timezone.now()

    message = send_reply(conversation, body="I am sorry, Dana.", by=agent)

    assert message.delivery_status == Delivery.QUEUED
    assert message.kind == Message.Kind.REPLY
    assert message.author == agent
    assert message.to == ["dana@example.test"]
    assert message.subject == "Re: Order 1234 never arrived"
    assert message.visible_text == "I am sorry, Dana."
    assert message.text == "I am sorry, Dana.\n\n-- \n— The Acme team\n"
    assert message.send_after >= before + timedelta(seconds=10)
    assert esp == []


def test_a_reply_is_not_sent_before_its_undo_window_ends(
    conversation, agent, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    message = send_reply(conversation, body="Hello", by=agent)

    result = deliver_message(message.pk)

    assert result == "skipped"
    assert esp == []


def test_a_due_reply_is_sent_once_with_the_esp_id(conversation, agent, esp):
    message = send_reply(conversation, body="Hello", by=agent)

    result = deliver_message(message.pk)

    message.refresh_from_db()
    assert result == "sent"
    assert message.delivery_status == Delivery.SENT
    assert message.sent_at is not None
    assert message.esp_message_id == "0"
    assert len(esp) == 1


def test_running_the_send_task_twice_sends_once(conversation, agent, esp):
    message = send_reply(conversation, body="Hello", by=agent)

    first = send_message_task.apply(args=[message.pk]).get()
    second = send_message_task.apply(args=[message.pk]).get()

    message.refresh_from_db()
    assert (first, second) == ("sent", "skipped")
    assert len(esp) == 1
    assert message.send_attempts == 1


def test_the_task_does_nothing_for_a_message_that_is_gone(esp):
    result = send_message_task.apply(args=[987654]).get()

    assert result == "skipped"
    assert esp == []


def test_send_and_resolve_resolves_the_conversation_at_once(conversation, agent, esp):
    send_reply(conversation, body="Fixed!", by=agent, status_after="resolved")

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    assert conversation.first_response_at is not None


def test_a_reply_can_carry_cc_bcc_and_an_override_reason(conversation, agent, esp):
    message = send_reply(
        conversation,
        body="Sorry!",
        by=agent,
        cc="boss@example.test",
        bcc=["audit@acme.test"],
        empathy_override_reason="Customer asked for brevity",
    )
    deliver_message(message.pk)

    assert message.cc == ["boss@example.test"]
    assert message.empathy_override_reason == "Customer asked for brevity"
    assert esp[0].cc == ["boss@example.test"]
    assert esp[0].bcc == ["audit@acme.test"]


def test_an_empty_reply_is_refused(conversation, agent, esp):
    with pytest.raises(EmptyReply):
        send_reply(conversation, body="   \n", by=agent)

    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_an_outsider_cannot_reply(conversation, outsider, esp):
    with pytest.raises(NotAMember):
        send_reply(conversation, body="Hi", by=outsider)

    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_an_unknown_status_after_sending_is_refused(conversation, agent, esp):
    with pytest.raises(UnknownStatus):
        send_reply(conversation, body="Hi", by=agent, status_after="snoozed")


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"cc": "a@x.test\r\nBcc: victim@y.test"}, UnsafeHeaderValue, "cc"),
        ({"bcc": ["b@x.test\nX-Evil: 1"]}, UnsafeHeaderValue, "bcc"),
        ({"subject": "Hello\r\nBcc: victim@y.test"}, UnsafeHeaderValue, "subject"),
        ({"cc": "nobody"}, InvalidRecipient, "cc"),
    ],
    ids=["cc-crlf", "bcc-lf", "subject-crlf", "cc-not-an-address"],
)
def test_header_injection_is_refused_and_nothing_is_stored_or_sent(
    conversation, agent, esp, kwargs, error, field
):
    with pytest.raises(error) as refused:
        send_reply(conversation, body="Hi", by=agent, **kwargs)

    assert refused.value.field == field
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()
    assert dispatch_due_messages() == 0
    assert esp == []


def test_a_customer_address_with_a_line_break_is_refused(conversation, agent, esp):
    conversation.customer.email = "dana@example.test\r\nBcc: victim@y.test"
    conversation.customer.save()

    with pytest.raises(UnsafeHeaderValue):
        send_reply(conversation, body="Hi", by=agent)

    assert esp == []


def test_a_row_tampered_into_an_injection_is_marked_failed_and_not_sent(
    conversation, agent, esp
):
    message = send_reply(conversation, body="Hi", by=agent)
    Message.objects.filter(pk=message.pk).update(cc=["x@y.test\r\nBcc: v@z.test"])

    result = deliver_message(message.pk)

    message.refresh_from_db()
    assert result == "failed"
    assert message.delivery_status == Delivery.FAILED
    assert "single line" in message.delivery_detail
    assert esp == []


def test_undo_cancels_a_queued_reply_and_it_is_never_sent(
    conversation, agent, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    message = send_reply(conversation, body="Oops, wrong customer", by=agent)

    cancel_reply(message, by=agent)
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        result = deliver_message(message.pk)

    message.refresh_from_db()
    conversation.refresh_from_db()
    assert message.delivery_status == Delivery.CANCELLED
    assert result == "skipped"
    assert esp == []
    assert conversation.first_response_at is None
    assert Event.objects.filter(
        conversation=conversation, kind=Event.Kind.REPLY_CANCELLED
    )


def test_undo_of_send_and_resolve_reopens_the_conversation(
    conversation, agent, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    message = send_reply(conversation, body="Done", by=agent, status_after="resolved")

    cancel_reply(message, by=agent)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN
    assert (message.status_before_reply, message.status_after_reply) == (
        Conversation.Status.OPEN,
        Conversation.Status.RESOLVED,
    )


def test_undo_after_a_teammate_changed_the_status_keeps_the_teammates_status(
    conversation, agent, teammate, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    message = send_reply(conversation, body="Done", by=agent, status_after="resolved")
    services.change_status(conversation, status="pending", by=teammate)

    cancel_reply(message, by=agent)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.PENDING


def test_undo_of_a_reply_that_changed_no_status_leaves_the_status_alone(
    conversation, agent, teammate, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    message = send_reply(conversation, body="Done", by=agent)
    services.change_status(conversation, status="resolved", by=teammate)

    cancel_reply(message, by=agent)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED


def test_undo_after_the_reply_left_is_too_late(conversation, agent, esp):
    message = send_reply(conversation, body="Hello", by=agent)
    deliver_message(message.pk)

    with pytest.raises(UndoTooLate):
        cancel_reply(message, by=agent)

    message.refresh_from_db()
    assert message.delivery_status == Delivery.SENT


def test_an_outsider_cannot_undo(conversation, agent, outsider, esp, settings):
    settings.REPLYPAD_UNDO_SECONDS = 10
    message = send_reply(conversation, body="Hello", by=agent)

    with pytest.raises(NotAMember):
        cancel_reply(message, by=outsider)

    message.refresh_from_db()
    assert message.delivery_status == Delivery.QUEUED


@pytest.mark.parametrize(
    "error",
    [
        esp_error(503, "Service Unavailable"),
        esp_error(429, "Too Many Requests"),
        esp_error(None),
        ConnectionRefusedError("connection refused"),
    ],
    ids=["503", "429", "no-response", "connection-refused"],
)
def test_a_transient_esp_error_queues_the_message_again_with_backoff(
    conversation, agent, esp, error
):
    message = send_reply(conversation, body="Hello", by=agent)
    FlakyEsp.failures = [error]

    with pytest.raises(TransientSendError) as deferred:
        deliver_message(message.pk)

    message.refresh_from_db()
    assert deferred.value.retry_in == 30
    assert message.delivery_status == Delivery.QUEUED
    assert message.send_after > timezone.now() + timedelta(seconds=25)
    assert "Attempt 1 failed" in message.delivery_detail
    assert message.send_attempts == 1
    assert Event.objects.filter(
        kind=Event.Kind.DELIVERY_DEFERRED, data__attempt=1
    ).exists()


def test_the_attempt_limit_counts_the_attempts_stored_on_the_message(
    conversation, agent, esp, settings
):
    settings.REPLYPAD_SEND_MAX_ATTEMPTS = 3
    message = send_reply(conversation, body="Hello", by=agent)
    Message.objects.filter(pk=message.pk).update(send_attempts=2)
    FlakyEsp.failures = [esp_error(503, "Service Unavailable")]

    result = deliver_message(message.pk)

    message.refresh_from_db()
    assert result == "failed"
    assert message.send_attempts == 3
    assert message.delivery_detail.startswith("Gave up after 3 attempts")


def test_a_transiently_failed_message_is_sent_on_the_retry(conversation, agent, esp):
    message = send_reply(conversation, body="Hello", by=agent)
    FlakyEsp.failures = [esp_error(502, "Bad Gateway")]
    with pytest.raises(TransientSendError):
        deliver_message(message.pk)

    early = deliver_message(message.pk)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        late = deliver_message(message.pk)

    message.refresh_from_db()
    assert (early, late) == ("skipped", "sent")
    assert message.delivery_status == Delivery.SENT
    assert len(esp) == 1


def test_backoff_doubles_and_gives_up_after_the_attempt_limit(
    conversation, agent, esp, settings
):
    settings.REPLYPAD_SEND_MAX_ATTEMPTS = 3
    message = send_reply(conversation, body="Hello", by=agent)
    FlakyEsp.failures = [esp_error(503, "Service Unavailable") for _ in range(3)]
    delays = []

    with pytest.raises(TransientSendError) as first:
        deliver_message(message.pk)
    delays.append(first.value.retry_in)
    with pytest.raises(TransientSendError) as second:
        deliver_message(message.pk, now=timezone.now() + timedelta(seconds=31))
    delays.append(second.value.retry_in)
    last = deliver_message(message.pk, now=timezone.now() + timedelta(seconds=100))

    message.refresh_from_db()
    assert delays == [30, 60]
    assert last == "failed"
    assert message.delivery_status == Delivery.FAILED
    assert message.delivery_detail.startswith("Gave up after 3 attempts")
    assert message.send_attempts == 3


def test_a_manual_retry_starts_the_backoff_over(conversation, agent, esp, settings):
    settings.REPLYPAD_SEND_MAX_ATTEMPTS = 2
    message = send_reply(conversation, body="Hello", by=agent)
    Message.objects.filter(pk=message.pk).update(
        send_attempts=2, delivery_status=Delivery.FAILED
    )
    FlakyEsp.failures = [esp_error(503, "Service Unavailable")]

    retry_message(message, by=agent)
    with pytest.raises(TransientSendError) as deferred:
        deliver_message(message.pk)

    message.refresh_from_db()
    assert deferred.value.retry_in == 30
    assert message.delivery_status == Delivery.QUEUED
    assert message.send_attempts == 1


@pytest.mark.parametrize(
    "error",
    [
        esp_error(422, "Invalid From address"),
        AnymailRecipientsRefused("All recipients rejected"),
    ],
    ids=["422", "recipients-refused"],
)
def test_a_permanent_esp_error_marks_the_message_failed_with_the_reason(
    conversation, agent, esp, error
):
    message = send_reply(conversation, body="Hello", by=agent)
    FlakyEsp.failures = [error]

    result = deliver_message(message.pk)

    message.refresh_from_db()
    event = Event.objects.get(kind=Event.Kind.MESSAGE_FAILED)
    assert result == "failed"
    assert message.delivery_status == Delivery.FAILED
    assert message.delivery_detail
    assert event.data["message"] == message.pk


def test_a_failed_message_can_be_sent_again(conversation, agent, esp):
    message = send_reply(conversation, body="Hello", by=agent)
    FlakyEsp.failures = [esp_error(400, "Bad Request")]
    deliver_message(message.pk)

    retry_message(message, by=agent)
    result = deliver_message(message.pk)

    message.refresh_from_db()
    assert result == "sent"
    assert message.delivery_status == Delivery.SENT


def test_only_a_failed_message_can_be_sent_again(conversation, agent, esp):
    message = send_reply(conversation, body="Hello", by=agent)

    with pytest.raises(NotRetryable):
        retry_message(message, by=agent)


def test_the_dispatcher_sends_due_replies_and_leaves_the_others(
    conversation, agent, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    due = send_reply(conversation, body="Due", by=agent)
    waiting = send_reply(conversation, body="Waiting", by=agent)
    Message.objects.filter(pk=due.pk).update(
        send_after=timezone.now() - timedelta(seconds=1)
    )

    dispatched = dispatch_due_messages()
    again = dispatch_due_messages()

    due.refresh_from_db()
    waiting.refresh_from_db()
    assert (dispatched, again) == (1, 0)
    assert due.delivery_status == Delivery.SENT
    assert waiting.delivery_status == Delivery.QUEUED
    assert [email.body.split()[0] for email in esp] == ["Due"]


def test_round_trip_the_customer_answer_is_ingested_into_the_same_conversation(
    conversation, agent, esp
):
    message = send_reply(
        conversation, body="We are on it.", by=agent, status_after="resolved"
    )
    deliver_message(message.pk)
    sent = BytesParser(policy=policy.default).parsebytes(esp[0].message().as_bytes())
    answer = EmailMessage()
    answer["From"] = "Dana Scully <dana@example.test>"
    answer["To"] = sent["Reply-To"]
    answer["Subject"] = f"Re: {sent['Subject']}"
    answer["Message-ID"] = "<answer@example.test>"
    answer["In-Reply-To"] = sent["Message-ID"]
    answer["References"] = f"{sent['References']} {sent['Message-ID']}"
    answer.set_content("Thank you, it arrived!\n\n> We are on it.")

    result = ingest_raw_email(answer.as_bytes(), source=RawEmail.Source.WEBHOOK)

    conversation.refresh_from_db()
    latest = conversation.messages.order_by("-created_at", "-id").first()
    assert result.status == "threaded"
    assert result.conversation_id == conversation.pk
    assert latest.in_reply_to == message.message_id
    assert latest.visible_text.startswith("Thank you, it arrived!")
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.reopen_count == 1
    assert conversation.messages.count() == 3


def test_round_trip_threads_on_the_reply_token_even_without_in_reply_to(
    conversation, agent, esp
):
    message = send_reply(conversation, body="We are on it.", by=agent)
    deliver_message(message.pk)
    sent = BytesParser(policy=policy.default).parsebytes(esp[0].message().as_bytes())
    answer = EmailMessage()
    answer["From"] = "dana@example.test"
    answer["To"] = sent["Reply-To"]
    answer["Subject"] = "Something else entirely"
    answer["Message-ID"] = "<answer-2@example.test>"
    answer.set_content("One more thing.")

    result = ingest_raw_email(answer.as_bytes(), source=RawEmail.Source.WEBHOOK)

    assert conversation_id_from_address(str(sent["Reply-To"])) == conversation.pk
    assert result.status == "threaded"
    assert result.conversation_id == conversation.pk


def test_without_an_esp_the_reply_lands_in_the_outbox_as_the_exact_eml(
    conversation, agent, settings
):
    settings.EMAIL_BACKEND = "replypad.outbox.OutboxEmailBackend"
    message = send_reply(conversation, body="Hello *Dana*", by=agent)

    result = deliver_message(message.pk)

    files = list(settings.REPLYPAD_OUTBOX_DIR.glob("*.eml"))
    parsed = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert result == "sent"
    assert len(files) == 1
    assert parsed["Message-ID"] == message.message_id
    assert parsed["In-Reply-To"] == "<first@example.test>"
    assert parsed.get_content_type() == "multipart/alternative"
    assert "<em>Dana</em>" in parsed.get_body(("html",)).get_content()


def test_an_empty_box_with_a_canned_reply_sends_the_rendered_text(
    conversation, agent, esp
):
    template = CannedTemplateFactory(
        subject="",
        body="Hi {{ customer.first_name }}, order {{ ask.order }} ships today.",
    )

    message = send_reply(
        conversation, body="", by=agent, template_id=template.pk, ask={"order": "A-1"}
    )

    assert message.visible_text == "Hi Dana, order A-1 ships today."
    assert message.subject == "Re: Order 1234 never arrived"
    assert message.template_use.template == template


def test_the_agents_tailored_text_wins_over_the_canned_reply(conversation, agent, esp):
    template = CannedTemplateFactory(body="Hi {{ customer.first_name }}.")

    message = send_reply(
        conversation, body="Hi Dana, so sorry!", by=agent, template_id=template.pk
    )

    assert message.visible_text == "Hi Dana, so sorry!"


def test_a_canned_reply_with_missing_values_blocks_sending(conversation, agent, esp):
    template = CannedTemplateFactory(body="Order {{ ask.order }} ships today.")

    with pytest.raises(MissingValues):
        send_reply(conversation, body="", by=agent, template_id=template.pk, ask={})

    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_a_retired_canned_reply_cannot_be_sent(conversation, agent, esp):
    template = CannedTemplateFactory(is_active=False)

    with pytest.raises(TemplateInactive):
        send_reply(conversation, body="Hi", by=agent, template_id=template.pk)
