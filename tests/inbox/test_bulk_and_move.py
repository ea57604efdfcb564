from __future__ import annotations

import pytest

from inbox import bulk, services
from inbox.errors import BulkActionInvalid, InvalidAssignee, NotAMember, UnknownLabel
from inbox.models import Conversation, Event, Message
from tests.factories import ConversationFactory, LabelFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_move_to_mailbox_moves_the_conversation_and_its_messages(
    mailbox, other_mailbox, admin
):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=conversation)

    services.move_to_mailbox(conversation, mailbox=other_mailbox, by=admin)

    conversation.refresh_from_db()
    assert conversation.mailbox == other_mailbox
    assert set(
        Message.objects.filter(conversation=conversation).values_list(
            "mailbox", flat=True
        )
    ) == {other_mailbox.pk}
    assert Event.objects.filter(
        conversation=conversation, kind=Event.Kind.CONVERSATION_MOVED
    ).exists()


def test_move_to_mailbox_drops_an_assignee_who_is_not_a_member_there(
    mailbox, other_mailbox, admin, agent
):
    conversation = ConversationFactory(mailbox=mailbox)
    services.assign(conversation, to=agent, by=admin)

    moved = services.move_to_mailbox(conversation, mailbox=other_mailbox, by=admin)

    assert moved.assignee is None


def test_move_to_a_mailbox_the_user_is_not_in_is_refused(mailbox, other_mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)

    with pytest.raises(NotAMember):
        services.move_to_mailbox(conversation, mailbox=other_mailbox, by=agent)


def test_bulk_resolve_resolves_each_selected_conversation_with_an_event(mailbox, agent):
    chosen = [ConversationFactory(mailbox=mailbox) for _ in range(3)]
    untouched = ConversationFactory(mailbox=mailbox)

    done = bulk.apply_bulk_action(
        [str(c.pk) for c in chosen], action=bulk.RESOLVE, value="", by=agent
    )

    assert done == 3
    statuses = dict(Conversation.objects.values_list("pk", "status"))
    assert {statuses[c.pk] for c in chosen} == {"resolved"}
    assert statuses[untouched.pk] == "open"
    assert Event.objects.filter(kind=Event.Kind.STATUS_CHANGED).count() == 3


def test_bulk_assign_and_label(mailbox, agent, teammate):
    chosen = [ConversationFactory(mailbox=mailbox) for _ in range(2)]
    label = LabelFactory(name="billing")
    ids = [str(c.pk) for c in chosen]

    bulk.apply_bulk_action(ids, action=bulk.ASSIGN, value=str(teammate.pk), by=agent)
    bulk.apply_bulk_action(ids, action=bulk.LABEL, value=str(label.pk), by=agent)

    for conversation in Conversation.objects.filter(pk__in=ids):
        assert conversation.assignee == teammate
        assert [link.label.name for link in conversation.label_links.all()] == [
            "billing"
        ]


def test_bulk_skips_conversations_outside_the_users_mailboxes(
    mailbox, other_mailbox, agent
):
    foreign = ConversationFactory(mailbox=other_mailbox)

    done = bulk.apply_bulk_action(
        [str(foreign.pk)], action=bulk.RESOLVE, value="", by=agent
    )

    foreign.refresh_from_db()
    assert done == 0
    assert foreign.status == "open"


@pytest.mark.parametrize(
    ("ids", "action", "value", "error"),
    [
        ([], "resolve", "", BulkActionInvalid),
        (["x"], "resolve", "", BulkActionInvalid),
        (["1"], "explode", "", BulkActionInvalid),
        (["1"], "label", "999999", UnknownLabel),
        (["1"], "label", "", UnknownLabel),
        (["1"], "assign", "nobody-here", InvalidAssignee),
        (["1"], "assign", "999999", InvalidAssignee),
    ],
    ids=[
        "no-selection",
        "junk-id",
        "unknown-action",
        "missing-label",
        "blank-label",
        "bad-user",
        "unknown-user-id",
    ],
)
def test_bulk_refuses_incomplete_requests(mailbox, agent, ids, action, value, error):
    with pytest.raises(error):
        bulk.apply_bulk_action(ids, action=action, value=value, by=agent)
