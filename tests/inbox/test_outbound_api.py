from __future__ import annotations

import pytest

from inbox.models import Conversation, Message
from inbox.outbound import deliver_message
from tests.factories import CannedTemplateFactory
from tests.inbox.outbound_support import (  # noqa: F401
    conversation_fixture,
    esp_fixture,
)

pytestmark = pytest.mark.django_db


def _url(conversation):
    return f"/api/v1/conversations/{conversation.pk}/replies/"


def test_posting_a_reply_answers_201_with_id_and_delivery_status(
    api_client, conversation, agent, esp
):
    api_client.force_authenticate(agent)

    response = api_client.post(
        _url(conversation), {"body": "We are on it, Dana."}, format="json"
    )

    message = Message.objects.get(kind=Message.Kind.REPLY)
    assert response.status_code == 201
    assert response.json() == {"id": message.pk, "delivery_status": "queued"}
    assert message.author == agent


def test_a_reply_with_cc_and_status_resolves_and_copies(
    api_client, conversation, agent, esp
):
    api_client.force_authenticate(agent)

    response = api_client.post(
        _url(conversation),
        {"body": "Fixed.", "cc": ["boss@example.test"], "status": "resolved"},
        format="json",
    )

    conversation.refresh_from_db()
    message = Message.objects.get(pk=response.json()["id"])
    assert message.cc == ["boss@example.test"]
    assert conversation.status == Conversation.Status.RESOLVED


def test_a_reply_records_the_canned_reply_and_override_reason(
    api_client, conversation, agent, esp
):
    template = CannedTemplateFactory(mailboxes=[conversation.mailbox])
    api_client.force_authenticate(agent)

    response = api_client.post(
        _url(conversation),
        {"body": "Sorry!", "template": template.pk, "empathy_override_reason": "VIP"},
        format="json",
    )

    message = Message.objects.get(pk=response.json()["id"])
    assert message.template_use.template == template
    assert message.empathy_override_reason == "VIP"


def test_a_canned_reply_of_another_mailbox_is_refused(
    api_client, conversation, agent, other_mailbox, esp
):
    template = CannedTemplateFactory(mailboxes=[other_mailbox])
    api_client.force_authenticate(agent)

    response = api_client.post(
        _url(conversation), {"body": "Hi", "template": template.pk}, format="json"
    )

    assert response.status_code == 400
    assert "template" in response.json()
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_token_auth_works_for_replies(api_client, conversation, agent, esp):
    token = api_client.post(
        "/api/v1/auth/token/",
        {"username": agent.username, "password": "correct horse battery"},
        format="json",
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api_client.post(_url(conversation), {"body": "Hi"}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "Hi", "cc": ["a@x.test\r\nBcc: victim@y.test"]}, "cc"),
        ({"body": "Hi", "cc": "not an address"}, "cc"),
        ({"body": "Hi", "status": "snoozed"}, "status"),
        ({}, "body"),
    ],
    ids=["empty-body", "cc-injection", "cc-invalid", "bad-status", "no-body"],
)
def test_bad_input_gets_400_naming_the_field_and_nothing_is_queued(
    api_client, conversation, agent, esp, payload, field
):
    api_client.force_authenticate(agent)

    response = api_client.post(_url(conversation), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_an_outsider_gets_404(api_client, conversation, outsider, esp):
    api_client.force_authenticate(outsider)

    response = api_client.post(_url(conversation), {"body": "Hi"}, format="json")

    assert response.status_code == 404
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_anonymous_gets_401(api_client, conversation, esp):
    response = api_client.post(_url(conversation), {"body": "Hi"}, format="json")

    assert response.status_code == 401


def test_a_queued_reply_can_be_cancelled_through_the_api(
    api_client, conversation, agent, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    api_client.force_authenticate(agent)
    reply_id = api_client.post(
        _url(conversation), {"body": "Oops"}, format="json"
    ).json()["id"]

    response = api_client.post(f"/api/v1/replies/{reply_id}/cancel/")

    assert response.status_code == 200
    assert response.json() == {"id": reply_id, "delivery_status": "cancelled"}


def test_cancelling_a_sent_reply_is_a_409(api_client, conversation, agent, esp):
    api_client.force_authenticate(agent)
    reply_id = api_client.post(
        _url(conversation), {"body": "Hi"}, format="json"
    ).json()["id"]
    deliver_message(reply_id)

    response = api_client.post(f"/api/v1/replies/{reply_id}/cancel/")

    assert response.status_code == 409
    assert "Too late" in response.json()["detail"]


def test_an_outsider_cannot_cancel_a_reply(
    api_client, conversation, agent, outsider, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 10
    api_client.force_authenticate(agent)
    reply_id = api_client.post(
        _url(conversation), {"body": "Hi"}, format="json"
    ).json()["id"]
    api_client.force_authenticate(outsider)

    response = api_client.post(f"/api/v1/replies/{reply_id}/cancel/")

    assert response.status_code == 404


def test_the_reply_endpoint_is_in_the_openapi_schema(api_client, agent):
    api_client.force_authenticate(agent)

    schema = api_client.get("/api/v1/schema/?format=json").json()

    assert "/api/v1/conversations/{id}/replies/" in schema["paths"]


def test_an_empty_body_with_a_canned_reply_sends_the_rendered_text(
    api_client, conversation, agent, esp
):
    template = CannedTemplateFactory(
        mailboxes=[conversation.mailbox], body="Hi {{ customer.first_name }}."
    )
    api_client.force_authenticate(agent)

    response = api_client.post(
        _url(conversation), {"body": "", "template": template.pk}, format="json"
    )

    assert response.status_code == 201
    assert Message.objects.get(pk=response.json()["id"]).visible_text == "Hi Dana."


def test_an_empty_body_without_a_canned_reply_is_refused(
    api_client, conversation, agent, esp
):
    api_client.force_authenticate(agent)

    response = api_client.post(_url(conversation), {"body": " "}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()
