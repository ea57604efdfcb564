"""Auto-replies cannot be turned into a spam cannon: caps, history and loops."""

from __future__ import annotations

import logging
import re

import pytest

from inbox.ingest import ingest_raw_email
from inbox.models import Message, RawEmail
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
    def _receive(raw, source=RawEmail.Source.WEBHOOK):
        with django_capture_on_commit_callbacks(execute=True):
            return ingest_raw_email(raw, source=source)

    return _receive


def _auto_replies():
    return Message.objects.filter(kind=Message.Kind.AUTO_REPLY)


def _dated(raw: bytes, date: str | None) -> bytes:
    replacement = f"Date: {date}\n" if date else ""
    return re.sub(rb"Date: [^\n]*\n", replacement.encode(), raw, count=1)


def test_a_storm_of_forged_senders_gets_at_most_the_hourly_cap_and_an_alert(
    auto_mailbox, esp, receive, settings, caplog
):
    settings.REPLYPAD_AUTO_REPLY_MAILBOX_HOURLY_CAP = 5

    with caplog.at_level(logging.ERROR, logger="inbox.outbound.autoreply"):
        for n in range(12):
            receive(
                build_email(
                    sender=f"forged{n}@spoofed.test", message_id=f"<storm-{n}@x.test>"
                )
            )

    assert Message.objects.filter(kind=Message.Kind.INBOUND).count() == 12
    assert _auto_replies().count() == 5
    assert [r.message for r in caplog.records].count(
        "Auto-replies for mailbox support@acme.test stopped: 5 in the last hour (cap 5)"
    ) == 1


@pytest.mark.parametrize(
    ("source", "date"),
    [
        (RawEmail.Source.IMPORT, None),
        (RawEmail.Source.IMPORT, "Thu, 1 Jan 2099 00:00:00 +0000"),
        (RawEmail.Source.IMPORT, "now"),
        (RawEmail.Source.WEBHOOK, None),
        (RawEmail.Source.WEBHOOK, "Thu, 1 Jan 2099 00:00:00 +0000"),
    ],
    ids=[
        "import-without-date",
        "import-dated-2099",
        "import-dated-now",
        "webhook-without-date",
        "webhook-dated-2099",
    ],
)
def test_imported_or_undated_or_future_mail_is_never_auto_replied(
    auto_mailbox, esp, receive, source, date
):
    raw = build_email(message_id="<history@customer.test>")
    if date != "now":
        raw = _dated(raw, date)

    result = receive(raw, source=source)

    assert result.status == "created"
    assert not _auto_replies().exists()


def test_mail_whose_x_loop_names_the_mailbox_gets_no_auto_reply(
    auto_mailbox, esp, receive
):
    raw = build_email(headers={"X-Loop": "Support <SUPPORT@acme.test>"})

    receive(raw)

    assert not _auto_replies().exists()


def test_our_auto_reply_carries_x_loop_with_the_mailbox(auto_mailbox, esp, receive):
    receive(build_email())

    assert esp[0].extra_headers["X-Loop"] == "support@acme.test"
