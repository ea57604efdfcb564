from __future__ import annotations

from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from django.utils import timezone

from inbox.models import Message
from inbox.outbound import deliver_message, loops
from inbox.outbound.loops import auto_reply_refusal
from tests.factories import ConversationFactory, CustomerFactory, MessageFactory
from tests.inbox.outbound_support import RawEmailFactory, esp_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def auto_mailbox(mailbox):
    mailbox.auto_reply_enabled = True
    mailbox.save()
    return mailbox


def _new_conversation(mailbox, django_capture_on_commit_callbacks, **message_kwargs):
    customer = message_kwargs.pop("customer", None) or CustomerFactory(
        email="dana@example.test", name="Dana Scully", first_name="Dana"
    )
    with django_capture_on_commit_callbacks(execute=True):
        conversation = ConversationFactory(
            mailbox=mailbox, customer=customer, subject="Help"
        )
        MessageFactory(
            conversation=conversation,
            text="Where is my order?",
            from_email=customer.email,
            **message_kwargs,
        )
    return conversation


def _auto_replies():
    return Message.objects.filter(kind=Message.Kind.AUTO_REPLY)


def test_a_new_conversation_gets_one_friendly_auto_reply(
    auto_mailbox, esp, django_capture_on_commit_callbacks
):
    conversation = _new_conversation(auto_mailbox, django_capture_on_commit_callbacks)

    reply = _auto_replies().get()
    deliver_message(reply.pk)

    sent = BytesParser(policy=policy.default).parsebytes(esp[0].message().as_bytes())
    assert reply.conversation == conversation
    assert reply.auto_submitted is True
    assert reply.subject == f"We have your message [#{conversation.number}]"
    assert reply.visible_text.startswith("Hi Dana,")
    assert f"#{conversation.number}" in reply.visible_text
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["To"] == "dana@example.test"


def test_the_mailbox_auto_reply_text_is_rendered_with_the_customer(
    auto_mailbox, esp, django_capture_on_commit_callbacks
):
    auto_mailbox.auto_reply_subject = "Thanks, {{ customer.first_name }}"
    auto_mailbox.auto_reply_body = (
        "We read every message. Ref {{ conversation.number }}."
    )
    auto_mailbox.save()

    conversation = _new_conversation(auto_mailbox, django_capture_on_commit_callbacks)

    reply = _auto_replies().get()
    assert reply.subject == "Thanks, Dana"
    assert reply.visible_text == f"We read every message. Ref {conversation.number}."


def test_a_template_that_tries_to_escape_the_sandbox_falls_back_to_the_default(
    auto_mailbox, esp, django_capture_on_commit_callbacks
):
    auto_mailbox.auto_reply_body = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    auto_mailbox.save()

    _new_conversation(auto_mailbox, django_capture_on_commit_callbacks)

    assert _auto_replies().get().visible_text.startswith("Hi Dana,")


def test_no_auto_reply_to_imported_history(
    auto_mailbox, esp, django_capture_on_commit_callbacks
):
    _new_conversation(
        auto_mailbox,
        django_capture_on_commit_callbacks,
        at=timezone.now() - timedelta(days=3),
    )

    assert not _auto_replies().exists()


def test_no_auto_reply_when_the_mailbox_has_it_off(
    mailbox, esp, django_capture_on_commit_callbacks
):
    _new_conversation(mailbox, django_capture_on_commit_callbacks)

    assert not _auto_replies().exists()


def test_no_auto_reply_to_a_second_message_in_the_same_conversation(
    auto_mailbox, esp, django_capture_on_commit_callbacks
):
    conversation = _new_conversation(auto_mailbox, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        MessageFactory(conversation=conversation, text="Hello again?")

    assert _auto_replies().count() == 1


def test_no_auto_reply_to_mail_marked_automatic(
    auto_mailbox, esp, django_capture_on_commit_callbacks
):
    _new_conversation(
        auto_mailbox, django_capture_on_commit_callbacks, auto_submitted=True
    )

    assert not _auto_replies().exists()


@pytest.mark.parametrize(
    "headers",
    [
        b"Auto-Submitted: auto-replied\r\n",
        b"Precedence: bulk\r\n",
        b"List-Id: <customers.lists.example.test>\r\n",
        b"Return-Path: <>\r\n",
        b"Content-Type: multipart/report; report-type=delivery-status\r\n",
        b"X-Auto-Response-Suppress: All\r\n",
    ],
    ids=["auto-submitted", "bulk", "list", "bounce", "report", "suppress"],
)
def test_no_auto_reply_to_robots_lists_or_bounces(
    auto_mailbox, esp, django_capture_on_commit_callbacks, headers
):
    raw = RawEmailFactory(
        raw=b"From: dana@example.test\r\n" + headers + b"Subject: x\r\n\r\nBody\r\n"
    )

    _new_conversation(auto_mailbox, django_capture_on_commit_callbacks, raw_email=raw)

    assert not _auto_replies().exists()


def test_a_customer_gets_at_most_one_auto_reply_per_window(
    auto_mailbox, esp, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="dana@example.test", first_name="Dana")

    _new_conversation(
        auto_mailbox, django_capture_on_commit_callbacks, customer=customer
    )
    _new_conversation(
        auto_mailbox, django_capture_on_commit_callbacks, customer=customer
    )

    assert _auto_replies().count() == 1


def test_the_window_is_per_customer(
    auto_mailbox, esp, django_capture_on_commit_callbacks
):
    _new_conversation(
        auto_mailbox,
        django_capture_on_commit_callbacks,
        customer=CustomerFactory(email="one@example.test"),
    )
    _new_conversation(
        auto_mailbox,
        django_capture_on_commit_callbacks,
        customer=CustomerFactory(email="two@example.test"),
    )

    assert _auto_replies().count() == 2


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.example.test",
        "postmaster@example.test",
        "no-reply@shop.example.test",
        "noreply+123@shop.example.test",
        "owner-list@lists.example.test",
        "support@acme.test",
    ],
)
def test_robot_and_own_addresses_never_get_an_auto_reply(sender):
    refusal = auto_reply_refusal(
        None, from_email=sender, mailbox_email="support@acme.test"
    )

    assert refusal is not None


def test_a_person_writing_plainly_may_get_an_auto_reply():
    headers = loops.parse_headers(
        b"From: Dana <dana@example.test>\r\nAuto-Submitted: no\r\n"
        b"Return-Path: <dana@example.test>\r\n"
    )

    refusal = auto_reply_refusal(
        headers, from_email="dana@example.test", mailbox_email="support@acme.test"
    )

    assert refusal is None
