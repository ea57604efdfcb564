"""The reports: SQL aggregates over the inbox, each with the previous period beside it.

Every figure comes from a conversation queryset that `conversations_behind`
returns too, so each number on the page is one click from its conversations.

"Conversations with label X in period P": the label was applied before P ends
and not removed before P starts, on a conversation active in P (created before
P ends, last activity on or after P starts) — so a label left on a conversation
closed last year does not count this month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from inbox.models import Conversation, ConversationLabel, Event, Label, Message
from insights.errors import InvalidFilter
from insights.filters import ReportFilters
from insights.sql import (
    Seconds,
    conversation_ids_with_rule,
    findings_by_rule,
    median_and_p90,
)
from templates_app.models import CannedTemplate, TemplateUse

NAMES = (
    "volume",
    "labels",
    "response-times",
    "sentiment-shift",
    "repeat-contacts",
    "check-ins",
    "empathy",
)


@dataclass(frozen=True)
class Link:
    """Where a figure's conversations are: a metric, its key, and the period."""

    metric: str
    key: str = ""
    start: date | None = None
    end: date | None = None


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    # column -> row -> Link, for the figures that open a conversation list.
    links: dict[str, Callable[[dict[str, Any]], Link]] = field(default_factory=dict)


@dataclass
class Report:
    name: str
    title: str
    filters: ReportFilters
    summary: dict[str, Any]
    tables: list[Table]
    # summary key -> Link
    summary_links: dict[str, Link] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        previous = self.filters.previous()
        data: dict[str, Any] = {
            "report": self.name,
            "from": self.filters.start.isoformat(),
            "to": self.filters.end.isoformat(),
            "previous_from": previous.start.isoformat(),
            "previous_to": previous.end.isoformat(),
            **self.summary,
            "rows": self.tables[0].rows if self.tables else [],
        }
        for table in self.tables[1:]:
            data[table.name.replace("-", "_")] = table.rows
        return data

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise InvalidFilter(f"No table {name!r} in this report", field="table")


# --- Building blocks -----------------------------------------------------------


def _within(column: str, f: ReportFilters) -> Q:
    start, end = f.window
    return Q(**{f"{column}__gte": start, f"{column}__lt": end})


def _label_in_force(f: ReportFilters, prefix: str = "") -> Q:
    """A label link that was on the conversation at some time in the period."""
    start, end = f.window
    return Q(**{f"{prefix}applied_at__lt": end}) & (
        Q(**{f"{prefix}removed_at__isnull": True})
        | Q(**{f"{prefix}removed_at__gte": start})
    )


def _active(f: ReportFilters, prefix: str = "") -> Q:
    start, end = f.window
    return Q(
        **{f"{prefix}created_at__lt": end, f"{prefix}last_activity_at__gte": start}
    )


def _has_label(f: ReportFilters, label_id: Any) -> Exists:
    return Exists(
        ConversationLabel.objects.filter(
            _label_in_force(f), conversation_id=OuterRef("pk"), label_id=label_id
        )
    )


def scope(f: ReportFilters) -> QuerySet[Conversation]:
    """The caller's conversations, narrowed by mailbox, agent, template and label."""
    conversations = Conversation.objects.filter(mailbox_id__in=f.mailbox_ids)
    if f.agent_id is not None:
        conversations = conversations.filter(assignee_id=f.agent_id)
    if f.template_id is not None:
        conversations = conversations.filter(
            Exists(
                TemplateUse.objects.filter(
                    message__conversation_id=OuterRef("pk"), template_id=f.template_id
                )
            )
        )
    if f.label_id is not None:
        conversations = conversations.filter(_has_label(f, f.label_id))
    return conversations


def _reopen_events() -> Q:
    """A reopen: a customer wrote to a resolved conversation, or someone moved it
    out of resolved. Both end one resolution and start the clock again."""
    return Q(kind=Event.Kind.CONVERSATION_REOPENED) | Q(
        kind=Event.Kind.STATUS_CHANGED, data__old=Conversation.Status.RESOLVED
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _ratio(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)


def _grouped(groups: QuerySet, members: QuerySet, **aggregates: Any) -> QuerySet:
    """Annotate each group with aggregates over `members` (which refer to the
    group as OuterRef("pk")), one correlated subquery each, so a conversation
    counts once per group however many links tie it there."""
    annotations = {
        name: Subquery(
            members.order_by()
            .annotate(_one=Value(1))
            .values("_one")
            .annotate(value=aggregate)
            .values("value")
        )
        for name, aggregate in aggregates.items()
    }
    return groups.annotate(**annotations)


# --- Volume ----------------------------------------------------------------------


def new_conversations(f: ReportFilters) -> QuerySet[Conversation]:
    """Conversations created in the period; a reply is not a new conversation."""
    return scope(f).filter(_within("created_at", f))


def reopened_conversations(f: ReportFilters) -> QuerySet[Conversation]:
    events = Event.objects.filter(
        _reopen_events(), _within("created_at", f), conversation_id=OuterRef("pk")
    )
    return scope(f).filter(Exists(events))


def labelled(f: ReportFilters, label_id: Any) -> QuerySet[Conversation]:
    return scope(f).filter(_active(f), _has_label(f, label_id))


def buckets(f: ReportFilters) -> list[tuple[date, date]]:
    """The period cut into days, weeks (from Monday) or months, clipped to it."""
    result, start = [], f.start
    while start <= f.end:
        if f.interval == "week":
            end = start + timedelta(days=6 - start.weekday())
        elif f.interval == "month":
            following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
            end = following - timedelta(days=1)
        else:
            end = start
        end = min(end, f.end)
        result.append((start, end))
        start = end + timedelta(days=1)
    return result


def volume(f: ReportFilters) -> Report:
    previous = f.previous()
    spans = [replace(f, start=s, end=e) for s, e in buckets(f)]
    new_by_bucket = scope(f).aggregate(
        **{
            f"b{i}": Count("pk", filter=_within("created_at", span))
            for i, span in enumerate(spans)
        }
    )
    reopened_by_bucket = (
        Event.objects.filter(_reopen_events(), conversation__in=scope(f))
        .order_by()
        .aggregate(
            **{
                f"b{i}": Count(
                    "conversation", distinct=True, filter=_within("created_at", span)
                )
                for i, span in enumerate(spans)
            }
        )
    )
    rows = [
        {
            "period": span.start.isoformat(),
            "new": new_by_bucket[f"b{i}"],
            "reopened": reopened_by_bucket[f"b{i}"],
        }
        for i, span in enumerate(spans)
    ]
    by_label_counts = (
        ConversationLabel.objects.filter(
            _label_in_force(f),
            _active(f, "conversation__"),
            conversation__in=scope(f),
        )
        .values("label_id", "label__name")
        .order_by("label__name")
        .annotate(
            **{
                f"b{i}": Count(
                    "conversation",
                    distinct=True,
                    filter=_label_in_force(span) & _active(span, "conversation__"),
                )
                for i, span in enumerate(spans)
            }
        )
    )
    by_label = [
        {
            "period": span.start.isoformat(),
            "label_id": entry["label_id"],
            "label": entry["label__name"],
            "conversations": entry[f"b{i}"],
        }
        for entry in by_label_counts
        for i, span in enumerate(spans)
    ]
    bucket_end = {span.start.isoformat(): span.end for span in spans}

    def period(row: dict[str, Any], metric: str, key: str = "") -> Link:
        start = date.fromisoformat(row["period"])
        return Link(metric, key, start, bucket_end[row["period"]])

    summary = {
        "total": new_conversations(f).count(),
        "previous_total": new_conversations(previous).count(),
        "reopened": reopened_conversations(f).count(),
        "previous_reopened": reopened_conversations(previous).count(),
        "interval": f.interval,
    }
    return Report(
        name="volume",
        title="Volume",
        filters=f,
        summary=summary,
        tables=[
            Table(
                "volume",
                f"New and reopened conversations per {f.interval}",
                [("period", "Period from"), ("new", "New"), ("reopened", "Reopened")],
                rows,
                links={
                    "new": lambda row: period(row, "new"),
                    "reopened": lambda row: period(row, "reopened"),
                },
            ),
            Table(
                "by-label",
                f"Conversations by label per {f.interval}",
                [
                    ("period", "Period from"),
                    ("label", "Label"),
                    ("conversations", "Conversations"),
                ],
                by_label,
                links={
                    "conversations": lambda row: period(
                        row, "label", str(row["label_id"])
                    )
                },
            ),
        ],
        summary_links={
            "total": Link("new"),
            "previous_total": Link("new", "", previous.start, previous.end),
            "reopened": Link("reopened"),
            "previous_reopened": Link("reopened", "", previous.start, previous.end),
        },
    )


# --- Labels rising ---------------------------------------------------------------


def _label_counts(f: ReportFilters) -> dict[int, int]:
    return dict(
        ConversationLabel.objects.filter(
            _label_in_force(f), _active(f, "conversation__"), conversation__in=scope(f)
        )
        .values("label_id")
        .order_by()
        .annotate(n=Count("conversation", distinct=True))
        .values_list("label_id", "n")
    )


def labels(f: ReportFilters) -> Report:
    """Labels ranked by absolute change against the previous period, so 200→260
    (+60) outranks 1→3 (+2); the percentage is shown beside it, never ranked on."""
    previous = f.previous()
    current, before = _label_counts(f), _label_counts(previous)
    names = dict(
        Label.objects.filter(pk__in=set(current) | set(before)).values_list(
            "pk", "name"
        )
    )
    rows = []
    for label_id, name in names.items():
        now, then = current.get(label_id, 0), before.get(label_id, 0)
        rows.append(
            {
                "label_id": label_id,
                "label": name,
                "conversations": now,
                "previous": then,
                "change": now - then,
                "change_pct": round(100 * (now - then) / then, 1) if then else None,
            }
        )
    rows.sort(key=lambda row: (-row["change"], -row["conversations"], row["label"]))
    return Report(
        name="labels",
        title="Labels rising fastest",
        filters=f,
        summary={"ranked_by": "absolute change"},
        tables=[
            Table(
                "labels",
                "Labels by change against the previous period",
                [
                    ("label", "Label"),
                    ("conversations", "This period"),
                    ("previous", "Previous period"),
                    ("change", "Change"),
                    ("change_pct", "Change %"),
                ],
                rows,
                links={
                    "conversations": lambda row: Link("label", str(row["label_id"])),
                    "previous": lambda row: Link(
                        "label", str(row["label_id"]), previous.start, previous.end
                    ),
                },
            )
        ],
    )


# --- Response times --------------------------------------------------------------


def first_responses(f: ReportFilters) -> QuerySet[Conversation]:
    """Conversations created in the period that have had a first reply."""
    return new_conversations(f).filter(first_response_at__isnull=False)


def resolutions(f: ReportFilters) -> QuerySet[Conversation]:
    """Conversations resolved in the period, with `cycle_start`: the last reopen
    before the resolution, else creation — a reopen starts the clock again."""
    last_reopen = (
        Event.objects.filter(
            _reopen_events(),
            conversation_id=OuterRef("pk"),
            created_at__lte=OuterRef("resolved_at"),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        scope(f)
        .filter(_within("resolved_at", f), status=Conversation.Status.RESOLVED)
        .annotate(cycle_start=Coalesce(Subquery(last_reopen), F("created_at")))
    )


def _times(f: ReportFilters) -> dict[str, dict[str, Any]]:
    first = median_and_p90(
        first_responses(f), Seconds(F("first_response_at"), F("created_at"))
    )
    resolved = median_and_p90(
        resolutions(f), Seconds(F("resolved_at"), F("cycle_start"))
    )
    return {"first_response": first, "resolution": resolved}


def response_times(f: ReportFilters) -> Report:
    """Median and p90 in calendar hours."""
    previous = f.previous()
    now, then = _times(f), _times(previous)
    rows = [
        {
            "metric": metric,
            "conversations": now[metric]["count"],
            "median_hours": _hours(now[metric]["median"]),
            "p90_hours": _hours(now[metric]["p90"]),
            "previous_conversations": then[metric]["count"],
            "previous_median_hours": _hours(then[metric]["median"]),
            "previous_p90_hours": _hours(then[metric]["p90"]),
        }
        for metric in ("first_response", "resolution")
    ]
    return Report(
        name="response-times",
        title="First response and resolution (calendar hours)",
        filters=f,
        summary={"unit": "calendar hours"},
        tables=[
            Table(
                "response-times",
                "First response and resolution, calendar hours",
                [
                    ("metric", "Measure"),
                    ("conversations", "Conversations"),
                    ("median_hours", "Median h"),
                    ("p90_hours", "p90 h"),
                    ("previous_conversations", "Previous conversations"),
                    ("previous_median_hours", "Previous median h"),
                    ("previous_p90_hours", "Previous p90 h"),
                ],
                rows,
                links={
                    "conversations": lambda row: Link(row["metric"]),
                    "previous_conversations": lambda row: Link(
                        row["metric"], "", previous.start, previous.end
                    ),
                },
            )
        ],
    )


# --- Sentiment shift ---------------------------------------------------------------


def shifted(f: ReportFilters) -> QuerySet[Conversation]:
    """Conversations whose customer last wrote in the period, with `shift` =
    last customer score minus first (negative: they ended more upset)."""
    return (
        scope(f)
        .filter(
            _within("last_customer_message_at", f),
            sentiment_first__isnull=False,
            sentiment_last__isnull=False,
        )
        .annotate(shift=F("sentiment_last") - F("sentiment_first"))
    )


def _shift_aggregates() -> dict[str, Any]:
    return {
        "conversations": Count("pk"),
        "average_shift": Avg("shift"),
        "more_negative": Count("pk", filter=Q(shift__lt=0)),
    }


def _shift_row(values: dict[str, Any]) -> dict[str, Any]:
    conversations = values["conversations"] or 0
    more_negative = values["more_negative"] or 0
    average = values["average_shift"]
    return {
        "conversations": conversations,
        "average_shift": None if average is None else round(average, 4),
        "more_negative": more_negative,
        "more_negative_share": _ratio(more_negative, conversations),
    }


def _shift_groups(f: ReportFilters) -> list[dict[str, Any]]:
    members = shifted(f)
    by_label = _grouped(
        Label.objects.all(),
        members.filter(_has_label(f, OuterRef(OuterRef("pk")))),
        **_shift_aggregates(),
    ).values("pk", "name", "conversations", "average_shift", "more_negative")
    by_agent = _grouped(
        get_user_model().objects.filter(
            pk__in=members.filter(assignee__isnull=False).values("assignee_id")
        ),
        members.filter(assignee_id=OuterRef("pk")),
        **_shift_aggregates(),
    ).values("pk", "username", "conversations", "average_shift", "more_negative")
    by_template = _grouped(
        CannedTemplate.objects.filter(
            pk__in=TemplateUse.objects.filter(
                message__conversation__in=members.values("pk")
            ).values("template_id")
        ),
        members.filter(
            Exists(
                TemplateUse.objects.filter(
                    message__conversation_id=OuterRef("pk"),
                    template_id=OuterRef(OuterRef("pk")),
                )
            )
        ),
        **_shift_aggregates(),
    ).values("pk", "name", "conversations", "average_shift", "more_negative")
    rows = []
    for dimension, groups, name in (
        ("label", by_label, "name"),
        ("agent", by_agent, "username"),
        ("template", by_template, "name"),
    ):
        for group in groups:
            if not group["conversations"]:
                continue
            rows.append(
                {
                    "by": dimension,
                    "key": f"{dimension}:{group['pk']}",
                    "name": group[name],
                    **_shift_row(group),
                }
            )
    return rows


def sentiment_shift(f: ReportFilters) -> Report:
    previous = f.previous()
    now = _shift_row(shifted(f).aggregate(**_shift_aggregates()))
    then = _shift_row(shifted(previous).aggregate(**_shift_aggregates()))
    summary = {
        **now,
        **{f"previous_{key}": value for key, value in then.items()},
    }
    return Report(
        name="sentiment-shift",
        title="Sentiment shift (last customer score minus first)",
        filters=f,
        summary=summary,
        tables=[
            Table(
                "sentiment-shift",
                "Sentiment shift by label, agent and canned reply",
                [
                    ("by", "By"),
                    ("name", "Name"),
                    ("conversations", "Conversations"),
                    ("average_shift", "Average shift"),
                    ("more_negative", "Ended more negative"),
                    ("more_negative_share", "Share more negative"),
                ],
                _shift_groups(f),
                links={
                    "conversations": lambda row: Link("shift", row["key"]),
                    "more_negative": lambda row: Link("more-negative", row["key"]),
                },
            )
        ],
        summary_links={
            "conversations": Link("shift"),
            "more_negative": Link("more-negative"),
            "previous_conversations": Link("shift", "", previous.start, previous.end),
            "previous_more_negative": Link(
                "more-negative", "", previous.start, previous.end
            ),
        },
    )


def _shift_subset(f: ReportFilters, key: str) -> QuerySet[Conversation]:
    members = shifted(f)
    if not key:
        return members
    dimension, _, value = key.partition(":")
    if not value.isdigit():
        raise InvalidFilter("Unknown group", field="key")
    if dimension == "label":
        return members.filter(_has_label(f, int(value)))
    if dimension == "agent":
        return members.filter(assignee_id=int(value))
    if dimension == "template":
        return members.filter(
            Exists(
                TemplateUse.objects.filter(
                    message__conversation_id=OuterRef("pk"), template_id=int(value)
                )
            )
        )
    raise InvalidFilter("Unknown group", field="key")


# --- Repeat contacts ---------------------------------------------------------------


def repeated(f: ReportFilters) -> Exists:
    """The same customer opened another conversation (in the caller's
    mailboxes) within N days after this one was resolved."""
    later = Conversation.objects.filter(
        mailbox_id__in=f.mailbox_ids,
        customer_id=OuterRef("customer_id"),
        created_at__gt=OuterRef("resolved_at"),
        created_at__lte=ExpressionWrapper(
            OuterRef("resolved_at") + timedelta(days=f.repeat_days),
            output_field=DateTimeField(),
        ),
    ).exclude(pk=OuterRef("pk"))
    return Exists(later)


def resolved_conversations(f: ReportFilters) -> QuerySet[Conversation]:
    return scope(f).filter(
        _within("resolved_at", f), status=Conversation.Status.RESOLVED
    )


def _repeat_aggregates(f: ReportFilters) -> dict[str, Any]:
    return {"resolved": Count("pk"), "repeated": Count("pk", filter=repeated(f))}


def _repeat_row(values: dict[str, Any]) -> dict[str, Any]:
    resolved, repeated = values["resolved"] or 0, values["repeated"] or 0
    return {
        "resolved": resolved,
        "repeated": repeated,
        "rate": _ratio(repeated, resolved),
    }


def repeat_contacts(f: ReportFilters) -> Report:
    previous = f.previous()
    now = _repeat_row(resolved_conversations(f).aggregate(**_repeat_aggregates(f)))
    then = _repeat_row(
        resolved_conversations(previous).aggregate(**_repeat_aggregates(previous))
    )
    groups = _grouped(
        Label.objects.all(),
        resolved_conversations(f).filter(_has_label(f, OuterRef(OuterRef("pk")))),
        **_repeat_aggregates(f),
    ).values("pk", "name", "resolved", "repeated")
    rows = [
        {"label_id": group["pk"], "label": group["name"], **_repeat_row(group)}
        for group in groups
        if group["resolved"]
    ]
    return Report(
        name="repeat-contacts",
        title=f"Repeat contacts within {f.repeat_days} days of a resolution",
        filters=f,
        summary={
            "days": f.repeat_days,
            **now,
            **{f"previous_{key}": value for key, value in then.items()},
        },
        tables=[
            Table(
                "repeat-contacts",
                "Repeat-contact rate by label",
                [
                    ("label", "Label"),
                    ("resolved", "Resolved"),
                    ("repeated", "Wrote again"),
                    ("rate", "Rate"),
                ],
                rows,
                links={
                    "resolved": lambda row: Link("resolved", str(row["label_id"])),
                    "repeated": lambda row: Link("repeated", str(row["label_id"])),
                },
            )
        ],
        summary_links={
            "resolved": Link("resolved"),
            "repeated": Link("repeated"),
            "previous_resolved": Link("resolved", "", previous.start, previous.end),
            "previous_repeated": Link("repeated", "", previous.start, previous.end),
        },
    )


# --- Check-ins -------------------------------------------------------------------


def check_ins(f: ReportFilters) -> Report:
    """No check-in ratings exist until the scheduler sends check-ins: "no data",
    never zeros."""
    return Report(
        name="check-ins",
        title="Check-in ratings",
        filters=f,
        summary={
            "status": "no data",
            "detail": "Check-ins are not sent yet, so there are no ratings.",
            "responses": None,
            "average_rating": None,
        },
        tables=[Table("check-ins", "Check-in ratings", [], [])],
    )


# --- Empathy -----------------------------------------------------------------------


def sent_replies(f: ReportFilters) -> QuerySet[Message]:
    return Message.objects.filter(
        _within("created_at", f),
        kind=Message.Kind.REPLY,
        conversation__in=scope(f),
    ).exclude(delivery_status=Message.DeliveryStatus.CANCELLED)


def with_findings(f: ReportFilters, *, found: bool) -> QuerySet[Conversation]:
    """Conversations with a shift whose replies in the period carried findings
    (`found`), or that had replies and none carried any."""
    replies = sent_replies(f).filter(conversation_id=OuterRef("pk"))
    flagged = Exists(replies.exclude(empathy_findings=[]))
    if found:
        return shifted(f).filter(flagged)
    return shifted(f).filter(Exists(replies), ~flagged)


def empathy(f: ReportFilters) -> Report:
    previous = f.previous()
    before = {rule: n for rule, n, _ in findings_by_rule(sent_replies(previous))}
    rows = [
        {
            "rule": rule,
            "replies": replies,
            "conversations": conversations,
            "previous_replies": before.get(rule, 0),
        }
        for rule, replies, conversations in findings_by_rule(sent_replies(f))
    ]
    shift_rows = [
        {
            "group": "with findings" if found else "without findings",
            "key": "with" if found else "without",
            **_shift_row(
                with_findings(f, found=found).aggregate(**_shift_aggregates())
            ),
        }
        for found in (True, False)
    ]
    return Report(
        name="empathy",
        title="Empathy findings on sent replies",
        filters=f,
        summary={"replies": sent_replies(f).count()},
        tables=[
            Table(
                "empathy",
                "Findings by rule",
                [
                    ("rule", "Rule"),
                    ("replies", "Replies"),
                    ("conversations", "Conversations"),
                    ("previous_replies", "Previous replies"),
                ],
                rows,
                links={"conversations": lambda row: Link("rule", row["rule"])},
            ),
            Table(
                "shift",
                "Sentiment shift with and without findings",
                [
                    ("group", "Conversations"),
                    ("conversations", "Conversations"),
                    ("average_shift", "Average shift"),
                    ("more_negative_share", "Share more negative"),
                ],
                shift_rows,
                links={"conversations": lambda row: Link("findings", row["key"])},
            ),
        ],
    )


BUILDERS: dict[str, Callable[[ReportFilters], Report]] = {
    "volume": volume,
    "labels": labels,
    "response-times": response_times,
    "sentiment-shift": sentiment_shift,
    "repeat-contacts": repeat_contacts,
    "check-ins": check_ins,
    "empathy": empathy,
}


def build_report(name: str, f: ReportFilters) -> Report:
    """One report by its API name; an unknown name is InvalidFilter."""
    if name not in BUILDERS:
        raise InvalidFilter(f"No report named {name!r}", field="name")
    return BUILDERS[name](f)


# --- Drill-down --------------------------------------------------------------------


def _label_key(key: str) -> int:
    if not key.isdigit():
        raise InvalidFilter("Give the label id", field="key")
    return int(key)


def conversations_behind(
    f: ReportFilters, metric: str, key: str = ""
) -> QuerySet[Conversation]:
    """The conversations one figure counts, with the same filters and period."""
    if metric == "new":
        found = new_conversations(f)
    elif metric == "reopened":
        found = reopened_conversations(f)
    elif metric == "label":
        found = labelled(f, _label_key(key))
    elif metric == "first_response":
        found = first_responses(f)
    elif metric == "resolution":
        found = resolutions(f)
    elif metric == "shift":
        found = _shift_subset(f, key)
    elif metric == "more-negative":
        found = _shift_subset(f, key).filter(shift__lt=0)
    elif metric in ("resolved", "repeated"):
        found = resolved_conversations(f)
        if key:
            found = found.filter(_has_label(f, _label_key(key)))
        if metric == "repeated":
            found = found.filter(repeated(f))
    elif metric == "rule":
        found = scope(f).filter(pk__in=conversation_ids_with_rule(sent_replies(f), key))
    elif metric == "findings" and key in ("with", "without"):
        found = with_findings(f, found=key == "with")
    else:
        raise InvalidFilter("No such figure", field="metric")
    return found.select_related("mailbox", "customer").order_by("-created_at", "-id")


def period_of(link: Link, f: ReportFilters) -> ReportFilters:
    """The filters a link opens: the same scope, its own period when it has one."""
    if link.start is None:
        return f
    return replace(f, start=link.start, end=link.end or link.start)
