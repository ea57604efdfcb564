from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

import time_machine
from django.http import QueryDict
from django.utils import timezone

from inbox import services
from inbox.models import Conversation, Message
from insights.filters import parse_filters
from insights.reports import build_report, conversations_behind
from templates_app.models import TemplateUse
from tests.factories import (
    CannedTemplateFactory,
    ConversationFactory,
    CustomerFactory,
    LabelFactory,
    MessageFactory,
)


def at(day: int, hour: int = 12) -> datetime:
    """A time in March 2026 (the report period); day 0 and below fall in February."""
    return datetime(
        2026, 3, 1, hour, tzinfo=timezone.get_current_timezone()
    ) + timedelta(days=day - 1)


def march(user, **extra):
    params = {"from": "2026-03-01", "to": "2026-03-31", **extra}
    return parse_filters(user, QueryDict(urlencode(params)))


def conversation(mailbox, day, **fields):
    fields.setdefault("last_activity_at", at(day))
    return ConversationFactory(mailbox=mailbox, created_at=at(day), **fields)


def label(conversation, name, *, on, by, off=None):
    LabelFactory(name=name)
    with time_machine.travel(on, tick=False):
        services.change_labels(conversation, add=[name], by=by)
    if off is not None:
        with time_machine.travel(off, tick=False):
            services.change_labels(conversation, remove=[name], by=by)


def resolve(conversation, *, on, by):
    with time_machine.travel(on, tick=False):
        return services.change_status(
            conversation, status=Conversation.Status.RESOLVED, by=by
        )


def test_volume_counts_new_conversations_with_the_previous_period_beside_it(
    lead, mailbox, other_mailbox
):
    conversation(mailbox, 3)
    conversation(mailbox, 20)
    conversation(mailbox, -5)
    conversation(other_mailbox, 4)

    report = build_report("volume", march(lead)).as_json()

    assert (report["total"], report["previous_total"]) == (2, 1)
    assert sum(row["new"] for row in report["rows"]) == 2
    assert report["rows"][2] == {"period": "2026-03-03", "new": 1, "reopened": 0}


def test_a_reply_is_not_a_new_conversation_and_a_reopen_is_counted_apart(lead, mailbox):
    old = conversation(mailbox, -10)
    resolve(old, on=at(-9), by=lead)
    MessageFactory(conversation=old, at=at(5))
    MessageFactory(conversation=conversation(mailbox, 6), at=at(6))

    report = build_report("volume", march(lead)).as_json()

    assert (report["total"], report["reopened"]) == (1, 1)
    assert [c.pk for c in conversations_behind(march(lead), "reopened")] == [old.pk]


def test_label_history_decides_which_conversations_a_label_had_in_the_period(
    lead, mailbox
):
    before = conversation(mailbox, -20, last_activity_at=at(10))
    label(before, "billing", on=at(-20), by=lead)
    removed_mid = conversation(mailbox, 2)
    label(removed_mid, "billing", on=at(2), by=lead, off=at(15))
    removed_before = conversation(mailbox, -20, last_activity_at=at(10))
    label(removed_before, "billing", on=at(-20), by=lead, off=at(-1))
    stale = conversation(mailbox, -60, last_activity_at=at(-40))
    label(stale, "billing", on=at(-60), by=lead)

    rows = build_report("labels", march(lead)).as_json()["rows"]

    assert [(r["label"], r["conversations"], r["previous"]) for r in rows] == [
        ("billing", 2, 2)
    ]
    assert {
        c.pk
        for c in conversations_behind(march(lead), "label", str(rows[0]["label_id"]))
    } == {
        before.pk,
        removed_mid.pk,
    }


def test_rising_labels_rank_by_absolute_change_not_ratio(lead, mailbox):
    for day in (2, 3, 4):
        label(conversation(mailbox, day), "rare", on=at(day), by=lead)
    label(conversation(mailbox, -3), "rare", on=at(-3), by=lead)
    for day in range(1, 9):
        label(conversation(mailbox, day), "common", on=at(day), by=lead)
    for day in range(-5, -1):
        label(conversation(mailbox, day), "common", on=at(day), by=lead)

    rows = build_report("labels", march(lead)).as_json()["rows"]

    assert [(r["label"], r["change"]) for r in rows] == [("common", 4), ("rare", 2)]
    assert rows[1]["change_pct"] == 200.0


def test_first_response_median_and_p90_in_calendar_hours(lead, mailbox):
    for hours in (1, 2, 3, 4, 10):
        c = conversation(mailbox, 5)
        Conversation.objects.filter(pk=c.pk).update(
            first_response_at=at(5) + timedelta(hours=hours)
        )
    conversation(mailbox, 6)

    rows = build_report("response-times", march(lead)).as_json()["rows"]

    assert rows[0] == {
        "metric": "first_response",
        "conversations": 5,
        "median_hours": 3.0,
        "p90_hours": 7.6,
        "previous_conversations": 0,
        "previous_median_hours": None,
        "previous_p90_hours": None,
    }


def test_a_reopen_restarts_the_resolution_clock(lead, mailbox):
    c = conversation(mailbox, 2, status=Conversation.Status.OPEN)
    resolve(c, on=at(3), by=lead)
    MessageFactory(conversation=c, at=at(10))
    resolve(c, on=at(10, hour=18), by=lead)

    rows = build_report("response-times", march(lead)).as_json()["rows"]

    assert rows[1]["metric"] == "resolution"
    assert (rows[1]["conversations"], rows[1]["median_hours"]) == (1, 6.0)


def test_sentiment_shift_by_label_agent_and_template_with_the_share_more_negative(
    lead, agent, mailbox
):
    calmer = conversation(
        mailbox,
        4,
        sentiment_first=-0.6,
        sentiment_last=0.2,
        last_customer_message_at=at(4),
        assignee=agent,
    )
    worse = conversation(
        mailbox,
        5,
        sentiment_first=0.1,
        sentiment_last=-0.5,
        last_customer_message_at=at(5),
        assignee=agent,
    )
    label(calmer, "billing", on=at(4), by=lead)
    label(worse, "billing", on=at(5), by=lead)
    template = CannedTemplateFactory(name="Refund")
    reply = MessageFactory(
        conversation=worse, kind=Message.Kind.REPLY, author=agent, at=at(5)
    )
    TemplateUse.objects.create(message=reply, template=template, used_at=at(5))

    report = build_report("sentiment-shift", march(lead)).as_json()

    assert (report["conversations"], report["more_negative"]) == (2, 1)
    assert report["more_negative_share"] == 0.5
    assert {
        (r["by"], r["name"]): (r["conversations"], r["more_negative"])
        for r in report["rows"]
    } == {
        ("label", "billing"): (2, 1),
        ("agent", "alice"): (2, 1),
        ("template", "Refund"): (1, 1),
    }


def test_repeat_contact_rate_counts_a_new_conversation_within_n_days(lead, mailbox):
    customer = CustomerFactory()
    first = conversation(mailbox, 3, customer=customer)
    label(first, "bug", on=at(3), by=lead)
    resolve(first, on=at(4), by=lead)
    conversation(mailbox, 9, customer=customer)
    late = conversation(mailbox, 12)
    resolve(late, on=at(12), by=lead)
    conversation(mailbox, 25, customer=late.customer)

    report = build_report("repeat-contacts", march(lead)).as_json()

    assert (report["resolved"], report["repeated"], report["rate"]) == (2, 1, 0.5)
    assert report["rows"] == [
        {
            "label_id": report["rows"][0]["label_id"],
            "label": "bug",
            "resolved": 1,
            "repeated": 1,
            "rate": 1.0,
        }
    ]
    assert [c.pk for c in conversations_behind(march(lead), "repeated")] == [first.pk]


def test_empathy_findings_are_counted_by_rule_and_split_the_shift(lead, agent, mailbox):
    flagged = conversation(
        mailbox,
        4,
        sentiment_first=0.0,
        sentiment_last=-0.4,
        last_customer_message_at=at(4),
    )
    clean = conversation(
        mailbox,
        4,
        sentiment_first=-0.2,
        sentiment_last=0.3,
        last_customer_message_at=at(4),
    )
    MessageFactory(
        conversation=flagged,
        kind=Message.Kind.REPLY,
        author=agent,
        at=at(4),
        empathy_findings=["blame", "jargon"],
    )
    MessageFactory(
        conversation=flagged,
        kind=Message.Kind.REPLY,
        author=agent,
        at=at(5),
        empathy_findings=["blame"],
    )
    MessageFactory(conversation=clean, kind=Message.Kind.REPLY, author=agent, at=at(4))

    report = build_report("empathy", march(lead)).as_json()

    assert report["rows"] == [
        {"rule": "blame", "replies": 2, "conversations": 1, "previous_replies": 0},
        {"rule": "jargon", "replies": 1, "conversations": 1, "previous_replies": 0},
    ]
    assert [
        (r["group"], r["conversations"], r["more_negative_share"])
        for r in report["shift"]
    ] == [
        ("with findings", 1, 1.0),
        ("without findings", 1, 0.0),
    ]
    assert [c.pk for c in conversations_behind(march(lead), "rule", "blame")] == [
        flagged.pk
    ]


def test_check_ins_say_no_data_rather_than_zero(lead):
    report = build_report("check-ins", march(lead)).as_json()

    assert report["status"] == "no data"
    assert report["responses"] is None
    assert report["rows"] == []


def test_an_empty_period_gives_zero_counts_and_no_times(lead, mailbox):
    report = build_report("response-times", march(lead)).as_json()

    assert [r["median_hours"] for r in report["rows"]] == [None, None]
