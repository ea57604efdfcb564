from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from inbox.models import Conversation, Message
from inbox.outbound import send_reply
from inbox.services import change_status
from notes.models import Notification
from scheduler import services
from scheduler.errors import (
    InvalidCadence,
    InvalidTimezone,
    MilestoneInPast,
    NothingToSend,
    NotPending,
    SendTimeInPast,
)
from scheduler.models import MailboxPolicy, ScheduledEmail, ScheduledRun
from tests.factories import (
    CannedTemplateFactory,
    ConversationFactory,
    CustomerFactory,
)

pytestmark = pytest.mark.django_db

Status = ScheduledEmail.Status


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(mailbox=mailbox, subject="Broken invoice")


def _due(scheduled):
    ScheduledEmail.objects.filter(pk=scheduled.pk).update(
        send_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_send_later_reply_goes_out_once_when_due(conversation, agent):
    scheduled = services.schedule(
        conversation,
        by=agent,
        body="Following up as promised.",
        send_at=timezone.now() + timedelta(hours=2),
    )
    _due(scheduled)

    first = services.dispatch_due()
    second = services.dispatch_due()

    replies = Message.objects.filter(conversation=conversation, kind="reply")
    assert (first, second) == (1, 0)
    assert [m.visible_text for m in replies] == ["Following up as promised."]
    assert ScheduledEmail.objects.get(pk=scheduled.pk).status == Status.SENT


def test_a_promised_update_renders_its_template_at_send_time(conversation, agent):
    template = CannedTemplateFactory(
        body="Status: {{ conversation.status }}, next: {{ conversation.milestone }}"
    )
    scheduled = services.schedule(
        conversation,
        by=agent,
        kind="update",
        template_id=template.pk,
        send_at=timezone.now() + timedelta(hours=1),
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        status="pending", milestone="Patch deployed"
    )
    _due(scheduled)

    services.dispatch_due()

    update = Message.objects.get(conversation=conversation, kind="scheduled_update")
    assert update.visible_text == "Status: pending, next: Patch deployed"
    assert update.auto_submitted


def test_a_promised_update_sets_the_conversations_next_update_time(conversation, agent):
    at = timezone.now() + timedelta(hours=3)

    services.schedule(conversation, by=agent, kind="update", body="Hi", send_at=at)

    conversation.refresh_from_db()
    assert conversation.next_update_at == at


def test_a_time_in_the_past_is_refused(conversation, agent):
    with pytest.raises(SendTimeInPast):
        services.schedule(
            conversation,
            by=agent,
            body="Too late",
            send_at=timezone.now() - timedelta(minutes=5),
        )


@pytest.mark.parametrize(
    "every", ["1m", "59m", "every minute", "0h", "91d"], ids=lambda v: f"every-{v}"
)
def test_a_cadence_below_an_hour_or_unreadable_is_refused(conversation, agent, every):
    with pytest.raises(InvalidCadence):
        services.schedule(conversation, by=agent, body="Update", every=every)


def test_a_time_zone_that_does_not_exist_is_refused(conversation, agent):
    with pytest.raises(InvalidTimezone):
        services.schedule(
            conversation, by=agent, body="Update", every="24h", zone="Mars/Olympus"
        )


def test_an_empty_scheduled_email_is_refused(conversation, agent):
    with pytest.raises(NothingToSend):
        services.schedule(
            conversation, by=agent, send_at=timezone.now() + timedelta(hours=1)
        )


def test_an_outsider_cannot_schedule_on_a_conversation(conversation, outsider):
    with pytest.raises(Exception, match="member"):
        services.schedule(conversation, by=outsider, body="Hi", every="24h")


def test_a_recurring_update_advances_and_stops_after_until(conversation, agent):
    start = timezone.now() + timedelta(hours=1)
    scheduled = services.schedule(
        conversation,
        by=agent,
        body="Still working on it",
        send_at=start,
        every="24h",
        until=start + timedelta(hours=30),
    )

    with time_machine.travel(start + timedelta(seconds=1)):
        services.dispatch_due()
    with time_machine.travel(start + timedelta(hours=24, seconds=1)):
        services.dispatch_due()

    scheduled.refresh_from_db()
    assert scheduled.run_count == 2
    assert scheduled.status == Status.SENT


def test_a_daily_update_keeps_ten_oclock_local_across_the_dst_change(
    conversation, agent
):
    # Europe/Paris moves to summer time on 29 March 2026.
    first = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # 10:00 CET
    with time_machine.travel(first - timedelta(hours=1)):
        scheduled = services.schedule(
            conversation,
            by=agent,
            body="Daily update",
            send_at=first,
            every="1d",
            zone="Europe/Paris",
        )
    with time_machine.travel(first + timedelta(seconds=1)):
        services.dispatch_due()

    scheduled.refresh_from_db()
    assert scheduled.send_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST


def test_resolving_the_conversation_cancels_what_is_pending(
    conversation, agent, django_capture_on_commit_callbacks
):
    scheduled = services.schedule(conversation, by=agent, body="Hi", every="24h")

    with django_capture_on_commit_callbacks(execute=True):
        change_status(conversation, status="resolved", by=agent)

    scheduled.refresh_from_db()
    conversation.refresh_from_db()
    assert scheduled.status == Status.CANCELLED
    assert conversation.next_update_at is None


def test_a_cancelled_email_is_never_sent(conversation, agent):
    scheduled = services.schedule(conversation, by=agent, body="Hi", every="24h")
    services.cancel(scheduled, by=agent)
    _due(scheduled)

    sent = services.dispatch_due()

    assert sent == 0
    with pytest.raises(NotPending):
        services.cancel(scheduled, by=agent)


def test_editing_changes_the_text_and_time(conversation, agent):
    scheduled = services.schedule(
        conversation, by=agent, body="Hi", send_at=timezone.now() + timedelta(hours=1)
    )
    later = timezone.now() + timedelta(hours=5)

    edited = services.edit(scheduled, by=agent, body="Hello again", send_at=later)

    assert (edited.body, edited.send_at) == ("Hello again", later)


def test_a_run_claimed_twice_after_its_lease_ran_out_sends_once(conversation, agent):
    scheduled = services.schedule(conversation, by=agent, body="Once", every="24h")
    _due(scheduled)
    first_claim = services.claim_due()
    later = timezone.now() + services.LEASE + timedelta(seconds=1)
    second_claim = services.claim_due(now=later)

    outcomes = [services.send_scheduled(pk, run=run) for pk, run in first_claim]
    outcomes += [services.send_scheduled(pk, run=run) for pk, run in second_claim]

    assert first_claim == second_claim == [(scheduled.pk, 0)]
    assert outcomes == ["sent", "skipped"]
    assert ScheduledRun.objects.filter(scheduled_email=scheduled).count() == 1


def test_an_author_who_left_the_mailbox_makes_the_send_fail(
    conversation, agent, other_mailbox
):
    scheduled = services.schedule(conversation, by=agent, body="Hi", every="24h")
    conversation.mailbox = other_mailbox
    Conversation.objects.filter(pk=conversation.pk).update(mailbox=other_mailbox)
    _due(scheduled)

    services.dispatch_due()

    scheduled.refresh_from_db()
    assert scheduled.status == Status.FAILED
    assert Message.objects.filter(conversation=conversation).count() == 0


def test_a_milestone_in_the_past_is_refused(conversation, agent):
    with pytest.raises(MilestoneInPast):
        services.set_escalation(
            conversation,
            by=agent,
            milestone_due_at=timezone.now() - timedelta(minutes=1),
        )


def test_a_milestone_due_within_the_hour_notifies_the_owner_once(
    conversation, agent, teammate
):
    services.set_escalation(
        conversation,
        by=agent,
        owner=teammate.pk,
        milestone="Engineering fix",
        milestone_due_at=timezone.now() + timedelta(minutes=30),
    )

    first = services.alert_due_milestones()
    second = services.alert_due_milestones()

    notifications = Notification.objects.filter(verb="milestone_due")
    assert (first, second) == (1, 0)
    assert [n.recipient for n in notifications] == [teammate]


def test_a_human_reply_first_pushes_a_promised_update_back(
    conversation, agent, django_capture_on_commit_callbacks
):
    scheduled = services.schedule(conversation, by=agent, body="Update", every="24h")
    before = scheduled.send_at

    with django_capture_on_commit_callbacks(execute=True):
        reply = send_reply(conversation, body="Here is an answer", by=agent)

    scheduled.refresh_from_db()
    assert scheduled.send_at == reply.created_at + timedelta(hours=24)
    assert scheduled.send_at > before


def test_a_mailbox_can_keep_promised_updates_in_place_after_a_reply(
    conversation, agent, mailbox, django_capture_on_commit_callbacks
):
    MailboxPolicy.objects.create(mailbox=mailbox, push_back_on_reply=False)
    scheduled = services.schedule(conversation, by=agent, body="Update", every="24h")
    before = scheduled.send_at

    with django_capture_on_commit_callbacks(execute=True):
        send_reply(conversation, body="Here is an answer", by=agent)

    scheduled.refresh_from_db()
    assert scheduled.send_at == before


def test_a_customer_time_zone_that_does_not_exist_falls_back_to_the_servers(
    mailbox, agent, settings
):
    conversation = ConversationFactory(
        mailbox=mailbox, customer=CustomerFactory(timezone="Mars/Olympus")
    )

    scheduled = services.schedule(conversation, by=agent, body="Hi", every="1d")

    assert scheduled.timezone == settings.TIME_ZONE
