from __future__ import annotations

import pytest
from django.db import connection

from inbox import search
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    MessageFactory,
)

pytestmark = pytest.mark.django_db


def _ids(results):
    return [c.pk for c in results.conversations]


def test_search_finds_a_conversation_by_a_word_in_a_message(mailbox, agent):
    wanted = ConversationFactory(mailbox=mailbox, subject="Order question")
    MessageFactory(conversation=wanted, text="My parcel never arrived in Lisbon.")
    other = ConversationFactory(mailbox=mailbox, subject="Other")
    MessageFactory(conversation=other, text="Thanks for the quick help.")

    results = search.search_conversations(agent, "lisbon")

    assert _ids(results) == [wanted.pk]


def test_search_matches_word_forms_through_stemming(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=conversation, text="The invoices were refunded twice.")

    results = search.search_conversations(agent, "refund invoice")

    assert _ids(results) == [conversation.pk]


def test_search_highlights_the_matched_word_in_the_snippet(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(
        conversation=conversation, text="Hello, the dashboard is blank today."
    )

    results = search.search_conversations(agent, "dashboard")

    assert "<mark>dashboard</mark>" in results.hits[0].highlight


def test_search_snippet_escapes_html_from_the_message(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(
        conversation=conversation,
        text='<img src=x onerror="alert(1)"> kaboom <script>alert(2)</script>',
    )

    results = search.search_conversations(agent, "kaboom")

    highlight = str(results.hits[0].highlight)
    assert "<mark>kaboom</mark>" in highlight
    assert "<img" not in highlight
    assert "<script" not in highlight


def test_search_never_finds_conversations_outside_the_users_mailboxes(
    mailbox, other_mailbox, agent
):
    foreign = ConversationFactory(mailbox=other_mailbox)
    MessageFactory(conversation=foreign, text="Globex secret zeppelin plans")

    results = search.search_conversations(agent, "zeppelin")

    assert results.hits == []


def test_search_can_be_limited_to_one_mailbox(mailbox, other_mailbox, admin):
    here = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=here, text="walrus")
    there = ConversationFactory(mailbox=other_mailbox)
    MessageFactory(conversation=there, text="walrus")

    results = search.search_conversations(
        admin, "walrus", filters={"mailbox_id": mailbox.pk}
    )

    assert _ids(results) == [here.pk]


def test_search_lists_the_newest_match_first_and_each_conversation_once(mailbox, agent):
    older = ConversationFactory(mailbox=mailbox)
    newer = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=older, text="toaster one")
    MessageFactory(conversation=newer, text="toaster two")
    MessageFactory(conversation=older, text="toaster three")

    results = search.search_conversations(agent, "toaster")

    assert _ids(results) == [older.pk, newer.pk]


def test_search_finds_a_conversation_by_customer_name(mailbox, agent):
    customer = CustomerFactory(name="Griselda Quackenbush")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)

    results = search.search_conversations(agent, "quackenbush")

    assert _ids(results) == [conversation.pk]


@pytest.mark.parametrize(
    "query",
    ["", "   ", "'", '"unterminated', "!!! & | <->", "a" * 5000, "drop table;--"],
    ids=["empty", "blank", "quote", "open-quote", "operators", "huge", "sql-ish"],
)
def test_search_survives_hostile_queries(mailbox, agent, query):
    MessageFactory(conversation=ConversationFactory(mailbox=mailbox), text="hello")

    results = search.search_conversations(agent, query)

    assert isinstance(results.hits, list)


def test_a_common_word_is_answered_from_the_recent_window(mailbox, agent):
    for _ in range(30):
        MessageFactory(
            conversation=ConversationFactory(mailbox=mailbox), text="printer"
        )

    results = search.search_conversations(agent, "printer")

    assert len(results.hits) == 25
    assert results.strategy == "recent"


def test_a_rare_word_outside_the_recent_window_is_found_through_the_index(
    mailbox, agent, monkeypatch
):
    rare = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=rare, text="flux capacitor")
    for _ in range(3):
        MessageFactory(conversation=ConversationFactory(mailbox=mailbox), text="noise")
    monkeypatch.setattr(search, "RECENT_WINDOW", 2)

    results = search.search_conversations(agent, "capacitor")

    assert _ids(results) == [rare.pk]
    assert results.strategy == "capped"


def test_more_matches_than_the_cap_fall_back_to_the_sorted_walk(
    mailbox, agent, monkeypatch
):
    conversations = [ConversationFactory(mailbox=mailbox) for _ in range(4)]
    for conversation in conversations:
        MessageFactory(conversation=conversation, text="gizmo")
    MessageFactory(conversation=ConversationFactory(mailbox=mailbox), text="noise")
    monkeypatch.setattr(search, "RECENT_WINDOW", 1)
    monkeypatch.setattr(search, "MATCH_CAP", 2)

    results = search.search_conversations(agent, "gizmo", limit=3)

    assert _ids(results) == [c.pk for c in reversed(conversations)][:3]
    assert results.strategy == "sorted"


def test_the_trigger_keeps_the_search_vector_when_a_message_is_edited(mailbox, agent):
    message = MessageFactory(
        conversation=ConversationFactory(mailbox=mailbox), text="x"
    )
    message.visible_text = "periwinkle"
    message.save(update_fields=["visible_text"])

    results = search.search_conversations(agent, "periwinkle")

    assert _ids(results) == [message.conversation_id]


def test_search_uses_the_gin_index_for_a_rare_word(mailbox, agent):
    MessageFactory(conversation=ConversationFactory(mailbox=mailbox), text="quasar")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM inbox_message "
            "WHERE search_vector @@ websearch_to_tsquery('english', 'quasar')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "message_search_gin" in plan


def test_api_search_parameter_uses_full_text_search(api_client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox, subject="Hello")
    MessageFactory(conversation=conversation, text="The kettle exploded")
    ConversationFactory(mailbox=mailbox, subject="Unrelated")
    api_client.force_authenticate(agent)

    response = api_client.get("/api/v1/conversations/", {"search": "kettle"})

    assert [row["id"] for row in response.json()["results"]] == [conversation.pk]
