"""Inbound and tracking webhooks take only fresh, signed, authenticated posts."""

from __future__ import annotations

import base64
import json
import time

import pytest
import time_machine
from django.core.management import call_command

from inbox.models import RawEmail
from tests.inbox.eml import eml
from tests.inbox.test_ingest_webhook import BASIC, SIGNING_KEY, mailgun_signature

pytestmark = pytest.mark.django_db

AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(BASIC.encode()).decode()}


@pytest.fixture
def signed(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": BASIC,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }


def forged(body: str = "Refund me now") -> str:
    return (
        "From: ceo@acme.test\r\nTo: support@acme.test\r\nSubject: Urgent\r\n"
        f"Message-ID: <{time.monotonic_ns()}@forged.test>\r\n\r\n{body}\r\n"
    )


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/anymail/postmark/inbound/", {"RawEmail": forged(), "Headers": []}),
        ("/anymail/postmark/tracking/", {"RecordType": "Delivery", "MessageID": "x"}),
        ("/anymail/sendgrid/inbound/", None),
    ],
    ids=["postmark-inbound", "postmark-tracking", "sendgrid-inbound"],
)
def test_webhooks_are_refused_while_no_secret_is_configured(
    client, mailbox, settings, url, payload
):
    settings.ANYMAIL = {}

    if payload is None:
        response = client.post(url, {"email": forged(), "to": "support@acme.test"})
    else:
        response = client.post(
            url, json.dumps(payload), content_type="application/json"
        )

    assert response.status_code == 403
    assert RawEmail.objects.count() == 0


def test_a_replayed_mailgun_signature_is_refused_even_with_another_body(
    client, mailbox, signed
):
    signature = mailgun_signature()
    first = {"body-mime": forged("one"), "recipient": "support@acme.test", **signature}
    again = {"body-mime": forged("two"), "recipient": "support@acme.test", **signature}
    client.post("/anymail/mailgun/inbound/", first, **AUTH)

    response = client.post("/anymail/mailgun/inbound/", again, **AUTH)

    assert response.status_code == 403
    assert RawEmail.objects.count() == 1


def test_a_mailgun_signature_three_days_old_is_refused(client, mailbox, signed):
    signature = mailgun_signature()
    data = {"body-mime": eml("plain").decode(), "recipient": "support@acme.test"}

    with time_machine.travel(float(signature["timestamp"]) + 3 * 86400):
        response = client.post(
            "/anymail/mailgun/inbound/", {**data, **signature}, **AUTH
        )

    assert response.status_code == 403
    assert RawEmail.objects.count() == 0


def test_a_signature_refused_by_anymail_can_be_sent_again_correctly(
    client, mailbox, signed
):
    signature = mailgun_signature()
    data = {"body-mime": eml("plain").decode(), "recipient": "support@acme.test"}
    client.post("/anymail/mailgun/inbound/", {**data, **signature})

    response = client.post("/anymail/mailgun/inbound/", {**data, **signature}, **AUTH)

    assert response.status_code == 200
    assert RawEmail.objects.count() == 1


def test_webhook_secret_command_generates_a_secret_once_and_prints_the_url(
    settings, tmp_path, capsys
):
    settings.ANYMAIL = {}
    settings.WEBHOOK_SECRET_FILE = tmp_path / "webhook_secret"

    call_command("webhook_secret")

    secret = settings.WEBHOOK_SECRET_FILE.read_text()
    assert secret.startswith("replypad:")
    assert f"http://{secret}@127.0.0.1:8000/anymail/" in capsys.readouterr().out
