from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest
from bs4 import BeautifulSoup

from inbox.errors import UnsafeHeaderValue
from inbox.models import Message
from inbox.outbound import compose, send_reply
from inbox.outbound.errors import InvalidRecipient
from inbox.tokens import conversation_id_from_address
from tests.factories import MessageFactory
from tests.inbox.outbound_support import conversation_fixture, esp_fixture  # noqa: F401


def test_markdown_becomes_html_with_paragraphs_links_and_emphasis():
    html = compose.render_markdown(
        "Hi Dana,\n\nI **am sorry**.\nSee [status](https://status.acme.test)."
    )

    assert "<strong>am sorry</strong>" in html
    assert "<br" in html
    assert 'href="https://status.acme.test"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="https://x.test" onclick="steal()">x</a>',
        "<style>body{display:none}</style>",
        "<iframe src=https://evil.test></iframe>",
    ],
    ids=["script", "img-onerror", "javascript-link", "onclick", "style", "iframe"],
)
def test_hostile_markdown_cannot_put_active_content_in_the_html_part(markdown):
    html = compose.render_markdown(markdown)

    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "style", "img", "iframe"])
    assert all(
        not name.startswith("on") for tag in soup.find_all(True) for name in tag.attrs
    )
    assert all(
        not link["href"].startswith("javascript:") for link in soup.find_all("a")
    )


def test_bodies_end_with_the_mailbox_signature_after_the_delimiter():
    text, html = compose.compose_bodies("Thanks!", signature="— The Acme team")

    assert text == "Thanks!\n\n-- \n— The Acme team\n"
    assert '<p class="signature">— The Acme team</p>' in html


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Order late", "Re: Order late"),
        ("Re: Order late", "Re: Order late"),
        ("AW: Bestellung", "AW: Bestellung"),
        ("", "Re: Your message"),
    ],
)
def test_reply_subject_adds_re_once(subject, expected):
    assert compose.reply_subject(subject) == expected


def test_addresses_are_split_deduplicated_and_validated():
    assert compose.clean_addresses("a@x.test, A@x.test,,b@y.test", field="cc") == [
        "a@x.test",
        "b@y.test",
    ]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("a@x.test\r\nBcc: victim@y.test", UnsafeHeaderValue),
        ("a@x.test\nBcc: victim@y.test", UnsafeHeaderValue),
        ("not-an-address", InvalidRecipient),
        ("Dana <dana@x.test>", InvalidRecipient),
    ],
    ids=["crlf", "lf", "no-at", "display-name"],
)
def test_bad_recipients_are_refused_naming_the_field(value, error):
    with pytest.raises(error) as refused:
        compose.clean_addresses([value], field="cc")

    assert refused.value.field == "cc"


def test_reply_threads_on_the_latest_customer_message(conversation, agent):
    MessageFactory(
        conversation=conversation,
        text="Any news?",
        message_id="<second@example.test>",
        references="<first@example.test>",
    )

    in_reply_to, references = compose.thread_headers(conversation)

    assert in_reply_to == "<second@example.test>"
    assert references == "<first@example.test> <second@example.test>"


def test_references_keep_the_root_and_the_newest_ids(conversation):
    chain = " ".join(f"<ref{n}@example.test>" for n in range(40))
    MessageFactory(
        conversation=conversation,
        text="Again",
        message_id="<latest@example.test>",
        references=chain,
    )

    _, references = compose.thread_headers(conversation)

    ids = references.split()
    assert len(ids) == compose.MAX_REFERENCES
    assert ids[0] == "<ref0@example.test>"
    assert ids[-1] == "<latest@example.test>"


def test_the_email_carries_our_ids_reply_token_both_parts_and_tags(
    conversation, agent, esp
):
    message = send_reply(conversation, body="I am so sorry, Dana.", by=agent)

    email = compose.build_email(message)
    parsed = BytesParser(policy=policy.default).parsebytes(email.message().as_bytes())

    assert parsed["Message-ID"] == message.message_id
    assert parsed["In-Reply-To"] == "<first@example.test>"
    assert parsed["References"] == "<first@example.test>"
    assert conversation_id_from_address(parsed["Reply-To"]) == conversation.pk
    assert parsed["From"].addresses[0].display_name == "Alice Agent at Acme Support"
    assert parsed["From"].addresses[0].addr_spec == "support@acme.test"
    assert parsed["To"] == "dana@example.test"
    assert parsed["Auto-Submitted"] is None
    assert parsed.get_body(("plain",)).get_content().startswith("I am so sorry, Dana.")
    assert "<p>I am so sorry, Dana.</p>" in parsed.get_body(("html",)).get_content()
    assert email.tags == ["replypad", "reply"]
    assert email.metadata["replypad_message"] == str(message.pk)


def test_a_stored_subject_with_a_line_break_is_refused_at_build_time(
    conversation, agent, esp
):
    message = send_reply(conversation, body="Hello", by=agent)
    Message.objects.filter(pk=message.pk).update(subject="Hi\r\nBcc: x@evil.test")
    message.refresh_from_db()

    with pytest.raises(UnsafeHeaderValue):
        compose.build_email(message)
