from __future__ import annotations

from email.message import EmailMessage

import pytest

from inbox import hooks, services
from inbox.ingest import ingest_raw_email, process_raw_email
from inbox.ingest.pipeline import ingest_many
from inbox.models import Conversation, Customer, Event, Message, RawEmail
from inbox.tokens import reply_address
from tests.factories import ConversationFactory, CustomerFactory, MessageFactory
from tests.inbox.eml import build_email, eml

pytestmark = pytest.mark.django_db


def ingest(raw: bytes, **kwargs):
    kwargs.setdefault("source", RawEmail.Source.WEBHOOK)
    return ingest_raw_email(raw, **kwargs)


@pytest.fixture
def received(hook_calls):
    return hook_calls(hooks.INBOUND_RECEIVED)


def test_new_email_opens_a_conversation_with_customer_message_and_raw_copy(mailbox):
    raw = eml("plain")

    result = ingest(raw)

    assert result.status == "created"
    conversation = Conversation.objects.get(pk=result.conversation_id)
    assert conversation.mailbox == mailbox
    assert conversation.customer.email == "dana@customer.test"
    assert conversation.customer.first_name == "Dana"
    assert conversation.subject == "Order 4471 arrived damaged"
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.sentiment_first < 0
    message = Message.objects.get(pk=result.message_id)
    assert message.kind == Message.Kind.INBOUND
    assert message.message_id == "<CAF1plain001@mail.customer.test>"
    assert message.sentiment_label == "negative"
    assert bytes(message.raw_email.raw) == raw
    assert message.raw_email.status == RawEmail.Status.PROCESSED
    assert list(conversation.events.values_list("kind", flat=True)) == [
        Event.Kind.CONVERSATION_CREATED,
        Event.Kind.MESSAGE_ADDED,
    ]


def test_unparseable_mail_is_kept_raw_and_rejected_with_the_reason(mailbox):
    raw = b"Subject: no sender\r\nTo: support@acme.test\r\n\r\nbody"

    result = ingest(raw)

    assert result.status == "rejected"
    stored = RawEmail.objects.get(pk=result.raw_email_id)
    assert bytes(stored.raw) == raw
    assert stored.status == RawEmail.Status.REJECTED
    assert stored.reason == "unparseable: no sender address in From or Sender"
    assert Conversation.objects.count() == 0


def test_oversized_mail_is_kept_raw_and_rejected(mailbox, settings):
    settings.REPLYPAD_MAX_MESSAGE_BYTES = 2000
    raw = build_email(body="x" * 5000)

    result = ingest(raw)

    assert result.status == "rejected"
    assert "over the 2000-byte limit" in result.reason
    assert RawEmail.objects.get(pk=result.raw_email_id).size == len(raw)


def test_the_same_bytes_twice_are_a_duplicate_and_stored_once(mailbox):
    raw = eml("plain")
    ingest(raw)

    again = ingest(raw)

    assert again.status == "duplicate"
    assert RawEmail.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_same_message_id_in_different_bytes_is_a_duplicate(mailbox):
    ingest(eml("plain"))
    redelivered = b"Received: from relay2.test\r\n" + eml("plain")

    result = ingest(redelivered)

    assert result.status == "duplicate"
    assert (
        RawEmail.objects.get(pk=result.raw_email_id).status == RawEmail.Status.DUPLICATE
    )
    assert Message.objects.count() == 1


def test_mail_without_message_id_is_deduplicated_by_content_hash(mailbox):
    ingest(eml("no_message_id"))
    redelivered = b"Received: from relay2.test\r\n" + eml("no_message_id")

    result = ingest(redelivered)

    assert result.status == "duplicate"
    assert Message.objects.get().message_id.endswith("@synthetic.replypad.invalid>")


def test_reply_through_the_signed_reply_address_threads_into_its_conversation(mailbox):
    first = ingest(eml("plain"))
    conversation = Conversation.objects.get(pk=first.conversation_id)
    raw = (
        eml("gmail_reply")
        .replace(
            b"support+REPLYTOKEN@acme.test",
            reply_address(mailbox.email, conversation.pk).encode(),
        )
        .replace(b"In-Reply-To: <reply-from-acme-1@acme.test>\n", b"")
        .replace(b"References:", b"X-Old-References:")
    )

    result = ingest(raw)

    assert result.status == "threaded"
    assert result.threaded_by == "reply_token"
    assert result.conversation_id == conversation.pk
    assert Message.objects.get(pk=result.message_id).visible_text == (
        "Thank you, the replacement arrived and works perfectly."
    )


def test_reply_token_from_another_customer_opens_a_new_conversation(mailbox):
    conversation = ConversationFactory(mailbox=mailbox)
    raw = build_email(
        sender="intruder@evil.test",
        to=reply_address(mailbox.email, conversation.pk),
        subject="Re: hi",
    )

    result = ingest(raw)

    assert result.status == "created"
    assert result.conversation_id != conversation.pk


def test_reply_to_our_outgoing_message_threads_by_in_reply_to(mailbox):
    customer = CustomerFactory(email="dana@customer.test")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    MessageFactory(
        conversation=conversation,
        kind=Message.Kind.REPLY,
        message_id="<reply-from-acme-1@acme.test>",
    )
    raw = eml("gmail_reply")

    result = ingest(raw)

    assert result.status == "threaded"
    assert result.threaded_by == "references"
    assert result.conversation_id == conversation.pk


def test_references_into_another_mailbox_do_not_thread(mailbox, other_mailbox):
    customer = CustomerFactory(email="dana@customer.test")
    elsewhere = ConversationFactory(mailbox=other_mailbox, customer=customer)
    MessageFactory(
        conversation=elsewhere,
        kind=Message.Kind.REPLY,
        message_id="<reply-from-acme-1@acme.test>",
    )
    raw = eml("gmail_reply")

    result = ingest(raw)

    assert result.status == "created"
    assert Conversation.objects.get(pk=result.conversation_id).mailbox == mailbox


def test_references_to_another_customers_conversation_do_not_thread(mailbox):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(
        conversation=conversation,
        kind=Message.Kind.REPLY,
        message_id="<secret-1@acme.test>",
    )
    raw = build_email(
        sender="other@customer.test", headers={"In-Reply-To": "<secret-1@acme.test>"}
    )

    result = ingest(raw)

    assert result.status == "created"
    assert result.conversation_id != conversation.pk


def test_outlook_reply_without_threading_headers_follows_the_thread_index(mailbox):
    first = ingest(eml("outlook_first"))

    result = ingest(eml("outlook_reply"))

    assert result.status == "threaded"
    assert result.threaded_by == "thread_index"
    assert result.conversation_id == first.conversation_id


def test_subject_number_threads_only_for_the_same_customer(mailbox):
    customer = CustomerFactory(email="dana@customer.test")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    subject = f"Re: [#{conversation.number}] Order"

    own = ingest(build_email(subject=subject, message_id="<own@customer.test>"))
    foreign = ingest(
        build_email(
            sender="eve@evil.test", subject=subject, message_id="<eve@evil.test>"
        )
    )

    assert own.threaded_by == "subject_number"
    assert own.conversation_id == conversation.pk
    assert foreign.status == "created"


def test_customer_reply_to_a_resolved_conversation_reopens_it(mailbox, agent):
    first = ingest(eml("outlook_first"))
    services.change_status(
        Conversation.objects.get(pk=first.conversation_id), status="resolved", by=agent
    )

    ingest(eml("outlook_reply"))

    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.reopen_count == 1
    assert (
        Event.objects.filter(
            conversation=conversation, kind=Event.Kind.CONVERSATION_REOPENED
        ).count()
        == 1
    )


def test_auto_reply_threads_without_reopening(mailbox, agent):
    customer = CustomerFactory(email="dana@customer.test")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    MessageFactory(
        conversation=conversation,
        kind=Message.Kind.REPLY,
        message_id="<reply-from-acme-1@acme.test>",
    )
    services.change_status(conversation, status="resolved", by=agent)

    result = ingest(eml("auto_reply_ooo"))

    conversation.refresh_from_db()
    assert result.status == "threaded"
    assert conversation.status == Conversation.Status.RESOLVED
    assert Message.objects.get(pk=result.message_id).auto_submitted is True


def test_auto_reply_matching_no_conversation_is_rejected_and_creates_nothing(mailbox):
    raw = eml("auto_reply_xautoreply")

    result = ingest(raw)

    assert result.status == "rejected"
    assert result.reason == "auto-reply (x-autoreply header) matches no conversation"
    assert Customer.objects.count() == 0
    assert Conversation.objects.count() == 0


def test_bounce_marks_our_outgoing_message_bounced_and_opens_nothing(mailbox):
    conversation = ConversationFactory(mailbox=mailbox)
    reply = MessageFactory(
        conversation=conversation,
        kind=Message.Kind.REPLY,
        message_id="<outgoing-reply-1@acme.test>",
    )

    result = ingest(eml("dsn_bounce"))

    reply.refresh_from_db()
    assert result.status == "rejected"
    assert result.reason.startswith("bounce: delivery status notification")
    assert reply.delivery_status == Message.DeliveryStatus.BOUNCED
    assert Conversation.objects.count() == 1
    assert (
        Event.objects.filter(
            conversation=conversation, kind=Event.Kind.MESSAGE_BOUNCED
        ).count()
        == 1
    )


def test_a_bounce_for_a_message_already_complained_about_keeps_the_complaint(
    mailbox,
):
    conversation = ConversationFactory(mailbox=mailbox)
    reply = MessageFactory(
        conversation=conversation,
        kind=Message.Kind.REPLY,
        message_id="<outgoing-reply-1@acme.test>",
        delivery_status=Message.DeliveryStatus.COMPLAINED,
    )

    ingest(eml("dsn_bounce"))

    reply.refresh_from_db()
    assert reply.delivery_status == Message.DeliveryStatus.COMPLAINED
    assert not Event.objects.filter(kind=Event.Kind.MESSAGE_BOUNCED).exists()


def test_the_same_bounce_twice_is_recorded_once(mailbox):
    conversation = ConversationFactory(mailbox=mailbox)
    reply = MessageFactory(
        conversation=conversation,
        kind=Message.Kind.REPLY,
        message_id="<outgoing-reply-1@acme.test>",
    )

    first = ingest(eml("dsn_bounce"))
    second = ingest(eml("dsn_bounce"))

    reply.refresh_from_db()
    assert (first.status, second.status) == ("rejected", "rejected")
    assert reply.delivery_status == Message.DeliveryStatus.BOUNCED
    assert Event.objects.filter(kind=Event.Kind.MESSAGE_BOUNCED).count() == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(eml("spam"), "spam: X-Spam-Flag: YES", id="spam"),
        pytest.param(
            build_email(sender="support@acme.test"),
            "loop: sent from our own address support@acme.test",
            id="loop",
        ),
        pytest.param(
            build_email(sender="Support <SUPPORT+x@acme.test>"),
            "loop: sent from our own address SUPPORT+x@acme.test",
            id="loop-plus-address",
        ),
        pytest.param(
            build_email(to="someone@elsewhere.test"),
            "no mailbox for recipients: someone@elsewhere.test",
            id="no-mailbox",
        ),
    ],
)
def test_unwanted_mail_is_rejected_with_a_reason(mailbox, raw, reason):
    result = ingest(raw)

    assert result.status == "rejected"
    assert result.reason == reason
    assert RawEmail.objects.get(pk=result.raw_email_id).reason == reason
    assert Conversation.objects.count() == 0


def test_mailbox_is_found_from_the_envelope_recipient(mailbox, other_mailbox):
    raw = build_email(to="undisclosed-recipients:;")

    result = ingest(raw, envelope_recipient="help@globex.test")

    assert Conversation.objects.get(pk=result.conversation_id).mailbox == other_mailbox


def test_an_explicit_mailbox_wins_over_the_headers(mailbox, other_mailbox):
    raw = build_email(to="support@acme.test")

    result = ingest(raw, mailbox=other_mailbox)

    assert Conversation.objects.get(pk=result.conversation_id).mailbox == other_mailbox


def test_list_mail_opens_a_conversation_flagged_automatic(mailbox):
    raw = eml("list_mail")

    result = ingest(raw)

    assert result.status == "created"
    assert Message.objects.get(pk=result.message_id).auto_submitted is True


def test_attachments_are_stored_with_size_hash_and_inline_flag(mailbox):
    raw = eml("attachments")

    result = ingest(raw)

    attachments = Message.objects.get(pk=result.message_id).attachments.order_by("id")
    assert [(a.filename, a.is_inline, a.size) for a in attachments] == [
        ("attachment-1.png", True, 70),
        ("receipt.pdf", False, 54),
        ("notes-é.txt", False, 20),
    ]
    assert attachments[1].file.read().startswith(b"%PDF-1.4")
    assert attachments[0].content_id == "logo123@customer.test"


def test_hostile_html_is_stored_sanitised(mailbox):
    raw = eml("hostile_html")

    result = ingest(raw)

    message = Message.objects.get(pk=result.message_id)
    for forbidden in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<svg",
        "<iframe",
        "style=",
    ):
        assert forbidden not in message.html.lower()
    assert message.subject == "Hello Bcc: victim@evil.test"


def test_imported_history_keeps_its_date_and_live_mail_is_stamped_now(mailbox):
    imported = ingest(eml("plain"), source=RawEmail.Source.IMPORT)
    live = ingest(eml("alternative"))

    assert (
        Message.objects.get(pk=imported.message_id).created_at.isoformat()
        == "2026-03-03T08:15:00+00:00"
    )
    assert (
        Message.objects.get(pk=live.message_id).created_at
        > Message.objects.get(pk=imported.message_id).created_at
    )


def test_the_hook_announces_new_conversations_that_may_get_an_auto_reply(
    mailbox, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(eml("plain"))

    assert received == [
        {
            "message_id": result.message_id,
            "conversation_id": result.conversation_id,
            "created_conversation": True,
            "auto_reply_allowed": True,
        }
    ]


def test_the_hook_forbids_auto_reply_for_automatic_mail(
    mailbox, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ingest(eml("list_mail"))

    assert [call["auto_reply_allowed"] for call in received] == [False]


def test_retrying_a_rejected_raw_email_after_the_cause_is_fixed_processes_it(
    mailbox, other_mailbox
):
    result = ingest(build_email(to="new@globex.test"))
    other_mailbox.email = "new@globex.test"
    other_mailbox.save()

    retried = process_raw_email(RawEmail.objects.get(pk=result.raw_email_id))

    assert retried.status == "created"
    assert (
        RawEmail.objects.get(pk=result.raw_email_id).status == RawEmail.Status.PROCESSED
    )


def test_batched_ingest_keeps_order_and_one_bad_message_never_undoes_another(mailbox):
    items = [
        ("a", eml("plain")),
        ("b", b"garbage without headers"),
        ("c", eml("plain")),
        ("d", eml("outlook_first")),
        ("e", eml("outlook_reply")),
    ]

    results = list(ingest_many(items, source=RawEmail.Source.IMPORT, batch_size=3))

    assert [(key, result.status) for key, result in results] == [
        ("a", "created"),
        ("b", "rejected"),
        ("c", "duplicate"),
        ("d", "created"),
        ("e", "threaded"),
    ]
    assert RawEmail.objects.count() == 5
    assert Message.objects.count() == 3


def test_batched_ingest_of_already_processed_bytes_stores_nothing_new(mailbox):
    list(ingest_many([("a", eml("plain"))], source=RawEmail.Source.IMPORT))

    results = list(ingest_many([("a", eml("plain"))], source=RawEmail.Source.IMPORT))

    assert results[0][1].status == "duplicate"
    assert RawEmail.objects.count() == 1


def long_filename_attachment() -> bytes:
    message = EmailMessage()
    message["From"] = "files@customer.test"
    message["To"] = "support@acme.test"
    message["Message-ID"] = "<long-name@customer.test>"
    message.set_content("see attached")
    message.add_attachment(
        b"data", maintype="application", subtype="pdf", filename="r" * 190 + ".pdf"
    )
    return message.as_bytes()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            build_email(body="before\x00after", message_id="<nul@x.test>"),
            id="nul-in-body",
        ),
        pytest.param(
            b"From: Nul\x00Name <nul@customer.test>\r\nTo: support@acme.test\r\n"
            b"Subject: a\x00b\r\nMessage-ID: <nulhdr@x.test>\r\n\r\nbody",
            id="nul-in-headers",
        ),
        pytest.param(
            build_email(subject="S" * 5000, message_id="<long@x.test>"),
            id="huge-subject",
        ),
        pytest.param(
            build_email(
                headers={"References": " ".join(f"<r{n}@x.test>" for n in range(2000))}
            ),
            id="thousands-of-references",
        ),
        pytest.param(
            build_email(message_id="<" + "m" * 2000 + "@x.test>"),
            id="overlong-message-id",
        ),
        pytest.param(long_filename_attachment(), id="overlong-attachment-name"),
        pytest.param(
            build_email(
                body="{{ settings.SECRET_KEY }} {% debug %} ${7*7}",
                message_id="<tpl@x.test>",
            ),
            id="template-syntax",
        ),
    ],
)
def test_hostile_or_malformed_mail_is_stored_without_crashing(mailbox, raw):
    result = ingest(raw)

    assert result.status == "created"
    message = Message.objects.get(pk=result.message_id)
    assert "\x00" not in message.text + message.subject + message.from_name
    assert len(message.subject) <= 998
    assert len(message.message_id) <= 998
