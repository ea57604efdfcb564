from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from inbox.models import Message
from scheduler import services
from scheduler.models import ScheduledEmail, ScheduledRun
from scheduler.tasks import dispatch_scheduled_emails_task
from tests.factories import ConversationFactory, CustomerFactory
from tests.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _due_promises(mailbox, agent, count):
    conversations = [ConversationFactory(mailbox=mailbox) for _ in range(count)]
    rows = [
        services.schedule(conversation, by=agent, body="Update", every="24h")
        for conversation in conversations
    ]
    ScheduledEmail.objects.update(send_at=timezone.now() - timedelta(seconds=1))
    return rows


def test_two_concurrent_dispatchers_send_each_due_email_once(mailbox, agent):
    _due_promises(mailbox, agent, 40)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def dispatcher():
        barrier.wait()
        try:
            while claimed := services.claim_due(limit=5):
                outcomes.extend(
                    services.send_scheduled(pk, run=run) for pk, run in claimed
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    per_key = ScheduledRun.objects.values("scheduled_email", "number").annotate(
        n=Count("id")
    )
    assert outcomes.count("sent") == 40
    assert Message.objects.filter(kind="scheduled_update").count() == 40
    assert {row["n"] for row in per_key} == {1}


def test_a_real_worker_sends_a_due_promise_once(mailbox, agent, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    mail.outbox = []
    conversation = ConversationFactory(
        mailbox=mailbox, customer=CustomerFactory(email="dana@example.test")
    )
    scheduled = services.schedule(
        conversation,
        by=agent,
        body="Here is your update",
        send_at=timezone.now() + timedelta(hours=1),
    )
    ScheduledEmail.objects.filter(pk=scheduled.pk).update(
        send_at=timezone.now() - timedelta(seconds=1)
    )

    with running_worker():
        dispatch_scheduled_emails_task.delay()
        dispatch_scheduled_emails_task.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not mail.outbox:
            time.sleep(0.2)
        time.sleep(1)

    assert [email.to for email in mail.outbox] == [["dana@example.test"]]
    assert ScheduledEmail.objects.get(pk=scheduled.pk).status == "sent"


def _drain(now_offset: float) -> None:
    connection.close()  # a fresh connection per process, never the parent's socket
    later = timedelta(seconds=now_offset)
    while claimed := services.claim_due(now=timezone.now() + later, limit=5):
        for pk, run in claimed:
            services.send_scheduled(pk, run=run)
    connection.close()


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(mailbox, agent):
    rows = _due_promises(mailbox, agent, 200)
    connection.close()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_drain, args=(0,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 60
    while ScheduledRun.objects.count() < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(workers[0].pid, signal.SIGKILL)
    workers[1].join()
    # The killed worker's lease has run out when a restarted worker looks.
    connection.close()
    restarted = context.Process(
        target=_drain, args=(services.LEASE.total_seconds() + 1,)
    )
    restarted.start()
    restarted.join()

    per_key = ScheduledRun.objects.values("scheduled_email", "number").annotate(
        n=Count("id")
    )
    assert workers[0].exitcode == -signal.SIGKILL
    assert ScheduledRun.objects.count() == len(rows)
    assert {row["n"] for row in per_key} == {1}
    assert Message.objects.filter(kind="scheduled_update").count() == len(rows)
    assert not ScheduledEmail.objects.filter(run_count=0).exists()
