from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from inbox import services as inbox_services
from notes import services
from notes.models import Follower, Notification
from tests.factories import ConversationFactory

# Followers hear of status changes from tasks enqueued after commit.
pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(mailbox=mailbox, subject="Export fails")


@pytest.fixture
def follower(conversation, teammate):
    services.set_preference(
        teammate, event="status_changed", email=True, auto_follow=False
    )
    Follower.objects.add(conversation, teammate)
    return teammate


def test_fifty_events_in_two_minutes_make_one_digest_email(
    conversation, agent, follower
):
    statuses = ["pending", "open"]
    with time_machine.travel(START, tick=False) as clock:
        for number in range(50):
            inbox_services.change_status(
                conversation, status=statuses[number % 2], by=agent
            )
            clock.shift(timedelta(seconds=2))

        clock.move_to(START + timedelta(seconds=119))
        sent_early = services.send_due_digests()
        clock.move_to(START + timedelta(seconds=120))
        sent = services.send_due_digests()
        sent_again = services.send_due_digests()

    assert sent_early == 0
    assert sent == 1
    assert sent_again == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [follower.email]
    assert email.subject == "[Replypad] 50 updates on 1 conversation"
    assert email.body.count("Alice Agent changed the status") == 50
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f"/conversations/{conversation.pk}/" in html
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_an_event_after_the_digest_opens_a_new_window(conversation, agent, follower):
    with time_machine.travel(START, tick=False) as clock:
        inbox_services.change_status(conversation, status="pending", by=agent)
        clock.shift(timedelta(minutes=2))
        services.send_due_digests()
        inbox_services.change_status(conversation, status="resolved", by=agent)
        clock.shift(timedelta(minutes=1))
        waiting = services.send_due_digests()
        clock.shift(timedelta(minutes=1))
        sent = services.send_due_digests()

    assert waiting == 0
    assert sent == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == (
        f"[Replypad] #{conversation.number} Alice Agent changed the status "
        "from pending to resolved"
    )


def test_each_follower_gets_their_own_digest(conversation, agent, follower, lead):
    services.set_preference(lead, event="status_changed", email=True, auto_follow=False)
    Follower.objects.add(conversation, lead)
    with time_machine.travel(START, tick=False) as clock:
        for status in ["pending", "open", "resolved"]:
            inbox_services.change_status(conversation, status=status, by=agent)
        clock.shift(timedelta(minutes=3))
        sent = services.send_due_digests()

    assert sent == 2
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [follower.email, lead.email]
    )


def test_events_without_email_preference_are_never_emailed(
    conversation, agent, teammate
):
    Follower.objects.add(conversation, teammate)
    with time_machine.travel(START, tick=False) as clock:
        inbox_services.change_status(conversation, status="pending", by=agent)
        clock.shift(timedelta(minutes=5))
        sent = services.send_due_digests()

    assert sent == 0
    assert mail.outbox == []


def test_a_digest_skips_conversations_the_follower_can_no_longer_see(
    conversation, agent, follower, other_mailbox
):
    with time_machine.travel(START, tick=False) as clock:
        inbox_services.change_status(conversation, status="pending", by=agent)
        follower.memberships.update(mailbox=other_mailbox)
        clock.shift(timedelta(minutes=3))
        sent = services.send_digest(follower.pk)

    assert sent is False
    assert mail.outbox == []
    assert Notification.objects.get().email_status == "skipped"


def test_a_failed_send_puts_the_rows_back_for_the_next_run(
    conversation, agent, follower, settings
):
    settings.EMAIL_BACKEND = "tests.notes.failing_backend.FailingBackend"
    with time_machine.travel(START, tick=False) as clock:
        inbox_services.change_status(conversation, status="pending", by=agent)
        clock.shift(timedelta(minutes=3))
        sent = services.send_due_digests()

    assert sent == 0
    assert Notification.objects.get().email_status == "pending"


def test_a_mention_email_names_the_note_but_never_quotes_it(
    conversation, agent, teammate
):
    with time_machine.travel(START, tick=False) as clock:
        services.add_note(
            conversation, body="@bob the root password is hunter2", by=agent
        )
        clock.shift(timedelta(minutes=3))
        services.send_due_digests()

    email = mail.outbox[0]
    assert email.subject == (
        f"[Replypad] #{conversation.number} Alice Agent mentioned you in a note"
    )
    assert "hunter2" not in email.body
    assert "hunter2" not in email.alternatives[0][0]
