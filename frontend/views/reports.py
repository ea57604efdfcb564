"""The reports page, its CSV downloads and the conversations behind each figure."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from frontend.helpers import HtmxHttpRequest, partial
from insights.csv_export import table_csv
from insights.errors import InvalidFilter, ReportsForbidden
from insights.filters import (
    INTERVALS,
    ReportFilters,
    filter_options,
    parse_filters,
)
from insights.reports import (
    NAMES,
    Link,
    Report,
    Table,
    build_report,
    conversations_behind,
    period_of,
)

DRILL_LIMIT = 200
# Tables drawn as bars as well: report -> (table, label column, value column).
CHARTS = {
    "volume": ("volume", "period", "new"),
    "labels": ("labels", "label", "conversations"),
    "repeat-contacts": ("repeat-contacts", "label", "repeated"),
    "empathy": ("empathy", "rule", "replies"),
}


def _filters(request: HtmxHttpRequest) -> ReportFilters:
    try:
        return parse_filters(request.user, request.GET)
    except ReportsForbidden as error:
        raise PermissionDenied(error.message) from error


def _href(link: Link, filters: ReportFilters) -> str:
    params = period_of(link, filters).params()
    params.update(metric=link.metric, key=link.key)
    return reverse("frontend:report-conversations") + "?" + urlencode(params)


def _table(report: Report, table: Table, filters: ReportFilters) -> dict[str, Any]:
    rows = [
        [
            (
                row.get(key),
                _href(table.links[key](row), filters) if key in table.links else "",
            )
            for key, _ in table.columns
        ]
        for row in table.rows
    ]
    csv_params = {**filters.params(), "table": table.name}
    return {
        "title": table.title,
        "headers": [title for _, title in table.columns],
        "rows": rows,
        "csv_url": reverse("frontend:report-csv", args=[report.name])
        + "?"
        + urlencode(csv_params),
    }


def _chart(report: Report) -> dict[str, Any] | None:
    """Bars 0 to 360 px wide, each with its label and number as text."""
    if report.name not in CHARTS:
        return None
    name, label, value = CHARTS[report.name]
    rows = report.table(name).rows
    largest = max((row[value] or 0 for row in rows), default=0) or 1
    bars = [
        {
            "label": row[label],
            "value": row[value],
            "width": round(360 * (row[value] or 0) / largest, 1),
            "y": 22 * i,
        }
        for i, row in enumerate(rows)
    ]
    return {"bars": bars, "height": 22 * len(bars) + 4} if bars else None


def _view(report: Report, filters: ReportFilters) -> dict[str, Any]:
    return {
        "name": report.name,
        "title": report.title,
        "summary": [
            (
                key.replace("_", " ").capitalize(),
                value,
                _href(report.summary_links[key], filters)
                if key in report.summary_links
                else "",
            )
            for key, value in report.summary.items()
        ],
        "tables": [
            _table(report, table, filters) for table in report.tables if table.columns
        ],
        "chart": _chart(report),
    }


@login_required
def reports(request: HtmxHttpRequest) -> HttpResponse:
    try:
        filters = _filters(request)
    except InvalidFilter as error:
        return render(
            request,
            "frontend/reports/page.html",
            {
                "error": error.message,
                "options": filter_options(request.user),
                "intervals": INTERVALS,
            },
            status=400,
        )
    context = {
        "filters": filters,
        "previous": filters.previous(),
        "options": filter_options(request.user),
        "intervals": INTERVALS,
        "reports": [_view(build_report(name, filters), filters) for name in NAMES],
    }
    return render(
        request, partial(request, "frontend/reports/page.html", "reports"), context
    )


@login_required
def report_csv(request: HtmxHttpRequest, name: str) -> HttpResponse:
    try:
        filters = _filters(request)
        report = build_report(name, filters)
        table = report.table(request.GET.get("table") or report.tables[0].name)
    except InvalidFilter as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table.name}-{filters.start}-{filters.end}.csv"'
    )
    return response


@login_required
def report_conversations(request: HtmxHttpRequest) -> HttpResponse:
    try:
        filters = _filters(request)
        found = conversations_behind(
            filters, request.GET.get("metric", ""), request.GET.get("key", "")
        )
        conversations = list(found[:DRILL_LIMIT])
    except InvalidFilter as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    context = {
        "filters": filters,
        "conversations": conversations,
        "limit": DRILL_LIMIT,
        "back": reverse("frontend:reports") + "?" + filters.query(),
    }
    return render(request, "frontend/reports/conversations.html", context)
