from __future__ import annotations

import pytest

from inbox.ingest.classify import AUTO_REPLY, BOUNCE, LIST, NORMAL, SPAM, classify
from inbox.ingest.parsing import parse_email
from tests.inbox.eml import build_email, eml


def classified(raw: bytes):
    return classify(parse_email(raw, max_bytes=10**7))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        pytest.param("plain", NORMAL, id="plain"),
        pytest.param("gmail_reply", NORMAL, id="gmail-reply"),
        pytest.param("dsn_bounce", BOUNCE, id="dsn"),
        pytest.param("auto_reply_ooo", AUTO_REPLY, id="out-of-office"),
        pytest.param("auto_reply_xautoreply", AUTO_REPLY, id="x-autoreply"),
        pytest.param("list_mail", LIST, id="list"),
        pytest.param("spam", SPAM, id="spam"),
    ],
)
def test_corpus_messages_are_classified(name, kind):
    raw = eml(name)

    result = classified(raw)

    assert result.kind == kind


def test_bounce_names_the_outgoing_message_that_failed():
    raw = eml("dsn_bounce")

    result = classified(raw)

    assert result.bounced_message_id == "<outgoing-reply-1@acme.test>"
    assert result.suppress_auto_reply is True
    assert result.auto_submitted is True


@pytest.mark.parametrize(
    ("headers", "subject", "kind"),
    [
        pytest.param(
            {"Auto-Submitted": "auto-generated"},
            "Hi",
            AUTO_REPLY,
            id="auto-submitted-generated",
        ),
        pytest.param({"Auto-Submitted": "no"}, "Hi", NORMAL, id="auto-submitted-no"),
        pytest.param({"X-Autorespond": "yes"}, "Hi", AUTO_REPLY, id="x-autorespond"),
        pytest.param(
            {}, "Out of Office: away until Monday", AUTO_REPLY, id="ooo-subject"
        ),
        pytest.param(
            {}, "Réponse automatique : absent", AUTO_REPLY, id="french-subject"
        ),
        pytest.param({"Precedence": "list"}, "Hi", LIST, id="precedence-list"),
        pytest.param(
            {"List-Unsubscribe": "<mailto:u@x.test>"}, "Hi", LIST, id="list-unsubscribe"
        ),
        pytest.param({"X-Spam-Status": "Yes, score=9"}, "Hi", SPAM, id="spam-status"),
        pytest.param(
            {"X-Spam-Status": "No, score=0.1"}, "Hi", NORMAL, id="spam-status-no"
        ),
        pytest.param(
            {"X-Failed-Recipients": "gone@x.test"}, "Hi", BOUNCE, id="failed-recipients"
        ),
    ],
)
def test_header_rules_decide_the_kind(headers, subject, kind):
    raw = build_email(subject=subject, headers=headers)

    result = classified(raw)

    assert result.kind == kind


def test_mailer_daemon_with_bounce_subject_is_a_bounce():
    raw = build_email(
        sender="MAILER-DAEMON@mx.x.test",
        subject="Delivery Status Notification (Failure)",
    )

    result = classified(raw)

    assert result.kind == BOUNCE


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Return-Path": "<>"}, id="null-return-path"),
        pytest.param({"X-Auto-Response-Suppress": "All"}, id="auto-response-suppress"),
    ],
)
def test_person_mail_that_asks_for_no_automatic_answer_suppresses_auto_reply(headers):
    raw = build_email(headers=headers)

    result = classified(raw)

    assert result.kind == NORMAL
    assert result.suppress_auto_reply is True
    assert result.auto_submitted is False


def test_ordinary_mail_may_get_an_auto_reply():
    raw = eml("plain")

    result = classified(raw)

    assert result.suppress_auto_reply is False
    assert result.auto_submitted is False
