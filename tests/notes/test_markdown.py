from __future__ import annotations

import pytest

from notes.markdown import MentionTarget, mentioned_names, render_note


def _everyone(names):
    return {name: MentionTarget(name, name.title(), name != "oscar") for name in names}


def test_markdown_renders_emphasis_lists_links_and_code():
    html = render_note(
        "**bold** _it_\n\n- one\n- two\n\n[docs](https://acme.test/x) `code`"
    ).html

    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<li>one</li>" in html
    assert 'href="https://acme.test/x"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<code>code</code>" in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", 'href="data'),
        ("![pixel](https://tracker.test/p.gif)", "<img"),
        ('<a href="https://x.test" onclick="alert(1)">x</a>', "<a href"),
        ("<iframe src=https://evil.test></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
    ],
    ids=[
        "script",
        "img-onerror",
        "javascript-link",
        "data-link",
        "remote-image",
        "raw-anchor",
        "iframe",
        "style",
    ],
)
def test_hostile_markup_in_a_note_is_inert(source, forbidden):
    html = render_note(source).html

    assert forbidden not in html


def test_mentions_are_found_outside_code_and_addresses():
    source = "Ping @Bob and @lena. Not bob@example.test, not `@code`, \\@escaped"

    names = mentioned_names(source)

    assert names == ["bob", "lena"]


def test_resolved_mentions_are_marked_and_unknown_names_stay_text():
    rendered = render_note("@bob @oscar @nobody", resolve=_everyone)

    assert rendered.mentions == ["bob", "oscar", "nobody"]
    assert 'class="mention" data-username="bob"' in rendered.html
    assert 'class="mention mention-no-access" data-username="oscar"' in rendered.html


def test_names_the_resolver_does_not_know_are_plain_text():
    rendered = render_note("@ghost hello", resolve=lambda names: {})

    assert rendered.mentions == []
    assert rendered.html == "<p>@ghost hello</p>\n"
