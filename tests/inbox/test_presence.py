from __future__ import annotations

import pytest
import time_machine

from inbox import presence
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_a_teammate_viewing_the_conversation_is_seen_by_others(
    mailbox, agent, teammate
):
    conversation = ConversationFactory(mailbox=mailbox)

    presence.touch(conversation, user=teammate)

    others = presence.others_on(conversation, user=agent)
    assert [(p.name, p.state) for p in others] == [("Bob Builder", "viewing")]


def test_nobody_sees_themselves(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)

    presence.touch(conversation, user=agent)

    assert presence.others_on(conversation, user=agent) == []


def test_replying_teammates_are_listed_before_viewers(mailbox, agent, teammate, lead):
    conversation = ConversationFactory(mailbox=mailbox)

    presence.touch(conversation, user=teammate)
    presence.touch(conversation, user=lead, state=presence.REPLYING)

    others = presence.others_on(conversation, user=agent)
    assert [(p.name, p.is_replying) for p in others] == [
        ("Lena Lead", True),
        ("Bob Builder", False),
    ]


def test_presence_expires_when_the_page_stops_polling(mailbox, agent, teammate):
    conversation = ConversationFactory(mailbox=mailbox)
    with time_machine.travel("2026-01-01 10:00:00+00:00", tick=False):
        presence.touch(conversation, user=teammate)

    with time_machine.travel("2026-01-01 10:01:00+00:00", tick=False):
        others = presence.others_on(conversation, user=agent)

    assert others == []


def test_leaving_the_page_removes_presence_at_once(mailbox, agent, teammate):
    conversation = ConversationFactory(mailbox=mailbox)
    presence.touch(conversation, user=teammate)

    presence.leave(conversation, user=teammate)

    assert presence.others_on(conversation, user=agent) == []


def test_an_unknown_state_counts_as_viewing(mailbox, agent, teammate):
    conversation = ConversationFactory(mailbox=mailbox)

    presence.touch(conversation, user=teammate, state="<script>")

    assert presence.others_on(conversation, user=agent)[0].state == "viewing"


def test_presence_for_a_page_of_conversations_comes_in_one_lookup(
    mailbox, agent, teammate
):
    watched = ConversationFactory(mailbox=mailbox)
    quiet = ConversationFactory(mailbox=mailbox)
    presence.touch(watched, user=teammate, state=presence.REPLYING)

    found = presence.others_on_many([watched.pk, quiet.pk], user=agent)

    assert list(found) == [watched.pk]
    assert found[watched.pk][0].is_replying


def test_messages_since_lists_what_arrived_after_the_page_loaded(mailbox):
    conversation = ConversationFactory(mailbox=mailbox)
    seen = MessageFactory(conversation=conversation, text="first")
    new = MessageFactory(conversation=conversation, text="second")

    arrived = presence.messages_since(conversation, after_message_id=seen.pk)

    assert [m.pk for m in arrived] == [new.pk]


def test_messages_since_is_empty_when_nothing_arrived(mailbox):
    conversation = ConversationFactory(mailbox=mailbox)
    last = MessageFactory(conversation=conversation)

    arrived = presence.messages_since(conversation, after_message_id=last.pk)

    assert arrived == []
