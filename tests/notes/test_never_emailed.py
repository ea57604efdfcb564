from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from inbox import selectors as inbox_selectors
from inbox import services as inbox_services
from inbox.ingest import ingest_raw_email
from inbox.models import Conversation, Message, RawEmail
from inbox.outbound import deliver_message
from notes import services
from notes.models import Follower
from tests.factories import ConversationFactory, MessageFactory
from tests.inbox.eml import build_email
from tests.inbox.outbound_support import esp_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET = "INTERNAL-ONLY refund override code 7731"


def _everything_in(email):
    parts = [email.subject, email.body, *[str(v) for v in email.extra_headers.values()]]
    parts += [content for content, _ in getattr(email, "alternatives", [])]
    parts.append(email.message().as_string())
    return "\n".join(parts)


@pytest.fixture
def conversation(mailbox):
    conversation = ConversationFactory(mailbox=mailbox, subject="Refund")
    MessageFactory(conversation=conversation, text="Where is my refund?")
    return conversation


def test_a_note_is_never_a_message_of_the_conversation(conversation, agent):
    services.add_note(conversation, body=SECRET, by=agent)

    texts = Message.objects.filter(conversation=conversation).values_list(
        "text", "visible_text", "html"
    )
    thread_messages = [
        item.obj
        for item in inbox_selectors.thread_for(conversation)
        if item.kind == "message"
    ]

    assert all(SECRET not in " ".join(row) for row in texts)
    assert all(SECRET not in message.text for message in thread_messages)
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_the_messages_api_never_returns_a_note(api_client, conversation, agent):
    services.add_note(conversation, body=SECRET, by=agent)
    api_client.force_authenticate(agent)

    response = api_client.get(f"/api/v1/conversations/{conversation.pk}/messages/")

    assert SECRET not in response.content.decode()


def test_no_email_sent_around_a_note_ever_contains_it(
    conversation, agent, teammate, lead, django_capture_on_commit_callbacks
):
    for user in (teammate, lead):
        for event in (
            "new_message",
            "assigned",
            "mention",
            "status_changed",
            "note_added",
        ):
            services.set_preference(user, event=event, email=True, auto_follow=True)
    Follower.objects.add(conversation, lead)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        services.add_note(conversation, body=f"@bob {SECRET}", by=agent)
        note = services.add_note(conversation, body=SECRET, by=agent).note
        services.edit_note(note, body=f"{SECRET} @lena", by=agent)
        inbox_services.assign(conversation, to=teammate, by=agent)
        inbox_services.change_status(conversation, status="pending", by=agent)
        with django_capture_on_commit_callbacks(execute=True):
            MessageFactory(conversation=conversation, text="Any news?")
        clock.shift(timedelta(minutes=3))
        sent = services.send_due_digests()

    assert sent == 2
    assert len(mail.outbox) == 2
    assert all(SECRET not in _everything_in(email) for email in mail.outbox)


def _sent_text(email):
    return email.message().as_bytes().decode("utf-8", "replace")


def test_a_reply_sent_after_a_note_never_carries_the_note(
    api_client, mailbox, agent, teammate, esp
):
    conversation = ConversationFactory(mailbox=mailbox, subject="Refund")
    MessageFactory(conversation=conversation, text="Where is my refund?")
    services.add_note(conversation, body=f"@bob {SECRET}", by=agent)
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/replies/",
        {"body": "Your refund is on its way."},
        format="json",
    )
    deliver_message(response.json()["id"])

    assert len(esp) == 1
    assert "Your refund is on its way." in _sent_text(esp[0])
    assert SECRET not in _sent_text(esp[0])


def test_auto_replies_and_replies_around_a_noted_conversation_never_carry_it(
    api_client, mailbox, agent, teammate, esp, django_capture_on_commit_callbacks
):
    mailbox.auto_reply_enabled = True
    mailbox.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest_raw_email(
            build_email(message_id="<first@customer.test>"),
            source=RawEmail.Source.WEBHOOK,
        )
    conversation = Conversation.objects.get(pk=first.conversation_id)
    services.add_note(conversation, body=f"@bob {SECRET}", by=agent)
    api_client.force_authenticate(agent)

    with django_capture_on_commit_callbacks(execute=True):
        ingest_raw_email(
            build_email(
                message_id="<second@customer.test>",
                subject="A different problem",
                body="Also my invoice is wrong.",
            ),
            source=RawEmail.Source.WEBHOOK,
        )
    reply = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/replies/",
        {"body": "We are on it."},
        format="json",
    ).json()
    deliver_message(reply["id"])

    kinds = set(
        Message.objects.filter(delivery_status="sent").values_list("kind", flat=True)
    )
    assert kinds == {"auto_reply", "reply"}
    assert len(esp) >= 2
    assert all(SECRET not in _sent_text(email) for email in esp)
