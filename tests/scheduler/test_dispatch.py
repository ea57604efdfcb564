from __future__ import annotations

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
