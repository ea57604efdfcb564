from __future__ import annotations

import pytest

from inbox.ingest.html import html_to_text, sanitize_html
from inbox.quotes import quoted_spans, strip_quoted, without_quotes


@pytest.mark.parametrize(
    ("html", "forbidden"),
    [
        pytest.param("<script>alert(1)</script>hi", "alert", id="script"),
        pytest.param("<style>body{display:none}</style>hi", "display", id="style"),
        pytest.param('<img src="x" onerror="alert(1)">', "onerror", id="onerror"),
        pytest.param('<p onclick="steal()">x</p>', "onclick", id="onclick"),
        pytest.param(
            '<a href="javascript:alert(1)">x</a>', "javascript", id="javascript-url"
        ),
        pytest.param(
            '<a href="JaVaScRiPt&#58;alert(1)">x</a>',
            "alert",
            id="javascript-url-encoded",
        ),
        pytest.param(
            '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:", id="data-url"
        ),
        pytest.param('<svg onload="alert(1)"><text>t</text></svg>', "svg", id="svg"),
        pytest.param("<math><mi>x</mi></math>", "math", id="mathml"),
        pytest.param(
            '<iframe src="https://evil.test"></iframe>', "iframe", id="iframe"
        ),
        pytest.param(
            '<form action="https://evil.test"><input name="pw"></form>',
            "input",
            id="form",
        ),
        pytest.param(
            '<div style="background:url(javascript:alert(1))">x</div>',
            "style",
            id="style-attribute",
        ),
        pytest.param(
            '<object data="x.swf"></object><embed src="x.swf">',
            "swf",
            id="object-embed",
        ),
        pytest.param(
            '<meta http-equiv="refresh" content="0;url=https://evil.test">',
            "refresh",
            id="meta-refresh",
        ),
        pytest.param('<base href="https://evil.test/">', "base", id="base"),
        pytest.param("<!-- <script>alert(1)</script> -->hi", "alert", id="comment"),
    ],
)
def test_sanitiser_removes_code_and_tracking_vectors(html, forbidden):
    cleaned = sanitize_html(html)

    assert forbidden not in cleaned.lower()


def test_sanitiser_keeps_email_formatting_and_safe_links():
    html = (
        '<p>Hi <b>there</b>, <a href="https://ok.test/a">link</a> '
        '<a href="mailto:x@ok.test">mail</a></p><ul><li>one</li></ul>'
        '<table><tr><td colspan="2">cell</td></tr></table><img src="cid:logo@x" alt="logo">'
    )

    cleaned = sanitize_html(html)

    assert (
        '<a href="https://ok.test/a" rel="noopener noreferrer nofollow">link</a>'
        in cleaned
    )
    assert 'href="mailto:x@ok.test"' in cleaned
    assert "<b>there</b>" in cleaned
    assert "<ul><li>one</li></ul>" in cleaned
    assert '<td colspan="2">cell</td>' in cleaned
    assert '<img src="cid:logo@x" alt="logo">' in cleaned


def test_html_to_text_keeps_paragraphs_lists_and_quotes():
    html = (
        "<p>Hello</p><p>Line one<br>Line two</p><ul><li>a</li><li>b</li></ul>"
        "<blockquote>old text</blockquote><script>x()</script>"
    )

    text = html_to_text(html)

    assert text == "Hello\n\nLine one\nLine two\n\n- a\n- b\n\n> old text"


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(
            "New text.\n\nOn Mon, 2 Mar 2026, Sam <s@acme.test> wrote:\n> old",
            id="gmail",
        ),
        pytest.param(
            "New text.\n\nOn Mon, 2 Mar 2026 at 10:00, Sam <s@acme.test>\nwrote:\n> old",
            id="gmail-wrapped",
        ),
        pytest.param(
            "New text.\n\nLe lun. 2 mars 2026, Sam a écrit :\n> old", id="french"
        ),
        pytest.param(
            "New text.\n\nAm 02.03.2026 um 10:00 schrieb Sam <s@acme.test>:\n> old",
            id="german",
        ),
        pytest.param(
            "New text.\n\n-----Original Message-----\nFrom: Sam\nSent: Monday\n\nold",
            id="outlook-original",
        ),
        pytest.param(
            "New text.\n\n________________________________\nFrom: Sam\nSent: Monday\nTo: x\n\nold",
            id="outlook-underscores",
        ),
        pytest.param(
            "New text.\n\nFrom: Sam <s@acme.test>\nDate: Monday\nSubject: x\n\nold",
            id="outlook-header-block",
        ),
        pytest.param("New text.\n\n> old\n> older", id="trailing-quote"),
    ],
)
def test_quoted_history_is_cut_from_the_visible_part(reply):
    visible = strip_quoted(reply)

    assert visible == "New text."


def test_inline_answers_between_quotes_are_kept():
    reply = "> Which order?\n4471\n> Which colour?\nBlue"

    visible = strip_quoted(reply)

    assert visible == "> Which order?\n4471\n> Which colour?\nBlue"


def test_a_body_that_is_only_quotes_is_kept_whole():
    reply = "> forwarded text only"

    visible = strip_quoted(reply)

    assert visible == "> forwarded text only"


def test_quoted_spans_cover_inline_quotes_and_the_history():
    reply = "> Which order?\n4471\n\nOn Mon, 2 Mar 2026, Sam wrote:\n> old"

    spans = [reply[start:end] for start, end in quoted_spans(reply)]

    assert spans == ["> Which order?", "\nOn Mon, 2 Mar 2026, Sam wrote:\n> old"]


def test_without_quotes_keeps_only_the_writers_own_lines():
    reply = "> Which order?\n4471\n> Which colour?\nBlue\n\n> old"

    own = without_quotes(reply)

    assert own == "\n4471\n\nBlue\n"


def test_without_quotes_of_a_body_that_is_only_quotes_is_empty():
    assert without_quotes("> forwarded text only\n> more") == ""
