"""`manage.py bench ingest`: inbound pipeline throughput for ~5 KB plain-text mail.

Generates N distinct messages from a pool of customers; a share of them are
replies carrying In-Reply-To to an earlier message, so threading lookups run
as in production. Half go one by one through `ingest_raw_email` (the webhook
and IMAP path: raw commit, then processing commit), half through `ingest_many`
(the import path: one commit per batch) in `--workers` processes; then all the
same bytes again (the duplicate path). Each message runs the whole pipeline:
raw store, parse, classify, dedupe, thread, create/append with sentiment and
events. The lookups are EXPLAINed to show they use indexes.
Everything is written under a throw-away mailbox that is removed afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import time
import uuid
import zlib
from collections import Counter
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.registry import percentile
from inbox.ingest.classify import classify
from inbox.ingest.parsing import parse_email
from inbox.ingest.pipeline import ingest_many, ingest_raw_email
from inbox.models import Conversation, Customer, Mailbox, Message, RawEmail
from inbox.sentiment import score_customer_message

BENCH_MAILBOX = "bench-ingest@bench.invalid"
WORDS = [
    "order",
    "delivery",
    "invoice",
    "refund",
    "account",
    "password",
    "broken",
    "arrived",
    "late",
    "thanks",
    "please",
    "help",
    "urgent",
    "again",
    "still",
    "waiting",
    "customer",
    "support",
    "replacement",
    "box",
    "screen",
    "login",
    "export",
    "error",
    "yesterday",
    "today",
    "tomorrow",
    "week",
    "charge",
    "twice",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--messages", type=int, default=2000, help="messages to ingest")
    parser.add_argument("--size", type=int, default=5000, help="approximate body bytes")
    parser.add_argument("--customers", type=int, default=400, help="distinct senders")
    parser.add_argument(
        "--reply-share", type=float, default=0.5, help="share of replies"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for the batched runs"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data")


def _body(rng: random.Random, size: int) -> str:
    lines, length = [], 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
        lines.append(line)
        length += len(line) + 1
    return "\n".join(lines)


def _generate(options: argparse.Namespace, run: str) -> list[bytes]:
    rng = random.Random(42)  # noqa: S311 - reproducible test data, not secrets
    sent: dict[int, list[str]] = {}
    messages = []
    for number in range(options.messages):
        customer = rng.randrange(options.customers)
        message = EmailMessage()
        message["From"] = (
            f"Customer {customer} <customer{customer}.{run}@bench.invalid>"
        )
        message["To"] = BENCH_MAILBOX
        message["Date"] = format_datetime(timezone.now())
        message_id = f"<{run}.{number}@bench.invalid>"
        message["Message-ID"] = message_id
        earlier = sent.get(customer)
        if earlier and rng.random() < options.reply_share:
            message["Subject"] = "Re: Question"
            message["In-Reply-To"] = earlier[-1]
            message["References"] = " ".join(earlier[-5:])
        else:
            message["Subject"] = f"Question {number}"
        message.set_content(_body(rng, options.size))
        sent.setdefault(customer, []).append(message_id)
        messages.append(message.as_bytes())
    return messages


def _explain(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return " / ".join(row[0].strip() for row in cursor.fetchall())


def _plans(mailbox: Mailbox) -> dict[str, str]:
    """Query plans of the per-message lookups (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return {}
    lookups = {
        "dedupe": Message.objects.filter(mailbox=mailbox, message_id="<x@y>"),
        "references": Message.objects.filter(
            mailbox=mailbox, message_id__in=["<a@b>", "<c@d>"]
        ),
        "thread_index": Message.objects.filter(
            mailbox=mailbox, thread_index_root="AdmXJ0n1"
        ),
        "raw_sha256": RawEmail.objects.filter(sha256="0" * 64, envelope_recipient=""),
        "customer": Customer.objects.alias(email_lower=Lower("email")).filter(
            email_lower="x@y.test"
        ),
    }
    plans = {}
    for name, queryset in lookups.items():
        sql, params = queryset.query.sql_with_params()
        plans[name] = _explain(sql, list(params))
    return plans


def _one_by_one(
    messages: list[bytes], mailbox: Mailbox
) -> tuple[float, list[float], Counter[str]]:
    """The webhook/IMAP path: one `ingest_raw_email` (two commits) per message."""
    latencies, outcomes = [], Counter()
    started = time.perf_counter()
    cpu_started = time.process_time()
    for raw in messages:
        begin = time.perf_counter()
        outcomes[
            ingest_raw_email(
                raw, source=RawEmail.Source.WEBHOOK, mailbox=mailbox
            ).status
        ] += 1
        latencies.append((time.perf_counter() - begin) * 1000)
    outcomes["cpu_ms_total"] = round((time.process_time() - cpu_started) * 1000)
    return time.perf_counter() - started, latencies, outcomes


def _batched(messages: list[bytes], mailbox_id: int) -> Counter[str]:
    """The import path: `ingest_many`, one commit per batch."""
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    items = enumerate(messages)
    return Counter(
        result.status
        for _, result in ingest_many(
            items, source=RawEmail.Source.IMPORT, mailbox=mailbox
        )
    )


def _worker(messages: list[bytes], mailbox_id: int) -> Counter[str]:
    connection.close()  # a fresh connection per process, never the parent's socket
    return _batched(messages, mailbox_id)


def _parallel(
    messages: list[bytes], mailbox: Mailbox, workers: int
) -> tuple[float, Counter[str]]:
    """Batched ingest split over `workers` processes by customer, as N workers would run."""
    if workers <= 1:
        started = time.perf_counter()
        outcomes = _batched(messages, mailbox.pk)
        return time.perf_counter() - started, outcomes
    # Split by sender so one customer's replies stay in order in one process.
    shares: list[list[bytes]] = [[] for _ in range(workers)]
    for raw in messages:
        sender = raw.split(b"@bench.invalid", 1)[0]
        shares[zlib.crc32(sender) % workers].append(raw)
    connection.close()
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(workers) as pool:
        counts = pool.starmap(_worker, [(share, mailbox.pk) for share in shares])
    seconds = time.perf_counter() - started
    return seconds, sum(counts, Counter())


def _parse_only(messages: list[bytes]) -> float:
    """Parse, classify and score without the database: the pipeline's own CPU cost."""
    limit = settings.REPLYPAD_MAX_MESSAGE_BYTES
    started = time.perf_counter()
    for raw in messages:
        parsed = parse_email(raw, max_bytes=limit)
        classify(parsed)
        score_customer_message(parsed.text)
    return len(messages) / (time.perf_counter() - started)


def _cleanup(mailbox: Mailbox) -> None:
    customer_ids = list(
        Conversation.objects.filter(mailbox=mailbox)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    Conversation.objects.filter(mailbox=mailbox).delete()
    RawEmail.objects.filter(mailbox=mailbox).delete()
    Customer.objects.filter(pk__in=customer_ids, conversations__isnull=True).delete()
    mailbox.delete()


def run(options: argparse.Namespace, stdout: Any = None) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    mailbox, _ = Mailbox.objects.get_or_create(
        email=BENCH_MAILBOX, defaults={"name": "Bench ingest"}
    )
    messages = _generate(options, run_id)
    half = len(messages) // 2
    single, batch = messages[:half], messages[half:]
    parse_rate = _parse_only(messages)
    try:
        with CaptureQueriesContext(connection) as captured:
            for raw in single[:20]:
                ingest_raw_email(raw, source=RawEmail.Source.WEBHOOK, mailbox=mailbox)
        queries_per_message = round(len(captured.captured_queries) / 20, 1)
        one_seconds, latencies, one_outcomes = _one_by_one(single[20:], mailbox)
        batch_seconds, batch_outcomes = _parallel(batch, mailbox, options.workers)
        dup_seconds, dup_outcomes = _parallel(messages, mailbox, options.workers)
        plans = _plans(mailbox)
    finally:
        if not options.keep:
            _cleanup(mailbox)
    return {
        "average_bytes": round(statistics.fmean(len(raw) for raw in messages)),
        "workers": options.workers,
        "parse_classify_score_only": {"msg_per_s": round(parse_rate, 1)},
        "webhook_one_by_one": {
            "messages": len(single) - 20,
            "msg_per_s": round((len(single) - 20) / one_seconds, 1),
            "p50_ms": round(statistics.median(latencies), 3),
            "p95_ms": round(percentile(latencies, 0.95), 3),
            "queries_per_msg": queries_per_message,
            "client_cpu_ms_per_msg": round(
                one_outcomes.pop("cpu_ms_total") / (len(single) - 20), 2
            ),
            **one_outcomes,
        },
        "import_batched": {
            "messages": len(batch),
            "msg_per_s": round(len(batch) / batch_seconds, 1),
            **batch_outcomes,
        },
        "redelivered_same_bytes": {
            "messages": len(messages),
            "msg_per_s": round(len(messages) / dup_seconds, 1),
            **dup_outcomes,
        },
        "plans": {
            name: ("index" if "Index" in plan else "SEQ SCAN")
            for name, plan in plans.items()
        },
        "plan_detail": plans,
        "target_msg_per_s": 300,
    }
