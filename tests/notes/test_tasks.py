from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from inbox import services as inbox_services
from notes import services
from notes.models import Follower, Notification
from notes.tasks import notify_new_message_task, send_notification_digests_task
from tests.factories import ConversationFactory, MessageFactory
from tests.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_real_worker_sends_the_due_digest_once(mailbox, agent, teammate):
    services.set_preference(
        teammate, event="status_changed", email=True, auto_follow=False
    )
    conversation = ConversationFactory(mailbox=mailbox)
    Follower.objects.add(conversation, teammate)
    for status in ["pending", "open", "resolved"]:
        inbox_services.change_status(conversation, status=status, by=agent)
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=3))

    with running_worker():
        send_notification_digests_task.delay()
        send_notification_digests_task.delay()
        deadline = time.monotonic() + 20
        while Notification.objects.exclude(email_status="sent").exists():
            assert time.monotonic() < deadline, "the worker did not send the digest"
            time.sleep(0.2)
        time.sleep(1)  # the second task runs too, and must find nothing to send

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Replypad] 3 updates on 1 conversation"
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_a_real_worker_notifies_followers_of_a_message_once(mailbox, teammate):
    conversation = ConversationFactory(mailbox=mailbox)
    Follower.objects.add(conversation, teammate)
    message = MessageFactory(conversation=conversation, text="Hello again")
    Notification.objects.all().delete()

    with running_worker():
        notify_new_message_task.delay(message.pk)
        notify_new_message_task.delay(message.pk)
        deadline = time.monotonic() + 20
        while not Notification.objects.exists():
            assert time.monotonic() < deadline, "the worker did not notify"
            time.sleep(0.2)
        time.sleep(1)  # the second task runs too, and must add nothing

    notification = Notification.objects.get()
    assert notification.recipient == teammate
    assert notification.message == message
