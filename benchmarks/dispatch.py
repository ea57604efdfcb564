"""`manage.py bench dispatch [--sends N --workers N]`: N promised updates falling
due in the same second, drained by N worker processes sharing the queue.

Rows are made by PostgreSQL (generate_series): N conversations in a "Bench
Dispatch" mailbox, each with one due scheduled update. Each worker process
loops `claim_due` + `send_scheduled`, as the Celery send tasks do. Reports
seconds to drain, duplicates (runs or messages beyond one per row) and lost
rows (still pending), then deletes everything it made.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from inbox.models import Conversation, Customer, Mailbox, Membership, Message, Sequence
from scheduler import services
from scheduler.models import ScheduledEmail, ScheduledRun

BENCH_USER = "bench"
MAILBOX = ("Bench Dispatch", "dispatch@bench.test")
BUDGET_SECONDS = 60.0

_CONVERSATIONS_SQL = """
INSERT INTO inbox_conversation (
    number, mailbox_id, customer_id, subject, status, created_at, updated_at,
    last_activity_at, reopen_count, message_count, snippet, milestone)
SELECT %(base)s + g, %(mailbox)s, %(customer)s, 'Dispatch bench ' || g, 'open',
       now(), now(), now(), 0, 0, '', ''
FROM generate_series(1, %(n)s) g
RETURNING id
"""

_SCHEDULED_SQL = """
INSERT INTO scheduler_scheduledemail (
    conversation_id, author_id, kind, body, ask, send_at, timezone, status,
    run_count, last_error, created_at, updated_at)
SELECT id, %(user)s, 'update', 'Your update, as promised.', '{}'::jsonb,
       date_trunc('second', now()), 'UTC', 'pending', 0, '', now(), now()
FROM inbox_conversation WHERE mailbox_id = %(mailbox)s
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sends", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)


def _setup(total: int) -> tuple[Mailbox, Any]:
    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"first_name": "Bench", "last_name": "Agent"}
    )
    mailbox, _ = Mailbox.objects.get_or_create(
        email=MAILBOX[1], defaults={"name": MAILBOX[0]}
    )
    Membership.objects.get_or_create(mailbox=mailbox, user=user)
    _cleanup(mailbox)
    customer, _ = Customer.objects.get_or_create(email="dispatch-customer@bench.test")
    with transaction.atomic():
        Sequence.objects.get_or_create(name="conversation_number")
        sequence = Sequence.objects.select_for_update().get(name="conversation_number")
        base = sequence.value
        sequence.value = base + total
        sequence.save(update_fields=["value"])
    with transaction.atomic(), connection.cursor() as cursor:
        params = {"base": base, "mailbox": mailbox.pk, "customer": customer.pk}
        cursor.execute(_CONVERSATIONS_SQL, {**params, "n": total})
        cursor.execute(_SCHEDULED_SQL, {"mailbox": mailbox.pk, "user": user.pk})
    return mailbox, user


def _cleanup(mailbox: Mailbox) -> None:
    Conversation.objects.filter(mailbox=mailbox).delete()


def _drain(_: int) -> int:
    connection.close()  # a fresh connection per process, never the parent's socket
    sent = 0
    while claimed := services.claim_due(limit=100):
        for pk, run in claimed:
            sent += services.send_scheduled(pk, run=run) == "sent"
    connection.close()
    return sent


def run(options: argparse.Namespace, stdout: Any = None) -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise SystemExit("bench dispatch needs PostgreSQL (set DATABASE_URL)")
    mailbox, _ = _setup(options.sends)
    time.sleep(1)  # every row is now due in the same (past) second
    connection.close()
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(options.workers) as pool:
        sent = pool.map(_drain, range(options.workers))
    seconds = time.perf_counter() - started
    rows = ScheduledEmail.objects.filter(conversation__mailbox=mailbox)
    messages = Message.objects.filter(
        mailbox=mailbox, kind=Message.Kind.SCHEDULED_UPDATE
    ).count()
    runs = ScheduledRun.objects.filter(scheduled_email__in=rows).count()
    figures = {
        "sends": options.sends,
        "workers": options.workers,
        "seconds": round(seconds, 2),
        "per_second": round(options.sends / seconds, 1),
        "sent_per_worker": sent,
        "duplicates": max(0, messages - options.sends) + max(0, runs - options.sends),
        "lost": rows.exclude(status=ScheduledEmail.Status.SENT).count(),
        "budget_seconds": BUDGET_SECONDS,
        "within_budget": seconds <= BUDGET_SECONDS,
    }
    _cleanup(mailbox)
    return figures
