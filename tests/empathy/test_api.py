from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import ConversationFactory, CustomerFactory, MessageFactory

pytestmark = pytest.mark.django_db

CHECK_URL = "/api/v1/checks/reply/"
SENTIMENT_URL = "/api/v1/sentiment/"


@pytest.fixture
def conversation(mailbox):
    customer = CustomerFactory(name="Dana Scully", first_name="Dana")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    MessageFactory(conversation=conversation, text="Still broken. Third time I write!")
    return conversation


def test_checking_a_reply_answers_findings_in_the_stable_shape(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.post(CHECK_URL, {"text": "Please calm down."}, format="json")

    assert response.status_code == 200
    finding = response.json()["findings"][0]
    assert set(finding) == {"rule", "severity", "start", "end", "message", "suggestion"}
    assert finding == {
        "rule": "calm-down",
        "severity": "blocker",
        "start": 0,
        "end": 16,
        "message": finding["message"],
        "suggestion": "I understand how frustrating this is",
    }


def test_checking_against_a_conversation_uses_its_customer(
    api_client, agent, conversation
):
    api_client.force_authenticate(agent)

    response = api_client.post(
        CHECK_URL,
        {"text": "Hello,\n\nI will fix it by 3 pm.", "conversation": conversation.pk},
        format="json",
    )

    rules = {f["rule"] for f in response.json()["findings"]}
    assert {"greeting-name", "acknowledge", "apology"} <= rules


def test_a_resolving_reply_is_checked_for_an_invitation_back(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.post(
        CHECK_URL, {"text": "The fix is live.", "resolves": True}, format="json"
    )

    assert [f["rule"] for f in response.json()["findings"]] == ["check-back"]


def test_an_outsider_gets_404_for_a_conversation_they_cannot_see(
    api_client, outsider, conversation
):
    api_client.force_authenticate(outsider)

    response = api_client.post(
        CHECK_URL, {"text": "Hi", "conversation": conversation.pk}, format="json"
    )

    assert response.status_code == 404


def test_token_auth_works_for_the_checker(api_client, agent):
    token = Token.objects.create(user=agent)

    response = api_client.post(
        CHECK_URL,
        {"text": "I don't know."},
        format="json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    assert response.status_code == 200


@pytest.mark.parametrize("url", [CHECK_URL, SENTIMENT_URL], ids=["check", "sentiment"])
def test_anonymous_callers_get_401(api_client, url):
    response = api_client.post(url, {"text": "hello"}, format="json")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (CHECK_URL, {}),
        (CHECK_URL, {"text": "x" * 100_001}),
        (CHECK_URL, {"text": "hi", "conversation": "abc"}),
        (SENTIMENT_URL, {}),
        (SENTIMENT_URL, {"text": ["not", "a", "string"]}),
    ],
    ids=["check-missing-text", "check-too-long", "check-bad-conversation",
         "sentiment-missing-text", "sentiment-list"],
)  # fmt: skip
def test_bad_input_gets_400_naming_the_field(api_client, agent, url, body):
    api_client.force_authenticate(agent)

    response = api_client.post(url, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) <= {"text", "conversation"}
    assert response.json()


def test_sentiment_answers_score_and_label(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.post(
        SENTIMENT_URL, {"text": "Still not working, third time I write."}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"score", "label"}
    assert body["label"] == "negative"
    assert -1 <= body["score"] < -0.05


def test_hostile_text_is_just_text(api_client, agent):
    api_client.force_authenticate(agent)
    hostile = "<script>alert(1)</script>{{ 7*7 }}\r\nBcc: x@evil.test PLEASE CALM DOWN"

    response = api_client.post(CHECK_URL, {"text": hostile}, format="json")

    assert response.status_code == 200
    assert "calm-down" in {f["rule"] for f in response.json()["findings"]}


def test_the_endpoints_are_in_the_openapi_schema(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.get("/api/v1/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert "/api/v1/checks/reply/" in paths
    assert "/api/v1/sentiment/" in paths
