"""`manage.py bench seed --conversations N`: bulk benchmark data, made by PostgreSQL.

Rows are generated server-side with generate_series in chunks (never the ORM row
by row): 3 mailboxes, N/4 customers, N conversations with 3 messages and one
event each, labels on about a third. Message text mixes filler words with three
marker words the search benchmark relies on:

- COMMON_WORD in about half of all messages,
- ONE_PERCENT_WORD in about 1% of messages,
- RARE_WORD in exactly RARE_COUNT messages spread over the whole history.

Everything belongs to mailboxes named "Bench …" and the user BENCH_USER (member of
all three), so `--reset` can remove it without touching real data.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from inbox.models import Event, Label, Mailbox, Membership, Sequence

BENCH_USER = "bench"
BENCH_MAILBOXES = [
    ("Bench Alpha", "alpha@bench.test"),
    ("Bench Beta", "beta@bench.test"),
    ("Bench Gamma", "gamma@bench.test"),
]
COMMON_WORD, ONE_PERCENT_WORD, RARE_WORD = "order", "chargeback", "xylophone"
RARE_COUNT = 30
CHUNK = 50_000
FILLER = [
    "hello",
    "thanks",
    "please",
    "help",
    "issue",
    "problem",
    "login",
    "password",
    "email",
    "invoice",
    "payment",
    "delivery",
    "package",
    "shipping",
    "tracking",
    "account",
    "settings",
    "update",
    "error",
    "screen",
    "page",
    "button",
    "click",
    "app",
    "phone",
    "laptop",
    "browser",
    "crash",
    "slow",
    "fast",
    "again",
    "still",
    "today",
    "yesterday",
    "tomorrow",
    "week",
    "month",
    "customer",
    "support",
    "team",
    "reply",
    "answer",
    "question",
    "waiting",
    "urgent",
    "broken",
    "working",
    "fixed",
    "refund",
    "price",
    "plan",
    "subscription",
    "cancel",
    "renew",
    "upgrade",
    "downgrade",
    "export",
    "import",
    "report",
    "data",
    "file",
    "upload",
    "download",
    "sync",
    "calendar",
    "contact",
    "address",
    "billing",
    "card",
    "bank",
    "transfer",
    "receipt",
    "discount",
    "coupon",
    "store",
    "product",
    "size",
    "colour",
    "return",
    "exchange",
    "warranty",
    "repair",
    "replace",
    "manual",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument(
        "--reset", action="store_true", help="delete earlier bench data first"
    )


def _setup() -> tuple[list[int], int, list[int]]:
    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"first_name": "Bench", "last_name": "Agent"}
    )
    mailbox_ids = []
    for name, email in BENCH_MAILBOXES:
        mailbox, _ = Mailbox.objects.get_or_create(email=email, defaults={"name": name})
        Membership.objects.get_or_create(mailbox=mailbox, user=user)
        mailbox_ids.append(mailbox.pk)
    label_ids = [
        Label.objects.get_or_create(name=f"bench-{i}")[0].pk for i in range(10)
    ]
    return mailbox_ids, user.pk, label_ids


def _reset(mailbox_ids: list[int]) -> None:
    with connection.cursor() as cursor:
        for sql in [
            "DELETE FROM inbox_event e USING inbox_conversation c "
            "WHERE e.conversation_id = c.id AND c.mailbox_id = ANY(%(m)s)",
            "DELETE FROM inbox_conversationlabel l USING inbox_conversation c "
            "WHERE l.conversation_id = c.id AND c.mailbox_id = ANY(%(m)s)",
            "DELETE FROM inbox_message WHERE mailbox_id = ANY(%(m)s)",
            "DELETE FROM inbox_conversation WHERE mailbox_id = ANY(%(m)s)",
            "DELETE FROM inbox_customer WHERE email LIKE 'bench-%%@example.test'",
        ]:
            cursor.execute(sql, {"m": mailbox_ids})


_CUSTOMERS_SQL = """
INSERT INTO inbox_customer (email, name, first_name, company, timezone, attributes, created_at)
SELECT 'bench-' || %(tag)s || '-' || g || '@example.test', 'Customer ' || g, 'Customer',
       'Company ' || (g %% 997), 'Europe/Paris', '{}'::jsonb, now()
FROM generate_series(1, %(n)s) g
RETURNING id
"""

# One chunk of conversations; ids come back for the messages and events.
_CONVERSATIONS_SQL = """
INSERT INTO inbox_conversation (
    number, mailbox_id, customer_id, subject, status, snoozed_until, assignee_id,
    created_at, updated_at, last_activity_at, last_customer_message_at,
    first_response_at, resolved_at, reopen_count, message_count, snippet,
    sentiment_first, sentiment_last, milestone)
SELECT %(base)s + g,
       (%(mailboxes)s::bigint[])[1 + g %% 3],
       %(first_customer)s + (g::bigint * 7919) %% %(customers)s,
       'Question about ' || (%(words)s::text[])[1 + (g * 31) %% %(nwords)s] || ' ' || g,
       CASE WHEN r < 0.10 THEN 'open' WHEN r < 0.15 THEN 'pending'
            WHEN r < 0.17 THEN 'snoozed' ELSE 'resolved' END,
       CASE WHEN r >= 0.15 AND r < 0.17 THEN now() + interval '3 days' END,
       CASE WHEN g %% 4 = 0 THEN %(user)s END,
       at - interval '2 hours', at, at, at,
       at - interval '1 hour', CASE WHEN r >= 0.17 THEN at END, 0, 3,
       'Snippet of conversation ' || g, -0.4, 0.2, ''
FROM (
    SELECT g, random() AS r,
           now() - ((%(total)s - g) * interval '1 minute') AS at
    FROM generate_series(%(start)s, %(stop)s) g
) s
RETURNING id
"""

_MESSAGES_SQL = """
INSERT INTO inbox_message (
    conversation_id, mailbox_id, kind, from_email, from_name, "to", cc, bcc, subject,
    text, visible_text, html, message_id, in_reply_to, "references",
    auto_submitted, created_at, delivery_status, delivery_detail,
    esp_message_id, sentiment_label, empathy_findings, empathy_override_reason,
    thread_index_root)
SELECT c.id, c.mailbox_id, CASE WHEN k = 2 THEN 'reply' ELSE 'inbound' END,
       'bench-customer@example.test', '', '[]'::jsonb, '[]'::jsonb, '[]'::jsonb,
       c.subject, body, body, '',
       '<bench-' || c.id || '-' || k || '@bench.test>', '', '', false,
       c.last_activity_at - (3 - k) * interval '20 minutes', '', '', '', '', '[]'::jsonb, '', ''
FROM (
    SELECT c.id, c.mailbox_id, c.subject, c.last_activity_at, k,
           concat_ws(' ',
               CASE WHEN random() < 0.5 THEN %(common)s END,
               CASE WHEN random() < 0.01 THEN %(onepct)s END,
               CASE WHEN (c.id * 3 + k) %% %(rare_every)s = 0 THEN %(rare)s END,
               (SELECT string_agg((%(words)s::text[])[1 + floor(random() * %(nwords)s)::int], ' ')
                FROM generate_series(1, 30) w WHERE c.id > 0 AND k > 0)
           ) AS body
    FROM inbox_conversation c CROSS JOIN generate_series(1, 3) k
    WHERE c.id = ANY(%(ids)s)
) c
"""

_EVENTS_SQL = """
INSERT INTO inbox_event (conversation_id, kind, actor_id, data, created_at)
SELECT id, %(kind)s, NULL, '{}'::jsonb, created_at
FROM inbox_conversation WHERE id = ANY(%(ids)s)
"""

_LABELS_SQL = """
INSERT INTO inbox_conversationlabel (conversation_id, label_id, applied_at)
SELECT id, (%(labels)s::bigint[])[1 + id %% 10], created_at
FROM inbox_conversation WHERE id = ANY(%(ids)s) AND id %% 3 = 0
"""


def run(options: argparse.Namespace, stdout: Any = None) -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise SystemExit("bench seed needs PostgreSQL (set DATABASE_URL)")
    total = options.conversations
    mailbox_ids, user_id, label_ids = _setup()
    started = time.perf_counter()
    if options.reset:
        _reset(mailbox_ids)
    tag = str(int(time.time()))
    with transaction.atomic():
        Sequence.objects.get_or_create(name="conversation_number")
        sequence = Sequence.objects.select_for_update().get(name="conversation_number")
        base = sequence.value
        sequence.value = base + total
        sequence.save(update_fields=["value"])
    customers = max(1, total // 4)
    with connection.cursor() as cursor:
        cursor.execute(_CUSTOMERS_SQL, {"tag": tag, "n": customers})
        first_customer = min(row[0] for row in cursor.fetchall())
    # Rare word: exactly RARE_COUNT of the 3 x total messages.
    rare_every = max(1, (3 * total) // RARE_COUNT)
    for start in range(1, total + 1, CHUNK):
        stop = min(total, start + CHUNK - 1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                _CONVERSATIONS_SQL,
                {
                    "base": base,
                    "mailboxes": mailbox_ids,
                    "first_customer": first_customer,
                    "customers": customers,
                    "words": FILLER,
                    "nwords": len(FILLER),
                    "user": user_id,
                    "total": total,
                    "start": start,
                    "stop": stop,
                },
            )
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                _MESSAGES_SQL,
                {
                    "ids": ids,
                    "common": COMMON_WORD,
                    "onepct": ONE_PERCENT_WORD,
                    "rare": RARE_WORD,
                    "rare_every": rare_every,
                    "words": FILLER,
                    "nwords": len(FILLER),
                },
            )
            cursor.execute(
                _EVENTS_SQL, {"ids": ids, "kind": Event.Kind.CONVERSATION_CREATED}
            )
            cursor.execute(_LABELS_SQL, {"ids": ids, "labels": label_ids})
        if stdout is not None:
            stdout.write(
                f"  {stop:>9,} / {total:,} conversations "
                f"({time.perf_counter() - started:.0f} s)"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inbox_conversation")
        cursor.execute("ANALYZE inbox_message")
        cursor.execute("ANALYZE inbox_conversationlabel")
        cursor.execute("ANALYZE inbox_event")
        cursor.execute("SELECT count(*) FROM inbox_message")
        messages = cursor.fetchone()[0]
    return {
        "conversations_added": total,
        "messages_total": messages,
        "seconds": round(time.perf_counter() - started, 1),
    }
