from __future__ import annotations

import time

import pytest
from django.core import mail

from inbox.models import Message
from inbox.outbound import send_reply
from inbox.tasks import dispatch_due_messages_task
from tests.factories import ConversationFactory, CustomerFactory, MessageFactory
from tests.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(settings):
    """A real Celery worker thread consuming from the Redis broker in REDIS_URL."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    mail.outbox = []
    with running_worker() as running:
        yield running


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_real_worker_sends_a_reply_once_after_commit(mailbox, agent, worker):
    conversation = ConversationFactory(
        mailbox=mailbox, customer=CustomerFactory(email="dana@example.test")
    )
    MessageFactory(conversation=conversation, text="Help please")

    message = send_reply(conversation, body="On it!", by=agent)

    assert _wait_for(
        lambda: Message.objects.get(pk=message.pk).delivery_status == "sent"
    )
    assert [email.to for email in mail.outbox] == [["dana@example.test"]]


def test_the_dispatcher_sends_a_reply_when_its_undo_window_closes(
    mailbox, agent, worker, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 1
    conversation = ConversationFactory(
        mailbox=mailbox, customer=CustomerFactory(email="dana@example.test")
    )
    message = send_reply(conversation, body="Soon", by=agent)
    time.sleep(1.2)

    dispatch_due_messages_task.delay()

    assert _wait_for(
        lambda: Message.objects.get(pk=message.pk).delivery_status == "sent"
    )
    assert len(mail.outbox) == 1
