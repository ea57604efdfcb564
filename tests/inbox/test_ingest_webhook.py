from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

import pytest

from inbox.models import Conversation, Message, RawEmail
from tests.inbox.eml import eml

pytestmark = pytest.mark.django_db

SIGNING_KEY = "mailgun-signing-key"
BASIC = "hook:s3cret"


@pytest.fixture(autouse=True)
def _anymail(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": BASIC,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }


def basic_auth(credentials: str = BASIC) -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()
    }


def mailgun_signature(key: str = SIGNING_KEY) -> dict[str, str]:
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    signature = hmac.new(
        key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


def post_mailgun(client, data, **extra):
    return client.post("/anymail/mailgun/inbound/", data, **extra)


def post_postmark(client, payload, **extra):
    return client.post(
        "/anymail/postmark/inbound/",
        json.dumps(payload),
        content_type="application/json",
        **extra,
    )


def test_mailgun_raw_mime_post_stores_the_exact_bytes_and_opens_a_conversation(
    client, mailbox
):
    raw = eml("plain")
    data = {
        "body-mime": raw.decode(),
        "recipient": "support@acme.test",
        "sender": "dana@customer.test",
        **mailgun_signature(),
    }

    response = post_mailgun(client, data, **basic_auth())

    assert response.status_code == 200
    stored = RawEmail.objects.get()
    assert stored.source == RawEmail.Source.WEBHOOK
    assert stored.envelope_recipient == "support@acme.test"
    assert bytes(stored.raw) == raw
    assert Conversation.objects.get().subject == "Order 4471 arrived damaged"


def test_mailgun_parsed_fields_post_is_reconstructed_and_ingested(client, mailbox):
    data = {
        "recipient": "support@acme.test",
        "sender": "mei@customer.test",
        "from": "Mei Lin <mei@customer.test>",
        "To": "support@acme.test",
        "subject": "Cannot log in",
        "body-plain": "The login page says my password is wrong.",
        "message-headers": json.dumps(
            [
                ["From", "Mei Lin <mei@customer.test>"],
                ["To", "support@acme.test"],
                ["Subject", "Cannot log in"],
                ["Message-Id", "<mg-parsed-1@customer.test>"],
            ]
        ),
        **mailgun_signature(),
    }

    response = post_mailgun(client, data, **basic_auth())

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.message_id == "<mg-parsed-1@customer.test>"
    assert message.from_name == "Mei Lin"
    assert message.text == "The login page says my password is wrong."


@pytest.mark.parametrize(
    ("auth", "signature"),
    [
        pytest.param({}, mailgun_signature(), id="no-basic-auth"),
        pytest.param(
            basic_auth("hook:wrong"), mailgun_signature(), id="wrong-basic-auth"
        ),
        pytest.param(
            basic_auth(), mailgun_signature("other-key"), id="wrong-signature"
        ),
    ],
)
def test_mailgun_post_without_valid_credentials_is_refused_and_stores_nothing(
    client, mailbox, auth, signature
):
    data = {
        "body-mime": eml("plain").decode(),
        "recipient": "support@acme.test",
        **signature,
    }

    response = post_mailgun(client, data, **auth)

    assert response.status_code == 403
    assert RawEmail.objects.count() == 0


def test_a_redelivered_mailgun_post_is_a_duplicate(client, mailbox):
    data = {"body-mime": eml("plain").decode(), "recipient": "support@acme.test"}
    post_mailgun(client, {**data, **mailgun_signature()}, **basic_auth())

    response = post_mailgun(client, {**data, **mailgun_signature()}, **basic_auth())

    assert response.status_code == 200
    assert Message.objects.count() == 1
    assert RawEmail.objects.count() == 1


def test_postmark_raw_email_payload_threads_by_envelope_recipient(
    client, mailbox, other_mailbox
):
    raw = eml("alternative")
    payload = {
        "RawEmail": raw.decode(),
        "OriginalRecipient": "help@globex.test",
        "Headers": [],
    }

    response = post_postmark(client, payload, **basic_auth())

    assert response.status_code == 200
    assert bytes(RawEmail.objects.get().raw) == raw
    assert Conversation.objects.get().mailbox == other_mailbox


def test_postmark_parsed_payload_is_reconstructed_and_ingested(client, mailbox):
    payload = {
        "FromFull": {"Email": "ravi@customer.test", "Name": "Ravi Patel"},
        "ToFull": [{"Email": "support@acme.test", "Name": ""}],
        "Subject": "Invoice question",
        "TextBody": "I was charged twice.",
        "HtmlBody": "<p>I was charged <b>twice</b>.</p><script>x()</script>",
        "Date": "Wed, 4 Mar 2026 14:02:11 +0000",
        "Headers": [
            {"Name": "Return-Path", "Value": "<ravi@customer.test>"},
            {"Name": "Message-ID", "Value": "<pm-parsed-1@customer.test>"},
        ],
        "OriginalRecipient": "support@acme.test",
        "Attachments": [
            {
                "Name": "note.txt",
                "ContentType": "text/plain",
                "Content": base64.b64encode(b"hello").decode(),
                "ContentLength": 5,
            }
        ],
    }

    response = post_postmark(client, payload, **basic_auth())

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.message_id == "<pm-parsed-1@customer.test>"
    assert message.text == "I was charged twice."
    assert message.html == "<p>I was charged <b>twice</b>.</p>"
    assert [a.filename for a in message.attachments.all()] == ["note.txt"]


def test_postmark_post_without_basic_auth_is_refused(client, mailbox):
    payload = {"RawEmail": eml("plain").decode(), "Headers": []}

    response = post_postmark(client, payload)

    assert response.status_code == 403
    assert RawEmail.objects.count() == 0
