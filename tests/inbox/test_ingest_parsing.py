from __future__ import annotations

from email.message import EmailMessage

import pytest

from inbox.ingest.parsing import SYNTHETIC_DOMAIN, UnparseableEmail, parse_email
from tests.inbox.eml import build_email, eml

LIMIT = 10 * 1024 * 1024


def parse(raw: bytes, **kwargs: int):
    return parse_email(raw, max_bytes=kwargs.pop("max_bytes", LIMIT), **kwargs)


def test_plain_message_gives_sender_subject_ids_and_text():
    raw = eml("plain")

    parsed = parse(raw)

    assert parsed.from_email == "dana@customer.test"
    assert parsed.from_name == "Dana Scully"
    assert parsed.subject == "Order 4471 arrived damaged"
    assert parsed.message_id == "<CAF1plain001@mail.customer.test>"
    assert parsed.to == ["support@acme.test"]
    assert parsed.delivered_to == ["support@acme.test"]
    assert parsed.date.isoformat() == "2026-03-03T09:15:00+01:00"
    assert "box was crushed" in parsed.text
    assert parsed.html == ""
    assert parsed.defects == []


def test_html_only_message_is_flattened_to_readable_text():
    raw = eml("html_only")

    parsed = parse(raw)

    assert parsed.text.startswith("Hi team,\n\nI was charged twice for invoice INV-88.")
    assert "- First charge: 1 March\n- Second charge: 2 March" in parsed.text
    assert "my statement (https://bank.example/statement)" in parsed.text
    assert "Secret title" not in parsed.text
    assert "color: red" not in parsed.text
    assert "<b>twice</b>" in parsed.html


def test_multipart_alternative_keeps_both_renderings():
    raw = eml("alternative")

    parsed = parse(raw)

    assert parsed.text.startswith("Since this morning the login page")
    assert "<i>wrong</i>" in parsed.html
    assert parsed.attachments == []


def test_attachments_and_inline_images_are_collected_with_safe_names():
    raw = eml("attachments")

    parsed = parse(raw)

    names = [(a.filename, a.content_type, a.is_inline) for a in parsed.attachments]
    assert names == [
        ("attachment-1.png", "image/png", True),
        ("receipt.pdf", "application/pdf", False),
        ("notes-é.txt", "text/plain", False),
    ]
    assert parsed.attachments[0].content_id == "logo123@customer.test"
    assert parsed.attachments[1].payload.startswith(b"%PDF-1.4")
    assert len(parsed.attachments[1].sha256) == 64
    assert 'src="cid:logo123@customer.test"' in parsed.html


def test_rfc2047_headers_and_quoted_printable_latin1_body_are_decoded():
    raw = eml("rfc2047_latin1")

    parsed = parse(raw)

    assert parsed.from_name == "François Müller"
    assert parsed.subject == "Problème avec ma commande ✔"
    assert (
        parsed.text
        == "Bonjour, ma commande n'est pas arrivée. Merci de vérifier à nouveau."
    )


def test_raw_8bit_headers_and_a_wrong_declared_charset_fall_back_to_utf8():
    raw = eml("eightbit_headers_wrong_charset")

    parsed = parse(raw)

    assert parsed.from_name == "Jürgen Weiß"
    assert parsed.subject == "Straße falsch \u2013 bitte ändern"
    assert "Grünstraße 5" in parsed.text
    assert parsed.defects == ["body not valid in declared charset 'us-ascii'"]


def test_unknown_charset_falls_back_to_cp1252():
    raw = eml("unknown_charset")

    parsed = parse(raw)

    assert parsed.text == "No recibí mi pedido. ¿Pueden ayudarme?"
    assert "x-no-such-charset" in parsed.defects[0]


def test_iso_2022_jp_headers_and_shift_jis_body_are_decoded():
    raw = eml("japanese")

    parsed = parse(raw)

    assert parsed.from_name == "山田"
    assert parsed.subject == "お問い合わせ"
    assert parsed.text == "注文が届きません。"


def test_crlf_line_endings_and_cp1252_punctuation_are_normalised():
    raw = eml("crlf_cp1252")

    parsed = parse(raw)

    assert parsed.text == "That\u2019s \u201cquoted\u201d \u2013 and costs €10."
    assert "\r" not in parsed.text


def test_broken_headers_still_give_a_sender_and_a_synthetic_message_id():
    raw = eml("broken_headers")

    parsed = parse(raw)

    assert parsed.from_email == "broken@customer.test"
    assert parsed.date is None
    assert parsed.synthetic_message_id is True
    assert parsed.message_id.endswith(f"@{SYNTHETIC_DOMAIN}>")
    assert (
        parsed.text == "Headers here are a mess but the message should still be read."
    )


def test_synthetic_message_id_is_stable_for_the_same_content():
    raw = eml("no_message_id")

    first, second = parse(raw), parse(raw)

    assert first.synthetic_message_id is True
    assert first.message_id == second.message_id
    assert first.message_id != parse(raw.replace(b"no Message-ID", b"no id")).message_id


def test_bare_message_id_without_angle_brackets_is_normalised():
    raw = build_email(message_id=None, headers={"Message-ID": "bare-id@customer.test"})

    parsed = parse(raw)

    assert parsed.message_id == "<bare-id@customer.test>"
    assert parsed.synthetic_message_id is False


def test_threading_headers_and_outlook_thread_index_root_are_read():
    raw = eml("outlook_reply")
    first = parse(eml("outlook_first"))

    parsed = parse(raw)

    assert parsed.thread_index_root == first.thread_index_root
    assert parsed.thread_index_root != ""
    assert parse(eml("gmail_reply")).references == [
        "<CAF1plain001@mail.customer.test>",
        "<reply-from-acme-1@acme.test>",
    ]
    assert parse(eml("gmail_reply")).in_reply_to == "<reply-from-acme-1@acme.test>"


def test_quoted_history_is_hidden_from_visible_text_but_kept_in_text():
    raw = eml("gmail_reply")

    parsed = parse(raw)

    assert (
        parsed.visible_text == "Thank you, the replacement arrived and works perfectly."
    )
    assert "> Hi Dana, we have sent a replacement lamp today." in parsed.text


def test_outlook_quoted_block_is_hidden_from_visible_text():
    raw = eml("outlook_reply")

    parsed = parse(raw)

    assert (
        parsed.visible_text
        == "It still fails with the same error, screenshot attached next time."
    )


def test_forwarded_message_becomes_an_eml_attachment():
    raw = eml("forwarded")

    parsed = parse(raw)

    assert parsed.text == "See the receipt below, the amount is wrong."
    assert [a.content_type for a in parsed.attachments] == ["message/rfc822"]
    assert b"Total: 120.00 EUR" in parsed.attachments[0].payload
    assert parsed.attachments[0].filename.endswith(".eml")


def test_encoded_newlines_in_subject_cannot_inject_headers():
    raw = eml("hostile_html")

    parsed = parse(raw)

    assert parsed.subject == "Hello Bcc: victim@evil.test"
    assert "\n" not in parsed.subject
    assert "\r" not in parsed.subject


def test_message_over_the_size_limit_is_refused():
    raw = build_email(body="x" * 5000)

    with pytest.raises(UnparseableEmail, match="over the 1000-byte limit"):
        parse(raw, max_bytes=1000)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"   \r\n\r\n", id="whitespace"),
        pytest.param(b"\r\njust a body with no headers at all", id="no-headers"),
        pytest.param(
            b"Subject: hi\r\nTo: support@acme.test\r\n\r\nno sender", id="no-sender"
        ),
        pytest.param(
            b"From: nobody\r\n\r\nsender without address", id="sender-without-address"
        ),
        pytest.param(bytes(range(256)) * 4, id="binary-garbage"),
    ],
)
def test_messages_without_a_sender_or_headers_are_refused_with_a_reason(raw):
    with pytest.raises(UnparseableEmail) as refused:
        parse(raw)

    assert refused.value.message


def nested(depth: int) -> bytes:
    message = EmailMessage()
    message["From"] = "deep@customer.test"
    message["To"] = "support@acme.test"
    message["Subject"] = "Deep"
    message["Message-ID"] = "<deep@customer.test>"
    inner = EmailMessage()
    inner.set_content("innermost text")
    for _ in range(depth):
        wrapper = EmailMessage()
        wrapper.make_mixed()
        wrapper.attach(inner)
        inner = wrapper
    message.make_mixed()
    message.attach(inner)
    return message.as_bytes()


def test_mime_parts_nested_deeper_than_the_cap_are_dropped_with_a_defect():
    raw = nested(30)

    parsed = parse(raw, max_depth=10)

    assert parsed.text == ""
    assert parsed.defects == ["MIME parts nested deeper than 10 levels were dropped"]


def test_mime_parts_within_the_depth_cap_are_read():
    raw = nested(5)

    parsed = parse(raw, max_depth=10)

    assert parsed.text == "innermost text"
    assert parsed.defects == []


def test_attachments_over_the_count_cap_are_dropped_with_a_defect():
    message = EmailMessage()
    message["From"] = "many@customer.test"
    message["To"] = "support@acme.test"
    message["Message-ID"] = "<many@customer.test>"
    message.set_content("sixty files")
    for number in range(60):
        message.add_attachment(
            b"data",
            maintype="application",
            subtype="octet-stream",
            filename=f"f{number}.bin",
        )

    parsed = parse(message.as_bytes(), max_attachments=50)

    assert len(parsed.attachments) == 50
    assert parsed.attachments[-1].filename == "f49.bin"
    assert parsed.defects == ["10 attachments over the limit of 50 were dropped"]


def test_a_mime_bomb_nested_thousands_of_levels_deep_is_refused():
    raw = b'From: bomb@evil.test\nContent-Type: multipart/mixed; boundary="b0"\n\n'
    raw += b"".join(
        b'--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' % (level, level + 1)
        for level in range(3000)
    )

    with pytest.raises(UnparseableEmail, match="nested too deeply"):
        parse(raw)
