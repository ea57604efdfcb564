from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime

import pytest

from inbox.ingest import ingest_raw_email
from inbox.models import Message, RawEmail
from inbox.outbound import loops, send_auto_reply
from inbox.outbound.loops import auto_reply_refusal
from inbox.tokens import conversation_id_from_address
from tests.factories import MessageFactory
from tests.inbox.eml import build_email
from tests.inbox.outbound_support import esp_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def auto_mailbox(mailbox):
    mailbox.auto_reply_enabled = True
    mailbox.save()
    return mailbox


@pytest.fixture
def receive(django_capture_on_commit_callbacks):
    """receive(**build_email kwargs): the pipeline ingests it, receivers run."""

    def _receive(source=RawEmail.Source.WEBHOOK, raw=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return ingest_raw_email(raw or build_email(**kwargs), source=source)

    return _receive


def _auto_replies():
    return Message.objects.filter(kind=Message.Kind.AUTO_REPLY)


def _parsed(email):
    return BytesParser(policy=policy.default).parsebytes(email.message().as_bytes())


def test_a_new_conversation_gets_one_friendly_auto_reply(auto_mailbox, esp, receive):
    result = receive(message_id="<new-1@customer.test>")

    reply = _auto_replies().get()
    sent = _parsed(esp[0])
    assert reply.conversation_id == result.conversation_id
    assert reply.delivery_status == Message.DeliveryStatus.SENT
    assert reply.subject == f"We have your message [#{reply.conversation.number}]"
    assert reply.visible_text.startswith("Hi Dana,")
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["To"] == "dana@customer.test"
    assert sent["In-Reply-To"] == "<new-1@customer.test>"
    assert conversation_id_from_address(str(sent["Reply-To"])) == (
        result.conversation_id
    )


def test_the_customers_answer_to_the_auto_reply_threads_and_gets_no_second_one(
    auto_mailbox, esp, receive
):
    first = receive(message_id="<new-1@customer.test>")
    sent = _parsed(esp[0])

    answer = receive(
        to=str(sent["Reply-To"]),
        subject=f"Re: {sent['Subject']}",
        message_id="<answer-1@customer.test>",
        headers={"In-Reply-To": str(sent["Message-ID"])},
    )

    assert answer.status == "threaded"
    assert answer.conversation_id == first.conversation_id
    assert _auto_replies().count() == 1


def test_the_mailbox_auto_reply_text_is_rendered_with_the_customer(
    auto_mailbox, esp, receive
):
    auto_mailbox.auto_reply_subject = "Thanks, {{ customer.first_name }}"
    auto_mailbox.auto_reply_body = (
        "We read every message. Ref {{ conversation.number }}."
    )
    auto_mailbox.save()

    receive()

    reply = _auto_replies().get()
    assert reply.subject == "Thanks, Dana"
    assert reply.visible_text == (
        f"We read every message. Ref {reply.conversation.number}."
    )


def test_a_template_that_tries_to_escape_the_sandbox_falls_back_to_the_default(
    auto_mailbox, esp, receive
):
    auto_mailbox.auto_reply_body = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    auto_mailbox.save()

    receive()

    assert _auto_replies().get().visible_text.startswith("Hi Dana,")


def test_no_auto_reply_when_the_mailbox_has_it_off(mailbox, esp, receive):
    result = receive()

    assert result.status == "created"
    assert not _auto_replies().exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"List-Id": "<customers.lists.example.test>"},
        {"X-Auto-Response-Suppress": "All"},
    ],
    ids=["auto-submitted", "bulk", "list", "suppress"],
)
def test_no_auto_reply_to_robots_or_lists(auto_mailbox, esp, receive, headers):
    receive(headers=headers)

    assert not _auto_replies().exists()


def test_no_auto_reply_to_a_mailer_daemon(auto_mailbox, esp, receive):
    receive(sender="Mail Delivery System <MAILER-DAEMON@mx.customer.test>")

    assert not _auto_replies().exists()


def test_no_auto_reply_to_imported_history(auto_mailbox, esp, receive):
    raw = build_email(message_id="<old@customer.test>").replace(
        b"Date: ",
        f"Date: {format_datetime(datetime.now(UTC) - timedelta(days=3))}\r\nX-Old-Date: ".encode(),
        1,
    )

    result = receive(raw=raw, source=RawEmail.Source.IMPORT)

    assert result.status == "created"
    assert not _auto_replies().exists()


def test_a_customer_gets_at_most_one_auto_reply_per_window(auto_mailbox, esp, receive):
    receive(subject="First problem", message_id="<p1@customer.test>")
    receive(subject="Second problem", message_id="<p2@customer.test>")

    assert Message.objects.filter(kind=Message.Kind.INBOUND).count() == 2
    assert _auto_replies().count() == 1


def test_the_window_is_per_customer(auto_mailbox, esp, receive):
    receive(sender="One <one@customer.test>", message_id="<a@customer.test>")
    receive(sender="Two <two@customer.test>", message_id="<b@customer.test>")

    assert _auto_replies().count() == 2


def test_the_service_refuses_a_message_marked_automatic(auto_mailbox, esp):
    message = MessageFactory(
        conversation__mailbox=auto_mailbox, auto_submitted=True, text="OOO"
    )

    assert send_auto_reply(message.pk) is None


def test_the_service_refuses_a_reply_that_is_not_from_a_customer(auto_mailbox, esp):
    message = MessageFactory(
        conversation__mailbox=auto_mailbox, kind=Message.Kind.REPLY, text="Hi"
    )

    assert send_auto_reply(message.pk) is None


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


@pytest.mark.parametrize(
    "header",
    [
        b"Auto-Submitted: auto-generated\r\n",
        b"Precedence: junk\r\n",
        b"List-Unsubscribe: <mailto:leave@lists.example.test>\r\n",
        b"Return-Path: <>\r\n",
        b"Content-Type: multipart/report; report-type=delivery-status\r\n",
        b"X-Autoreply: yes\r\n",
    ],
    ids=["auto-generated", "junk", "unsubscribe", "null-return-path", "dsn", "x-ar"],
)
def test_headers_of_automatic_mail_refuse_an_auto_reply(header):
    refusal = auto_reply_refusal(
        loops.parse_headers(b"From: dana@example.test\r\n" + header),
        from_email="dana@example.test",
        mailbox_email="support@acme.test",
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
