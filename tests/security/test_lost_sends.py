"""A reply whose worker dies mid-send is sent again once its lease runs out, exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from inbox.models import Message
from inbox.outbound import cancel_reply, retry_message, send_reply
from inbox.outbound.delivery import dispatch_due_messages
from inbox.outbound.errors import NotRetryable, UndoTooLate
from tests.factories import ConversationFactory, CustomerFactory
from tests.security.children import child_env

Delivery = Message.DeliveryStatus
HTMX = {"HTTP_HX_REQUEST": "true"}


def queued_reply(mailbox, agent, settings, body="On it!"):
    settings.REPLYPAD_UNDO_SECONDS = 1
    conversation = ConversationFactory(mailbox=mailbox, customer=CustomerFactory())
    return send_reply(conversation, body=body, by=agent)


def abandon(message, *, lease_ends):
    """The row as a worker leaves it when it is killed after claiming."""
    Message.objects.filter(pk=message.pk).update(
        delivery_status=Delivery.SENDING, send_attempts=1, claimed_until=lease_ends
    )


@pytest.mark.django_db
def test_the_dispatcher_sends_a_reply_whose_worker_lease_expired(
    mailbox, agent, settings
):
    message = queued_reply(mailbox, agent, settings)
    abandon(message, lease_ends=timezone.now() - timedelta(seconds=1))
    mail.outbox = []

    dispatch_due_messages()

    message.refresh_from_db()
    assert message.delivery_status == Delivery.SENT
    assert message.send_attempts == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_send_with_a_live_lease_is_left_alone_and_cannot_be_undone_or_retried(
    mailbox, agent, settings
):
    message = queued_reply(mailbox, agent, settings)
    abandon(message, lease_ends=timezone.now() + timedelta(minutes=5))
    mail.outbox = []

    dispatch_due_messages()

    message.refresh_from_db()
    assert message.delivery_status == Delivery.SENDING
    assert mail.outbox == []
    with pytest.raises(UndoTooLate):
        cancel_reply(message, by=agent)
    with pytest.raises(NotRetryable):
        retry_message(message, by=agent)


@pytest.mark.django_db
def test_a_send_whose_lease_expired_can_be_retried(mailbox, agent, settings):
    message = queued_reply(mailbox, agent, settings)
    abandon(message, lease_ends=timezone.now() - timedelta(seconds=1))

    retried = retry_message(message, by=agent)

    assert retried.delivery_status in {Delivery.QUEUED, Delivery.SENT}
    assert retried.send_attempts <= 1


def _worker(tmp_path):
    """`celery worker --beat` in its own process group, as `make run` starts it."""
    env = child_env(
        EMAIL_BACKEND="tests.security.slow_backend.SlowOutboxBackend",
        REPLYPAD_OUTBOX_DIR=str(tmp_path / "outbox"),
        REPLYPAD_SEND_LEASE_SECONDS="3",
        CELERY_TASK_ALWAYS_EAGER="false",
        SLOW_SEND_SECONDS="1",
    )
    return subprocess.Popen(  # noqa: S603 - our own interpreter and app
        [
            sys.executable, "-m", "celery", "-A", "replypad", "worker", "--beat",
            "--pool", "solo", "--loglevel", "WARNING",
            "--schedule", str(tmp_path / "beat-schedule"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _statuses(ids):
    return Counter(
        Message.objects.filter(pk__in=ids).values_list("delivery_status", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_replies_survive_a_worker_killed_three_times_mid_send_and_go_out_once(
    mailbox, agent, settings, tmp_path
):
    ids = [queued_reply(mailbox, agent, settings, f"Reply {n}").pk for n in range(8)]
    kills = 0
    for _ in range(3):
        worker = _worker(tmp_path)
        mid_send = _until(lambda: _statuses(ids)[Delivery.SENDING], timeout=60)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        kills += mid_send

    worker = _worker(tmp_path)
    try:
        all_sent = _until(lambda: _statuses(ids) == {Delivery.SENT: 8}, timeout=120)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    sent_ids = Counter(
        message_from_bytes(path.read_bytes())["Message-ID"]
        for path in (tmp_path / "outbox").glob("*.eml")
    )
    expected = set(
        Message.objects.filter(pk__in=ids).values_list("message_id", flat=True)
    )
    assert kills == 3
    assert all_sent
    assert set(sent_ids) == expected
    assert set(sent_ids.values()) == {1}


@pytest.mark.django_db
def test_the_composer_offers_to_send_again_a_reply_whose_worker_died(
    client, mailbox, agent, settings
):
    message = queued_reply(mailbox, agent, settings)
    abandon(message, lease_ends=timezone.now() - timedelta(seconds=1))
    client.force_login(agent)

    page = client.get(
        f"/conversations/{message.conversation_id}/replies/outgoing/", **HTMX
    ).content.decode()
    retried = client.post(f"/replies/{message.pk}/retry/", **HTMX)

    assert "The send stopped" in page
    assert f"/replies/{message.pk}/retry/" in page
    assert retried.status_code == 200
