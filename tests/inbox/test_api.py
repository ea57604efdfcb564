from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from inbox import services
from notes.services import add_note
from tests.factories import PASSWORD, ConversationFactory, LabelFactory, MessageFactory

pytestmark = pytest.mark.django_db


def _token(api_client, user):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    return response.json()["token"]


def test_token_auth_lists_conversations_in_the_stable_shape(api_client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    services.change_labels(conversation, add=[LabelFactory(name="billing")], by=agent)
    MessageFactory(conversation=conversation, text="I love it, thank you!")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {_token(api_client, agent)}")

    body = api_client.get("/api/v1/conversations/").json()

    assert set(body) == {"count", "next", "previous", "results"}
    row = body["results"][0]
    assert row["id"] == conversation.pk
    assert row["mailbox"] == mailbox.pk
    assert set(row["customer"]) == {"id", "email", "name"}
    assert row["labels"] == ["billing"]
    assert row["assignee"] is None
    assert -1 <= row["sentiment_last"] <= 1


def test_conversation_filters(api_client, mailbox, agent):
    billing = ConversationFactory(mailbox=mailbox, subject="Invoice wrong")
    services.change_labels(billing, add=[LabelFactory(name="billing")], by=agent)
    mine = ConversationFactory(mailbox=mailbox, subject="Password")
    services.assign(mine, to=agent, by=agent)
    api_client.force_authenticate(agent)

    by_label = api_client.get("/api/v1/conversations/?label=billing").json()["results"]
    by_assignee = api_client.get(f"/api/v1/conversations/?assignee={agent.pk}").json()[
        "results"
    ]
    by_search = api_client.get("/api/v1/conversations/?search=invoice").json()[
        "results"
    ]

    assert [c["id"] for c in by_label] == [billing.pk]
    assert [c["id"] for c in by_assignee] == [mine.pk]
    assert [c["id"] for c in by_search] == [billing.pk]


def test_messages_list_is_paginated_with_delivery_status_and_sentiment(
    api_client, mailbox, agent
):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=conversation, text="Everything is broken!")
    api_client.force_authenticate(agent)

    body = api_client.get(f"/api/v1/conversations/{conversation.pk}/messages/").json()

    message = body["results"][0]
    assert message["kind"] == "inbound"
    assert {
        "id",
        "from_email",
        "to",
        "subject",
        "text",
        "html",
        "message_id",
        "created_at",
        "delivery_status",
        "sentiment",
    } <= set(message)


def test_outsider_gets_404_for_a_conversation_and_its_messages(
    api_client, mailbox, outsider
):
    conversation = ConversationFactory(mailbox=mailbox)
    api_client.force_authenticate(outsider)

    detail = api_client.get(f"/api/v1/conversations/{conversation.pk}/")
    messages = api_client.get(f"/api/v1/conversations/{conversation.pk}/messages/")
    assign = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": outsider.pk},
        format="json",
    )
    listing = api_client.get("/api/v1/conversations/").json()

    assert (detail.status_code, messages.status_code, assign.status_code) == (
        404,
        404,
        404,
    )
    assert listing["count"] == 0


@pytest.fixture
def busy_conversation(mailbox, agent):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        conversation = ConversationFactory(mailbox=mailbox)
        clock.shift(timedelta(minutes=1))
        MessageFactory(conversation=conversation, text="Where is my parcel?")
        clock.shift(timedelta(minutes=1))
        add_note(conversation, body="Courier lost it, I think", by=agent)
        clock.shift(timedelta(minutes=1))
        services.assign(conversation, to=agent, by=agent)
    return conversation


def test_the_timeline_has_messages_notes_and_events_oldest_first(
    api_client, busy_conversation, agent, django_assert_max_num_queries
):
    api_client.force_authenticate(agent)

    with django_assert_max_num_queries(7):
        response = api_client.get(
            f"/api/v1/conversations/{busy_conversation.pk}/timeline/"
        )

    results = response.json()["results"]
    assert [(row["type"], row["at"]) for row in results] == [
        ("event", "2026-03-02T09:00:00Z"),
        ("message", "2026-03-02T09:01:00Z"),
        ("note", "2026-03-02T09:02:00Z"),
        ("event", "2026-03-02T09:03:00Z"),
    ]
    assert results[1]["data"]["text"] == "Where is my parcel?"
    assert results[2]["data"]["body"] == "Courier lost it, I think"
    assert results[3]["data"]["kind"] == "conversation_assigned"
    assert results[3]["data"]["actor"] == agent.pk


def test_outsider_gets_404_for_a_timeline(api_client, busy_conversation, outsider):
    api_client.force_authenticate(outsider)

    response = api_client.get(f"/api/v1/conversations/{busy_conversation.pk}/timeline/")

    assert response.status_code == 404


def test_the_timeline_api_and_the_conversation_page_show_the_same_items(
    api_client, client, busy_conversation, agent
):
    api_client.force_authenticate(agent)
    client.force_login(agent)

    results = api_client.get(
        f"/api/v1/conversations/{busy_conversation.pk}/timeline/"
    ).json()["results"]
    page = BeautifulSoup(
        client.get(f"/conversations/{busy_conversation.pk}/").content, "html.parser"
    )

    assert [f"{row['type']}-{row['data']['id']}" for row in results] == [
        li["id"] for li in page.select("#thread > li")
    ]


def test_outsider_does_not_see_other_mailboxes_or_their_customers(
    api_client, mailbox, outsider
):
    ConversationFactory(mailbox=mailbox)
    api_client.force_authenticate(outsider)

    mailboxes = api_client.get("/api/v1/mailboxes/").json()["results"]
    customers = api_client.get("/api/v1/customers/").json()["results"]
    foreign = api_client.get(f"/api/v1/mailboxes/{mailbox.pk}/")

    assert mailbox.pk not in [m["id"] for m in mailboxes]
    assert customers == []
    assert foreign.status_code == 404


def test_anonymous_api_request_is_refused(api_client, mailbox):
    response = api_client.get("/api/v1/conversations/")

    assert response.status_code == 401


def test_actions_assign_label_status_and_snooze(api_client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    LabelFactory(name="outage")
    api_client.force_authenticate(agent)
    base = f"/api/v1/conversations/{conversation.pk}"

    api_client.post(f"{base}/assign/", {"assignee": agent.pk}, format="json")
    api_client.post(f"{base}/labels/", {"add": ["outage"]}, format="json")
    resolved = api_client.post(
        f"{base}/status/", {"status": "resolved"}, format="json"
    ).json()
    bad_snooze = api_client.post(
        f"{base}/snooze/", {"until": "2001-01-01T00:00:00Z"}, format="json"
    )

    assert resolved["assignee"] == agent.pk
    assert resolved["labels"] == ["outage"]
    assert resolved["status"] == "resolved"
    assert bad_snooze.status_code == 400
    assert "until" in bad_snooze.json()


def test_schema_and_offline_docs_are_served(client, agent):
    client.force_login(agent)

    schema = client.get("/api/v1/schema/")
    docs = client.get("/api/v1/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/conversations/" in schema.content
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def _walk(api_client, url):
    """Every page from `url` on, following `next`: (ids per page, queries per page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages, queries = [], []
    while url:
        with CaptureQueriesContext(connection) as captured:
            body = api_client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        queries.append(len(captured))
        url = body["next"]
    return pages, queries


def test_the_list_walks_every_conversation_once_by_cursor_at_a_fixed_cost(
    api_client, mailbox, agent
):
    conversations = ConversationFactory.create_batch(60, mailbox=mailbox)
    api_client.force_authenticate(agent)

    pages, queries = _walk(api_client, "/api/v1/conversations/?status=open")

    assert [len(page) for page in pages] == [25, 25, 10]
    assert sorted(pk for page in pages for pk in page) == sorted(
        c.pk for c in conversations
    )
    # The first page also reads the memberships and the cached count.
    assert queries[1] == queries[2] <= queries[0]


def test_previous_leads_back_to_the_same_page(api_client, mailbox, agent):
    ConversationFactory.create_batch(30, mailbox=mailbox)
    api_client.force_authenticate(agent)
    first = api_client.get("/api/v1/conversations/").json()

    second = api_client.get(first["next"]).json()
    back = api_client.get(second["previous"]).json()

    assert first["previous"] is None
    assert second["count"] == first["count"] == 30
    assert [row["id"] for row in back["results"]] == [
        row["id"] for row in first["results"]
    ]


@pytest.mark.parametrize("cursor", ["after=garbage", "before=2026-13-01_1", "after=_"])
def test_a_made_up_page_link_is_refused_clearly(api_client, mailbox, agent, cursor):
    api_client.force_authenticate(agent)

    response = api_client.get(f"/api/v1/conversations/?{cursor}")

    assert response.status_code == 400
    field = cursor.partition("=")[0]
    assert response.json() == {
        field: ["This page link is not valid; start again from the first page."]
    }
