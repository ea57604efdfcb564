"""Hostile inbound mail is parsed in bounded time and memory, and never stays pending."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from benchmarks.hostile import CASES, PEAK_MB, SECONDS, measure_in_child
from inbox.ingest import ingest_raw_email
from inbox.ingest.html import sanitize_html
from inbox.ingest.parsing import parse_email
from inbox.models import RawEmail
from tests.factories import RawEmailFactory
from tests.security.children import child_env


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_mail_is_filed_within_five_seconds_and_300_mb(transactional_db, case):
    measured = measure_in_child(case, env=child_env())

    assert measured["seconds"] < SECONDS
    assert measured["peak_mb"] < PEAK_MB
    assert measured["status"] != "pending"


@pytest.mark.parametrize(
    ("case", "note"),
    [
        ("subject_70000_encoded_words", "Subject header truncated: over 100 encoded words"),
        ("from_8000_encoded_words", "From header truncated: over 100 encoded words"),
        ("content_type_100000_semicolons", "Content-Type header truncated: over 65536 characters, over 50 parameters"),
        ("filename_10000_continuations", "Content-Disposition header truncated: over 65536 characters, over 50 parameters"),
    ],
    ids=["subject", "from", "content-type", "filename-continuations"],
)  # fmt: skip
def test_over_limit_header_is_filed_truncated_with_a_note(db, mailbox, case, note):
    raw = CASES[case]()

    result = ingest_raw_email(raw, source=RawEmail.Source.WEBHOOK)

    raw_email = RawEmail.objects.get(pk=result.raw_email_id)
    assert raw_email.status == RawEmail.Status.PROCESSED
    assert note in raw_email.reason
    assert bytes(raw_email.raw) == raw


def test_deeply_nested_html_keeps_its_text_and_stays_safe():
    html = "<div>" * 200_000 + "deep<script>alert(1)</script>" + "</div>" * 200_000

    clean = sanitize_html(html)

    assert "deep" in clean
    assert "<script" not in clean
    assert clean.count("<div>") <= 200


def test_html_within_the_depth_limit_is_kept_as_sent():
    html = "<div>" * 20 + "<p>Hi<br>there</p>" + "</div>" * 20

    clean = sanitize_html(html)

    assert clean == html


def test_mail_stuck_pending_is_listed_with_a_retry(client, admin, mailbox):
    raw_email = RawEmailFactory(raw=CASES["subject_70000_encoded_words"]())
    client.force_login(admin)

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        page = client.get("/inbound/").content.decode()
        retried = client.post(f"/inbound/{raw_email.pk}/retry/", HTTP_HX_REQUEST="true")

    assert f'id="inbound-{raw_email.pk}"' in page
    assert "Never finished processing" in page
    assert "Retried: created" in retried.content.decode()


def test_mail_pending_for_a_moment_is_not_listed(client, admin, mailbox):
    raw_email = RawEmailFactory()
    client.force_login(admin)

    page = client.get("/inbound/").content.decode()

    assert f'id="inbound-{raw_email.pk}"' not in page


@pytest.mark.parametrize(
    "word",
    ["=?utf-8?x?a?=", "=?utf-8?q?a", "=?=?"],
    ids=["unknown-encoding", "unterminated", "bare-markers"],
)
def test_malformed_encoded_words_are_bounded_too(word):
    raw = (
        b"From: dana@customer.test\r\nTo: support@acme.test\r\nSubject: "
        + " ".join([word] * 70_000).encode()
        + b"\r\n\r\nHi\r\n"
    )

    parsed = parse_email(raw, max_bytes=50_000_000)

    assert "Subject header truncated: over 100 encoded words" in parsed.defects


def test_a_nul_in_the_charset_name_falls_back_instead_of_failing():
    raw = (
        b"From: dana@customer.test\r\nTo: support@acme.test\r\nSubject: Hi\r\n"
        b'Content-Type: text/plain; charset="utf\x00-8"\r\n\r\nHello\r\n'
    )

    parsed = parse_email(raw, max_bytes=1_000_000)

    assert parsed.text == "Hello"
    assert "body not valid in declared charset 'utf\\x00-8'" in parsed.defects
