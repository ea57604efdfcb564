from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import services
from inbox.errors import InvalidAssignee, InvalidSnooze, NotAMember
from inbox.models import Conversation, ConversationLabel, Event, Message
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    LabelFactory,
    MessageFactory,
)

pytestmark = pytest.mark.django_db


def _kinds(conversation: Conversation) -> list[str]:
    return list(
        Event.objects.filter(conversation=conversation).values_list("kind", flat=True)
    )


def test_creating_a_conversation_numbers_it_and_records_the_event(mailbox):
    customer = CustomerFactory()

    first = services.create_conversation(
        mailbox=mailbox, customer=customer, subject="Help"
    )
    second = services.create_conversation(
        mailbox=mailbox, customer=customer, subject="Again"
    )

    assert second.number == first.number + 1
    assert _kinds(first) == [Event.Kind.CONVERSATION_CREATED]


def test_customer_email_is_case_insensitive(db):
    first = services.get_or_create_customer("Dana@Example.test", name="Dana Scully")

    second = services.get_or_create_customer("dana@example.TEST")

    assert second.pk == first.pk
    assert second.first_name == "Dana"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dana Scully", "Dana"),
        ("Scully, Dana", "Dana"),
        ("", ""),
        ("dana@example.test", ""),
        ('"Fox Mulder"', "Fox"),
    ],
    ids=["first-last", "last-comma-first", "blank", "address-as-name", "quoted"],
)
def test_first_name_is_guessed_from_the_display_name(name, expected):
    assert services.guess_first_name(name) == expected


def test_inbound_message_updates_counters_sentiment_and_timeline(mailbox):
    conversation = ConversationFactory(mailbox=mailbox)

    message = MessageFactory(
        conversation=conversation,
        text="This is terrible, nothing works and I am furious.",
    )

    conversation.refresh_from_db()
    assert message.sentiment_label == "negative"
    assert (
        conversation.sentiment_first == conversation.sentiment_last == message.sentiment
    )
    assert conversation.message_count == 1
    assert conversation.snippet.startswith("This is terrible")
    assert _kinds(conversation) == [
        Event.Kind.CONVERSATION_CREATED,
        Event.Kind.MESSAGE_ADDED,
    ]


def test_first_agent_reply_sets_first_response_time(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=conversation)

    MessageFactory(
        conversation=conversation, kind=Message.Kind.REPLY, author=agent, text="On it."
    )

    conversation.refresh_from_db()
    assert conversation.first_response_at is not None


def test_customer_reply_reopens_a_resolved_conversation_and_counts_it(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    services.change_status(conversation, status=Conversation.Status.RESOLVED, by=agent)

    MessageFactory(conversation=conversation, text="Still broken, sorry.")

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.reopen_count == 1
    assert conversation.resolved_at is None
    assert Event.Kind.CONVERSATION_REOPENED in _kinds(conversation)


def test_reopening_by_hand_ends_the_resolution(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    services.change_status(conversation, status=Conversation.Status.RESOLVED, by=agent)

    services.change_status(conversation, status=Conversation.Status.OPEN, by=agent)

    conversation.refresh_from_db()
    assert conversation.resolved_at is None
    assert conversation.reopen_count == 1


def test_assign_records_who_assigned_whom(mailbox, agent, teammate):
    conversation = ConversationFactory(mailbox=mailbox)

    services.assign(conversation, to=teammate, by=agent)

    event = Event.objects.get(
        conversation=conversation, kind=Event.Kind.CONVERSATION_ASSIGNED
    )
    assert event.actor == agent
    assert event.data["assignee"] == teammate.pk


def test_assigning_to_someone_outside_the_mailbox_is_refused(mailbox, agent, outsider):
    conversation = ConversationFactory(mailbox=mailbox)

    with pytest.raises(InvalidAssignee, match="member of this mailbox"):
        services.assign(conversation, to=outsider, by=agent)

    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_outsider_cannot_change_status(mailbox, outsider):
    conversation = ConversationFactory(mailbox=mailbox)

    with pytest.raises(NotAMember):
        services.change_status(
            conversation, status=Conversation.Status.RESOLVED, by=outsider
        )


def test_status_change_records_old_and_new(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)

    conversation = services.change_status(
        conversation, status=Conversation.Status.RESOLVED, by=agent
    )

    assert conversation.resolved_at is not None
    event = Event.objects.get(conversation=conversation, kind=Event.Kind.STATUS_CHANGED)
    assert event.data == {"old": "open", "new": "resolved"}


def test_snooze_and_wake_up(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    services.snooze(conversation, until=timezone.now() + timedelta(minutes=5), by=agent)

    woken = services.wake_snoozed_conversations(
        now=timezone.now() + timedelta(minutes=6)
    )

    conversation.refresh_from_db()
    assert woken == 1
    assert conversation.status == Conversation.Status.OPEN
    assert _kinds(conversation)[-2:] == [
        Event.Kind.CONVERSATION_SNOOZED,
        Event.Kind.CONVERSATION_UNSNOOZED,
    ]


def test_snooze_in_the_past_is_refused(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)

    with pytest.raises(InvalidSnooze):
        services.snooze(
            conversation, until=timezone.now() - timedelta(minutes=1), by=agent
        )


def test_label_history_is_kept_when_removed_and_applied_again(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    billing = LabelFactory(name="billing")

    services.change_labels(conversation, add=[billing], by=agent)
    services.change_labels(conversation, remove=[billing], by=agent)
    services.change_labels(conversation, add=[billing], by=agent)

    links = ConversationLabel.objects.filter(conversation=conversation).order_by("id")
    assert [link.removed_at is None for link in links] == [False, True]
    assert _kinds(conversation)[-3:] == [
        Event.Kind.LABEL_ADDED,
        Event.Kind.LABEL_REMOVED,
        Event.Kind.LABEL_ADDED,
    ]
