from __future__ import annotations

import pytest

from inbox import presence
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_api_client_reports_replying_and_sees_teammates(
    api_client, mailbox, agent, teammate
):
    conversation = ConversationFactory(mailbox=mailbox)
    presence.touch(conversation, user=teammate)
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/presence/", {"state": "replying"}
    )

    assert response.status_code == 200
    assert response.json()["others"] == [
        {"user": teammate.pk, "name": "Bob Builder", "state": "viewing"}
    ]
    assert presence.others_on(conversation, user=teammate)[0].is_replying


def test_api_lists_messages_that_arrived_after_the_one_seen(api_client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    seen = MessageFactory(conversation=conversation, text="first")
    new = MessageFactory(conversation=conversation, text="wait, one more thing")
    api_client.force_authenticate(agent)

    response = api_client.get(
        f"/api/v1/conversations/{conversation.pk}/presence/", {"after": seen.pk}
    )

    assert [(m["id"], m["text"]) for m in response.json()["new_messages"]] == [
        (new.pk, "wait, one more thing")
    ]


def test_api_refuses_an_unknown_state(api_client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/presence/", {"state": "dancing"}
    )

    assert response.status_code == 400
    assert "state" in response.json()


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_for_presence(api_client, mailbox, outsider, method):
    conversation = ConversationFactory(mailbox=mailbox)
    api_client.force_authenticate(outsider)

    response = getattr(api_client, method)(
        f"/api/v1/conversations/{conversation.pk}/presence/"
    )

    assert response.status_code == 404
