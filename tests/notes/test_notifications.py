from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import services as inbox_services
from inbox.ingest import ingest_raw_email
from inbox.models import Message, RawEmail
from notes import selectors, services
from notes.errors import NotAllowedToUnfollow
from notes.models import Follower, Notification
from tests.factories import ConversationFactory, MessageFactory, UserFactory
from tests.inbox.eml import build_email

pytestmark = pytest.mark.django_db
# Followers hear of changes from tasks enqueued after commit, so these commit.
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(mailbox=mailbox, subject="Login loop")


def test_follower_add_is_an_idempotent_upsert(conversation, teammate):
    first, created = Follower.objects.add(conversation, teammate)

    second, created_again = Follower.objects.add(
        conversation, teammate, reason=Follower.Reason.MENTION
    )

    assert created is True
    assert created_again is False
    assert first.pk == second.pk
    assert Follower.objects.filter(conversation=conversation).count() == 1


def test_a_new_customer_message_notifies_followers(
    conversation, teammate, django_capture_on_commit_callbacks
):
    Follower.objects.add(conversation, teammate)

    with django_capture_on_commit_callbacks(execute=True):
        MessageFactory(conversation=conversation, text="Still stuck in the loop!")

    notification = Notification.objects.get(recipient=teammate)
    assert notification.verb == Notification.Verb.NEW_MESSAGE
    assert "Still stuck in the loop!" in notification.summary


def test_imported_history_does_not_notify_followers(
    conversation, teammate, django_capture_on_commit_callbacks
):
    Follower.objects.add(conversation, teammate)

    with django_capture_on_commit_callbacks(execute=True):
        MessageFactory(
            conversation=conversation,
            text="An old message from last year",
            at=timezone.now() - timedelta(days=200),
        )

    assert not Notification.objects.exists()


def test_an_agent_reply_does_not_notify_followers(
    conversation, agent, teammate, django_capture_on_commit_callbacks
):
    Follower.objects.add(conversation, teammate)

    with django_capture_on_commit_callbacks(execute=True):
        MessageFactory(conversation=conversation, kind=Message.Kind.REPLY, author=agent)

    assert not Notification.objects.exists()


def test_notifying_a_message_twice_creates_one_notification(conversation, teammate):
    Follower.objects.add(conversation, teammate)
    message = MessageFactory(conversation=conversation)

    services.message_received(message.pk)
    services.message_received(message.pk)

    assert Notification.objects.filter(recipient=teammate).count() == 1


def test_auto_follow_rule_follows_every_new_conversation_in_my_mailbox(
    mailbox, lead, django_capture_on_commit_callbacks
):
    services.set_preference(lead, event="new_message", email=False, auto_follow=True)
    conversation = ConversationFactory(mailbox=mailbox)

    with django_capture_on_commit_callbacks(execute=True):
        MessageFactory(conversation=conversation, text="Hello?")

    assert selectors.is_following(conversation, lead)
    assert Notification.objects.get(recipient=lead).verb == "new_message"


@committed
def test_assignment_notifies_the_assignee_and_makes_them_follow(
    conversation, agent, teammate
):
    inbox_services.assign(conversation, to=teammate, by=agent)

    notification = Notification.objects.get(recipient=teammate)
    assert notification.summary == "Alice Agent assigned it to you"
    assert selectors.is_following(conversation, teammate)
    assert not Notification.objects.filter(recipient=agent).exists()


@committed
def test_assigning_yourself_notifies_only_the_other_followers(
    conversation, agent, lead
):
    Follower.objects.add(conversation, lead)

    inbox_services.assign(conversation, to=agent, by=agent)

    assert Notification.objects.get(recipient=lead).summary == (
        "Alice Agent assigned it to Alice Agent"
    )
    assert not Notification.objects.filter(recipient=agent).exists()


@committed
def test_a_status_change_notifies_followers_but_not_the_actor(
    conversation, agent, teammate
):
    Follower.objects.add(conversation, teammate)
    Follower.objects.add(conversation, agent)

    inbox_services.change_status(conversation, status="resolved", by=agent)

    notification = Notification.objects.get()
    assert notification.recipient == teammate
    assert (
        notification.summary == "Alice Agent changed the status from open to resolved"
    )


@committed
def test_a_follower_who_left_the_mailbox_is_not_notified(conversation, agent, teammate):
    Follower.objects.add(conversation, teammate)
    teammate.memberships.all().delete()

    inbox_services.change_status(conversation, status="pending", by=agent)

    assert not Notification.objects.exists()


@committed
def test_email_is_pending_only_for_events_the_user_wants_by_email(
    conversation, agent, teammate
):
    Follower.objects.add(conversation, teammate)
    services.set_preference(
        teammate, event="status_changed", email=True, auto_follow=False
    )

    inbox_services.change_status(conversation, status="pending", by=agent)
    inbox_services.change_status(conversation, status="open", by=agent)
    services.notify_followers(conversation, verb="note_added", actor=agent)

    statuses = list(
        Notification.objects.order_by("id").values_list("verb", "email_status")
    )
    assert statuses == [
        ("status_changed", "pending"),
        ("status_changed", "pending"),
        ("note_added", ""),
    ]


def test_the_mention_auto_follow_rule_cannot_be_switched_off(teammate):
    services.set_preference(teammate, event="mention", email=False, auto_follow=False)

    preferences = selectors.preferences_for(teammate)

    assert preferences["mention"].auto_follow is True
    assert preferences["mention"].email is False


def test_follow_and_unfollow(conversation, agent, teammate):
    services.follow(conversation, user=teammate, by=agent)
    added = selectors.followers_for(conversation)[0]

    services.unfollow(conversation, user=teammate, by=teammate)

    assert added.reason == Follower.Reason.ADDED
    assert selectors.followers_for(conversation) == []


def test_an_agent_cannot_remove_another_follower_but_a_lead_can(
    conversation, agent, teammate, lead
):
    services.follow(conversation, user=teammate, by=teammate)

    with pytest.raises(NotAllowedToUnfollow):
        services.unfollow(conversation, user=teammate, by=agent)
    removed = services.unfollow(conversation, user=teammate, by=lead)

    assert removed is True


def test_someone_outside_the_mailbox_cannot_be_added_as_follower(
    conversation, agent, outsider
):
    with pytest.raises(Exception, match="not a member") as error:
        services.follow(conversation, user=outsider, by=agent)

    assert error.value.field == "user"


@committed
def test_mark_read_and_mark_all_read(conversation, agent, teammate):
    Follower.objects.add(conversation, teammate)
    for status in ["pending", "open", "resolved"]:
        inbox_services.change_status(conversation, status=status, by=agent)
    first = selectors.notifications_for(teammate).first()

    services.mark_read(first, by=teammate)
    count_after_one = selectors.unread_count(teammate)
    marked = services.mark_all_read(teammate)

    assert count_after_one == 2
    assert marked == 2
    assert selectors.unread_count(teammate) == 0


def test_unread_count_stops_at_one_hundred(conversation, agent, teammate):
    Follower.objects.add(conversation, teammate)
    for _ in range(105):
        services.notify_followers(conversation, verb="note_added", actor=agent)

    assert selectors.unread_count(teammate) == 100


@committed
def test_notifications_on_conversations_no_longer_visible_are_hidden(
    conversation, agent, teammate, other_mailbox
):
    Follower.objects.add(conversation, teammate)
    inbox_services.change_status(conversation, status="pending", by=agent)
    teammate.memberships.update(mailbox=other_mailbox)
    fresh = UserFactory(username=teammate.username)

    assert list(selectors.notifications_for(fresh)) == []


def test_mail_through_the_inbound_pipeline_notifies_followers(
    mailbox, lead, django_capture_on_commit_callbacks
):
    services.set_preference(lead, event="new_message", email=False, auto_follow=True)

    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_raw_email(
            build_email(message_id="<pipeline-1@customer.test>", body="Order lost"),
            source=RawEmail.Source.WEBHOOK,
        )

    notification = Notification.objects.get(recipient=lead)
    assert notification.conversation_id == result.conversation_id
    assert notification.summary == "Dana Scully wrote: “Order lost”"
