from __future__ import annotations

import pytest

from empathy.errors import EmpathyBlocked
from inbox import outbound
from inbox.models import Event, Mailbox, Message
from tests.factories import ConversationFactory, CustomerFactory, MessageFactory

pytestmark = pytest.mark.django_db

CALM_DOWN = "Hi Dana,\n\nPlease calm down. I will fix it by 3 pm.\n\nSam"


@pytest.fixture
def conversation(mailbox):
    customer = CustomerFactory(name="Dana Scully", first_name="Dana")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    MessageFactory(conversation=conversation, text="Still broken. Third time I write!")
    return conversation


def _block(conversation):
    Mailbox.objects.filter(pk=conversation.mailbox_id).update(empathy_mode="block")
    conversation.refresh_from_db()


def test_a_reply_stores_the_rules_it_was_sent_with(conversation, agent):
    message = outbound.send_reply(conversation, body=CALM_DOWN, by=agent)

    message.refresh_from_db()
    assert message.empathy_findings == ["acknowledge", "apology", "calm-down"]


def test_a_blocking_mailbox_refuses_a_blocker_and_stores_nothing(conversation, agent):
    _block(conversation)

    with pytest.raises(EmpathyBlocked):
        outbound.send_reply(conversation, body=CALM_DOWN, by=agent)

    assert not Message.objects.filter(
        conversation=conversation, kind=Message.Kind.REPLY
    ).exists()


def test_a_blocking_mailbox_sends_with_a_reason_and_keeps_it(conversation, agent):
    _block(conversation)

    message = outbound.send_reply(
        conversation,
        body=CALM_DOWN,
        by=agent,
        empathy_override_reason="The customer asked us to quote their words.",
    )

    message.refresh_from_db()
    assert (
        message.empathy_override_reason == "The customer asked us to quote their words."
    )
    assert conversation.events.filter(
        kind=Event.Kind.EMPATHY_OVERRIDDEN, actor=agent
    ).exists()


def test_the_reply_api_answers_400_under_body_when_blocked(
    api_client, agent, conversation
):
    _block(conversation)
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/replies/",
        {"body": CALM_DOWN},
        format="json",
    )

    assert response.status_code == 400
    assert "Please calm down" in response.json()["body"][0]


def test_resolving_with_the_reply_checks_for_an_invitation_back(conversation, agent):
    message = outbound.send_reply(
        conversation,
        body="Hi Dana,\n\nI'm sorry, I understand. The fix is live.",
        by=agent,
        status_after="resolved",
    )

    message.refresh_from_db()
    assert message.empathy_findings == ["check-back"]
