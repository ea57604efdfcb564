"""`manage.py bench web`: the agent's pages as the browser gets them, timed.

Each figure is a full Django request through the test client (middleware,
session, view, templates) as the bench user, with p50/p95 in milliseconds and the
number of SQL queries. Run `bench seed` first. Targets (PERFORMANCE.md and issue
6): list p95 ≤ 30 ms, conversation ≤ 40 ms, search ≤ 150 ms, each ≤ 10 queries.

The REST list (`/api/v1/conversations/`) calls the page's selector, so it is timed
against the same targets, and the EXPLAIN of each one's list query is written
out with `same_plan`: the two must not drift apart.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.registry import measure, percentile
from benchmarks.seed import (
    BENCH_MAILBOXES,
    BENCH_USER,
    COMMON_WORD,
    ONE_PERCENT_WORD,
    RARE_WORD,
)
from inbox import search, selectors
from inbox.models import Conversation, Mailbox

TARGETS_MS = {"list": 30, "conversation": 40, "search": 150}
MAX_QUERIES = 10
API_LIST = "/api/v1/conversations/"
# The keyset list query's ORDER BY; no other query on either page has it.
LIST_QUERY_MARK = 'ORDER BY "inbox_conversation"."last_activity_at" DESC'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--page", type=int, default=50, help="deep page to time")


def _get(client: Client, url: str, params: dict | None = None) -> Any:
    def action() -> None:
        response = client.get(url, params or {})
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    return action


def _cursor_for_page(user: Any, mailbox_id: int, page: int) -> str | None:
    cursor = None
    for _ in range(page - 1):
        result = selectors.conversations_for_inbox(
            user, mailbox_id=mailbox_id, after=cursor
        )
        cursor = result.next_cursor
        if cursor is None:
            break
    return cursor


def _api_page_url(client: Client, page: int) -> str:
    """The URL of the API list's page `page`, reached by following `next`."""
    url = f"{API_LIST}?status=open"
    for reached in range(1, page):
        url = client.get(url).json()["next"]
        if url is None:
            raise SystemExit(
                f"The API list has only {reached} pages of open conversations; "
                "run `bench seed` with more conversations or pass a smaller --page"
            )
    return url


def _list_query_plan(client: Client, url: str, params: dict) -> str:
    """EXPLAIN (no ANALYZE) of the list query the request at `url` runs."""
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    sql = next(q["sql"] for q in captured if LIST_QUERY_MARK in q["sql"])
    with connection.cursor() as cursor:
        # `sql` is the query as the driver sent it, literals already bound.
        cursor.execute(f"{connection.ops.explain_query_prefix()} {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _plan_shape(plan: str) -> str:
    """The plan without costs, row estimates or other numbers."""
    return re.sub(r"\d+(\.\d+)?", "#", plan)


def _timed(action: Any, repeat: int) -> dict[str, Any]:
    """measure() plus this process's CPU time per request: on a shared machine the
    wall clock includes waiting for a core, the CPU time does not (nor the
    database server's share)."""
    figures = measure(action, repeat=repeat)
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        samples.append((time.process_time() - started) * 1000)
    figures["cpu_p50_ms"] = round(statistics.median(samples), 3)
    figures["cpu_p95_ms"] = round(percentile(samples, 0.95), 3)
    return figures


def _judge(figures: dict[str, Any], name: str, target: str) -> None:
    row = figures[name]
    row["target_p95_ms"] = TARGETS_MS[target]
    row["ok"] = row["p95_ms"] <= TARGETS_MS[target] and row["queries"] <= MAX_QUERIES


def run(options: argparse.Namespace, stdout: Any = None) -> dict[str, Any]:
    user = get_user_model().objects.filter(username=BENCH_USER).first()
    mailbox = Mailbox.objects.filter(email=BENCH_MAILBOXES[0][1]).first()
    if user is None or mailbox is None:
        raise SystemExit("No bench data: run `manage.py bench seed` first")
    client = Client()
    client.force_login(user)
    repeat = options.repeat
    figures: dict[str, Any] = {
        "conversations": Conversation.objects.count(),
        "database": connection.vendor,
        # Wall-clock figures on a shared machine: the load says how shared.
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    figures["list_page_1"] = _timed(_get(client, "/", {"mailbox": mailbox.pk}), repeat)
    _judge(figures, "list_page_1", "list")
    cursor = _cursor_for_page(user, mailbox.pk, options.page)
    figures[f"list_page_{options.page}_keyset"] = _timed(
        _get(client, "/", {"mailbox": mailbox.pk, "after": cursor or ""}),
        repeat=repeat,
    )
    _judge(figures, f"list_page_{options.page}_keyset", "list")
    conversation = (
        Conversation.objects.filter(mailbox=mailbox, status="open")
        .order_by("-last_activity_at")
        .first()
    )
    figures["conversation_page"] = _timed(
        _get(client, f"/conversations/{conversation.pk}/"), repeat
    )
    _judge(figures, "conversation_page", "conversation")
    for label, word in [
        ("rare", RARE_WORD),
        ("one_percent", ONE_PERCENT_WORD),
        ("common", COMMON_WORD),
    ]:
        name = f"search_{label}_{word}"
        figures[name] = _timed(_get(client, "/", {"q": word}), repeat)
        results = search.search_conversations(user, word)
        figures[name]["hits_shown"] = len(results.hits)
        figures[name]["strategy"] = results.strategy
        _judge(figures, name, "search")
    figures["api_list_page_1"] = _timed(_get(client, f"{API_LIST}?status=open"), repeat)
    _judge(figures, "api_list_page_1", "list")
    deep_api_page = f"api_list_page_{options.page}"
    figures[deep_api_page] = _timed(
        _get(client, _api_page_url(client, options.page)), repeat
    )
    _judge(figures, deep_api_page, "list")
    figures["load_average_after"] = round(os.getloadavg()[0], 2)
    figures["all_ok"] = all(
        row["ok"] for row in figures.values() if isinstance(row, dict)
    )
    # Same filters on both: the page's default folder is the open conversations.
    plans = {
        "page": _list_query_plan(client, "/", {"status": "open"}),
        "api": _list_query_plan(client, API_LIST, {"status": "open"}),
    }
    figures["plans"] = plans
    figures["same_plan"] = _plan_shape(plans["page"]) == _plan_shape(plans["api"])
    return figures
