from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from templates_app.errors import (
    RenderLimitExceeded,
    TemplateInvalid,
    TemplateRenderError,
)
from templates_app.filters import guess_first_name
from templates_app.rendering import (
    BODY_LIMITS,
    Limits,
    inspect_template,
    render_html,
    render_reply,
    render_text,
    validate_template,
)
from templates_app.variables import VARIABLES, sample_context


@pytest.fixture
def context() -> dict[str, Any]:
    return sample_context()


def problems_of(source: str) -> list[str]:
    with pytest.raises(TemplateInvalid) as caught:
        validate_template(source)
    return caught.value.messages


# -- placeholders, defaults, ask values ------------------------------------


def test_known_placeholders_are_filled_from_the_context(context):
    source = "Hi {{ customer.first_name }}, about #{{ conversation.number }}."

    rendered = render_text(source, context)

    assert rendered.text == "Hi Jane, about #1042."
    assert rendered.missing == ()


def test_an_empty_value_without_fallback_is_reported_missing_not_blank(context):
    context["customer"]["first_name"] = "  "

    rendered = render_text("Hi {{ customer.first_name }},", context)

    assert rendered.text == "Hi [customer.first_name],"
    assert rendered.missing == ("customer.first_name",)


def test_a_none_value_without_fallback_is_reported_missing(context):
    context["conversation"]["escalation_owner"] = None

    rendered = render_text("{{ conversation.escalation_owner }}", context)

    assert rendered.missing == ("conversation.escalation_owner",)


def test_default_fills_an_empty_value(context):
    context["customer"]["first_name"] = ""

    rendered = render_text('Hi {{ customer.first_name | default("there") }},', context)

    assert rendered.text == "Hi there,"
    assert rendered.missing == ()


def test_default_chains_through_a_first_name_guess(context):
    context["customer"]["first_name"] = ""
    context["customer"]["name"] = "Dr. Maria Lopez"

    rendered = render_text(
        '{{ customer.first_name | default(customer.name | first_name) | d("there") }}',
        context,
    )

    assert rendered.text == "Maria"


def test_ask_values_are_filled_from_what_the_agent_typed(context):
    source = "Order {{ ask.order_number }} ships {{ ask.ship_day }}."

    rendered = render_text(
        source, context, ask={"order_number": "A-77", "ship_day": "Friday"}
    )

    assert rendered.text == "Order A-77 ships Friday."


def test_unfilled_ask_values_are_all_listed_in_order_of_appearance(context):
    source = (
        "{{ ask.refund_amount }} for {{ ask.order_number }} ({{ ask.refund_amount }})"
    )

    rendered = render_text(source, context, ask={"order_number": ""})

    assert rendered.missing == ("ask.refund_amount", "ask.order_number")


def test_inspect_lists_variables_and_ask_names():
    source = (
        "{{ customer.name }} {{ ask.order_number }} {% if ask.tracking %}x{% endif %}"
    )

    info = inspect_template(source)

    assert info.variables == ("customer.name", "ask.order_number", "ask.tracking")
    assert info.ask == ("order_number", "tracking")


def test_a_condition_on_a_missing_value_is_not_itself_missing(context):
    context["customer"]["company"] = ""

    rendered = render_text(
        "{% if customer.company %}at {{ customer.company }}{% else %}there{% endif %}",
        context,
    )

    assert rendered.text == "there"
    assert rendered.missing == ()


def test_loops_over_context_lists_work(context):
    context["customer"]["attributes"]["orders"] = ["A-1", "A-2"]

    rendered = render_text(
        "{% for order in customer.attributes.orders %}{{ loop.index }}:{{ order }} {% endfor %}",
        context,
    )

    assert rendered.text == "1:A-1 2:A-2 "


def test_every_listed_variable_validates():
    names = [
        variable.name.replace("<key>", "plan").replace("<name>", "order_number")
        for variable in VARIABLES
    ]

    info = validate_template(" ".join(f"{{{{ {name} }}}}" for name in names))

    assert len(info.variables) == len(VARIABLES)


# -- filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("display_name", "expected"),
    [
        ("Jane Doe", "Jane"),
        ("Dr. Jane A. Smith", "Jane"),
        ("SMITH, JANE", "Jane"),
        ("jean-luc.picard@example.com", "Jean-Luc"),
        ('"Maria" (Acme)', "Maria"),
        ("Mr O'Brien", ""),
        ("J. R. R. Tolkien", ""),
        ("support@acme.test", ""),
        ("Acme Support Team", ""),
        ("R2D2", ""),
        ("", ""),
    ],
    ids=[
        "plain",
        "honorific-and-initial",
        "surname-comma-given-upper",
        "email-local-part",
        "quoted-with-company",
        "honorific-and-surname-only",
        "initials-and-surname",
        "role-address",
        "team-name",
        "digits",
        "empty",
    ],
)
def test_first_name_is_guessed_from_a_display_name(display_name, expected):
    assert guess_first_name(display_name) == expected


def test_an_unguessable_first_name_is_reported_missing(context):
    context["customer"]["name"] = "Acme Support Team"

    rendered = render_text("Hi {{ customer.name | first_name }}", context)

    assert rendered.missing == ("first_name",)


def test_dates_are_shown_in_the_customers_timezone(context):
    context["conversation"]["next_update_at"] = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)

    rendered = render_text(
        "{{ conversation.next_update_at | datetime }} / "
        "{{ conversation.next_update_at | date('short') }} / "
        "{{ conversation.next_update_at | datetime('time') }}",
        context,
        timezone="Europe/Berlin",
    )

    assert (
        rendered.text == "Thursday 2 July 2026 at 01:30 CEST / 2 Jul 2026 / 01:30 CEST"
    )


def test_an_unknown_timezone_falls_back_to_utc(context):
    context["conversation"]["next_update_at"] = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)

    rendered = render_text(
        "{{ conversation.next_update_at | datetime('time') }}",
        context,
        timezone="Mars/Base",
    )

    assert rendered.text == "23:30 UTC"


def test_date_filter_accepts_a_plain_date_and_a_strftime_pattern(context):
    context["customer"]["attributes"]["renewal"] = date(2026, 12, 24)

    rendered = render_text(
        "{{ customer.attributes.renewal | date('%d/%m/%Y') }}", context
    )

    assert rendered.text == "24/12/2026"


def test_filters_pass_a_missing_value_through_to_default(context):
    rendered = render_text('{{ ask.note | upper | trim | default("none") }}', context)

    assert rendered.text == "none"


# -- HTML output and value neutralisation -------------------------------------


def test_html_output_escapes_values_and_template_text(context):
    context["customer"]["first_name"] = "<script>alert(1)</script>"

    rendered = render_html("<b>Hi</b> {{ customer.first_name }}", context)

    assert rendered.text == (
        "<p>&lt;b&gt;Hi&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_html_output_turns_blank_lines_into_paragraphs(context):
    rendered = render_html("Hi {{ customer.first_name }},\nthanks.\n\nAlex", context)

    assert rendered.text == "<p>Hi Jane,<br>\nthanks.</p>\n<p>Alex</p>"


def test_html_output_marks_a_missing_value(context):
    rendered = render_html("Order {{ ask.order_number }}", context)

    assert 'data-missing="ask.order_number"' in rendered.text
    assert rendered.missing == ("ask.order_number",)


def test_template_syntax_in_a_value_is_printed_not_run(context):
    context["customer"]["first_name"] = "{{ 7*7 }}{% include 'x' %}"

    rendered = render_text("Hi {{ customer.first_name }}", context)

    assert rendered.text == "Hi {{ 7*7 }}{% include 'x' %}"


def test_a_subject_never_carries_a_line_break(context):
    reply = render_reply(
        subject="Re: order {{ ask.order_number }}",
        body="Hi",
        context=context,
        ask={"order_number": "1\r\nBcc: victim@example.com\n"},
    )

    assert reply.subject == "Re: order 1 Bcc: victim@example.com"


def test_control_characters_in_values_are_dropped(context):
    context["customer"]["first_name"] = "Ja\x00ne\x1b[31m"

    rendered = render_text("{{ customer.first_name }}", context)

    assert rendered.text == "Jane[31m"


def test_render_reply_collects_missing_names_from_subject_and_body(context):
    reply = render_reply(
        subject="Order {{ ask.order_number }}",
        body="{{ ask.order_number }} and {{ ask.refund_amount }}",
        context=context,
    )

    assert reply.missing == ("ask.order_number", "ask.refund_amount")


# -- save-time validation -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "column", "fragment"),
    [
        ("Hi {{ customer.first_name }", 1, 27, "unexpected '}'"),
        ("Hi\n\n  {{ customer.name ! }}", 3, 20, "unexpected char '!'"),
        ("Hello\n{% if customer.company %}\nat {{ customer.company }}", 2, 1, "endif"),
        ("Hi {{ customer.first_name }}\n{% endfor %}", 2, 4, "endfor"),
        ("{{ customer.name | }}", 1, 20, "expected"),
    ],
    ids=[
        "unclosed-print",
        "stray-character",
        "unclosed-if",
        "stray-endfor",
        "filter-without-name",
    ],
)
def test_syntax_errors_name_the_line_and_column(source, line, column, fragment):
    with pytest.raises(TemplateInvalid) as caught:
        validate_template(source)

    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (line, column)
    assert fragment in problem.message.lower()
    assert f"Line {line}, column {column}" in caught.value.messages[0]


def test_unknown_variables_are_all_listed_with_a_suggestion():
    messages = problems_of(
        "Hi {{ customer.frist_name }}\n{{ agnet.name }} {{ ticket }}"
    )

    assert messages == [
        "Line 1, column 7: Unknown variable 'customer.frist_name'. "
        "Did you mean 'customer.first_name'?",
        "Line 2, column 4: Unknown variable 'agnet.name'. Did you mean 'agent.name'?",
        "Line 2, column 21: Unknown variable 'ticket'.",
    ]


def test_a_group_printed_whole_is_refused_with_a_hint():
    messages = problems_of("{{ customer }}")

    assert messages == [
        "Line 1, column 4: 'customer' is a group of values; use one of them, "
        "e.g. customer.company."
    ]


def test_an_invalid_ask_name_is_refused():
    messages = problems_of("{{ ask.OrderNumber }}")

    assert "not a valid ask name" in messages[0]


def test_open_customer_attributes_are_accepted():
    info = validate_template("{{ customer.attributes.plan | default('your plan') }}")

    assert info.variables == ("customer.attributes.plan",)


def test_loop_variables_are_not_reported_unknown():
    info = validate_template(
        "{% for n in range(3) %}{{ n }}{{ loop.index }}{% endfor %}"
    )

    assert info.variables == ()


# -- hostile input: each case is refused with a clear error at save time ---------

HOSTILE = [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed"),
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "not allowed"),
    ("{{ lipsum.__globals__['os'] }}", "not allowed"),
    ("{{ self._TemplateReference__context }}", "not allowed"),
    ("{{ customer.name.__class__ }}", "not allowed"),
    ("{{ customer['__class__'] }}", "not allowed"),
    ("{{ customer.name|attr('__class__') }}", "filter 'attr' is not allowed"),
    ("{{ customer.name|safe }}", "skip html escaping"),
    ("{{ customer.name|e }}", "skip html escaping"),
    ("{{ '{0.__class__}'.format(customer.name) }}", "not allowed"),
    ("{{ customer.name.upper() }}", "calling functions or methods is not allowed"),
    ("{{ config }}", "unknown variable 'config'"),
    ("{{ request }}", "unknown variable 'request'"),
    ("{{ self }}", "unknown variable 'self'"),
    ("{{ namespace() }}", "calling functions"),
    ("{% include '/etc/passwd' %}", "include"),
    ("{% extends 'base.html' %}", "extends"),
    ("{% import 'macros' as m %}", "import"),
    ("{% from 'macros' import x %}", "import"),
    ("{% macro boom() %}{{ boom() }}{% endmacro %}{{ boom() }}", "macro"),
    ("{% set x = 'a' %}{{ x }}", "set"),
    ("{% set x %}a{% endset %}", "set"),
    ("{% with x = 1 %}{{ x }}{% endwith %}", "with"),
    ("{% autoescape false %}{{ customer.name }}{% endautoescape %}", "autoescape"),
    ("{% filter upper %}x{% endfilter %}", "filter"),
    ("{% raw %}{% endraw %}{% do x %}", "unknown tag 'do'"),
    ("{% debug %}", "unknown tag 'debug'"),
    (
        "{% for x in range(3) recursive %}{{ loop(range(2)) }}{% endfor %}",
        "recursive",
    ),
    ("{{ '%s' % customer.name }}", "formatting with %"),
    ("{{ '%999999999s' % 'x' }}", "formatting with %"),
    ("{{ 'x' * 1000000000 }}", "repetition is capped"),
    ("{{ [1, 2] * 100000000 }}", "repetition is capped"),
    ("{{ 9 ** 9 ** 9 }}", "capped at 256 bits"),
    ("{{ 10 ** 1000 }}", "capped at 256 bits"),
    ("{{ range(10 ** 9) | length }}", "range() is capped"),
    ("{% for i in range(100000) %}x{% endfor %}", "range() is capped"),
    (
        "{% for a in range(9) %}{% for b in range(9) %}{% for c in range(9) %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "nested at most 2 deep",
    ),
    (
        "{% for i in range(1000) %}{% for j in range(1000) %}"
        "{{ 'x' * 100 }}{% endfor %}{% endfor %}",
        "longer than 50000 characters",
    ),
    ("{% for c in 'x' * 50000 %}{{ c }}{% endfor %}", "at most 1000 times"),
    (
        "{{ range(1000) | join(range(1000) | join(range(1000) | join)) }}",
        "join would produce more than",
    ),
    ("{{ " + "not " * 60 + "1 }}", "nests deeper than"),
    ("{{ " + "(" * 400 + "1" + ")" * 400 + " }}", "nests too deeply"),
    ("{{ customer.name }}" * 2000, "the limit is 20000"),
]


@pytest.mark.parametrize(
    ("source", "message"),
    HOSTILE,
    ids=[
        "mro-subclasses",
        "cycler-globals",
        "lipsum-globals",
        "self-context",
        "dunder-on-value",
        "dunder-by-subscript",
        "attr-filter",
        "safe-filter",
        "escape-filter",
        "str-format",
        "method-call",
        "django-config",
        "request-object",
        "self-reference",
        "namespace-call",
        "include",
        "extends",
        "import",
        "from-import",
        "recursive-macro",
        "set",
        "set-block",
        "with-block",
        "autoescape-off",
        "filter-block",
        "do-extension",
        "debug-extension",
        "recursive-loop",
        "percent-format",
        "percent-padding-bomb",
        "string-repetition",
        "list-repetition",
        "power-tower",
        "huge-power",
        "huge-range",
        "long-loop",
        "deep-loop-nesting",
        "output-size",
        "long-iterable",
        "join-bomb",
        "deep-expression",
        "parser-recursion",
        "oversized-source",
    ],
)
def test_hostile_templates_are_refused_at_save_with_a_clear_error(source, message):
    with pytest.raises(TemplateInvalid) as caught:
        validate_template(source)

    assert message in str(caught.value).lower()


def test_render_time_is_capped(context):
    slow = (
        "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"
    )

    with pytest.raises(RenderLimitExceeded) as caught:
        render_text(slow, context, limits=Limits(max_render_seconds=0.01))

    assert "took too long" in str(caught.value)


def test_output_size_is_capped_at_render(context):
    context["customer"]["attributes"]["blob"] = "x" * 1500

    with pytest.raises(RenderLimitExceeded):
        render_text(
            "{% for i in range(100) %}{{ customer.attributes.blob }}{% endfor %}",
            context,
            limits=Limits(max_output_chars=10_000),
        )


def test_an_oversized_ask_value_is_refused(context):
    with pytest.raises(RenderLimitExceeded) as caught:
        render_text("{{ ask.note }}", context, ask={"note": "x" * 5000})

    assert "ask.note" in str(caught.value)


def test_a_render_error_names_the_template_line(context):
    context["customer"]["attributes"]["count"] = 10**9

    with pytest.raises(TemplateRenderError) as caught:
        render_text(
            "Hi\nthere\n{{ range(customer.attributes.count) | length }}", context
        )

    assert caught.value.line == 3
    assert caught.value.message.startswith("Line 3: range() is capped")


def test_rendering_refuses_a_source_that_fails_the_static_checks(context):
    with pytest.raises(TemplateInvalid):
        render_text("{{ ''.__class__ }}", context)


def test_body_limits_allow_a_normal_reply(context):
    source = "Hi {{ customer.first_name }},\n" + "Thanks for your patience.\n" * 200

    rendered = render_text(source, context, limits=BODY_LIMITS)

    assert rendered.text.startswith("Hi Jane,")
