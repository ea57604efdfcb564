"""The catalogue's hostile inbound mail, built small enough to keep in a test."""

from __future__ import annotations

_HEAD = b"To: support@acme.test\r\nMessage-ID: <hostile@customer.test>\r\nDate: Wed, 2 Dec 2026 10:00:00 +0000\r\n"


def _mail(headers: bytes, body: bytes = b"Hello\r\n") -> bytes:
    return _HEAD + headers + b"\r\n" + body


def subject_of_encoded_words() -> bytes:
    """70,000 `=?utf-8?q?a?=` words in one Subject (980 KB)."""
    words = b" ".join([b"=?utf-8?q?a?="] * 70_000)
    return _mail(b"From: dana@customer.test\r\nSubject: " + words + b"\r\n")


def from_of_encoded_words() -> bytes:
    """8,000 encoded words as the sender's display name."""
    words = b" ".join([b"=?utf-8?q?a?="] * 8_000)
    return _mail(b"From: " + words + b" <dana@customer.test>\r\nSubject: Hi\r\n")


def content_type_of_semicolons() -> bytes:
    """A Content-Type with 100,000 `;` after the type."""
    return _mail(
        b"From: dana@customer.test\r\nSubject: Hi\r\nContent-Type: text/plain"
        + b";" * 100_000
        + b"\r\n"
    )


def filename_continuations() -> bytes:
    """An attachment whose name is 10,000 RFC 2231 `filename*N*` continuations."""
    parameters = b";\r\n ".join(b"filename*%d*=a" % n for n in range(10_000))
    body = (
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment;\r\n "
        + parameters
        + b"\r\n\r\nxx\r\n--b--\r\n"
    )
    return _mail(
        b"From: dana@customer.test\r\nSubject: Hi\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n',
        body,
    )


def deeply_nested_html() -> bytes:
    """200,000 nested `<div>` (2.4 MB) as the HTML body."""
    html = b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000
    return _mail(
        b"From: dana@customer.test\r\nSubject: Hi\r\nContent-Type: text/html\r\n",
        html + b"\r\n",
    )


CASES = {
    "subject_70000_encoded_words": subject_of_encoded_words,
    "from_8000_encoded_words": from_of_encoded_words,
    "content_type_100000_semicolons": content_type_of_semicolons,
    "filename_10000_continuations": filename_continuations,
    "html_200000_nested_divs": deeply_nested_html,
}
