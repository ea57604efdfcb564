from __future__ import annotations

import pytest

from inbox.models import Mailbox, Membership, Message
from review.models import Draft
from tests.review.conftest import BODY

pytestmark = pytest.mark.django_db
State = Draft.State

# (state, action) → expected status; each action answers the draft's new state.
ACTIONS = {
    "submit": ("agent", {}),
    "approve": ("lead", {"send": False}),
    "request-changes": ("lead", {"comment": "Shorter please"}),
    "withdraw": ("agent", {}),
    "cancel": ("agent", {}),
    "send": ("agent", {}),
}
LEGAL = {
    State.EDITING: {"submit": "in_review", "cancel": "cancelled", "send": "sent"},
    State.IN_REVIEW: {
        "approve": "approved",
        "request-changes": "changes_requested",
        "withdraw": "editing",
        "cancel": "cancelled",
    },
    State.CHANGES_REQUESTED: {
        "submit": "in_review",
        "withdraw": "editing",
        "cancel": "cancelled",
    },
    State.APPROVED: {"send": "sent", "cancel": "cancelled"},
    State.SENT: {},
    State.CANCELLED: {},
}
CASES = [(state, action) for state in LEGAL for action in ACTIONS]


@pytest.fixture
def as_user(api_client, agent, lead):
    def _as(name):
        api_client.force_authenticate({"agent": agent, "lead": lead}[name])
        return api_client

    return _as


def test_creating_a_draft_answers_the_stable_shape(api_client, agent, conversation):
    api_client.force_authenticate(agent)

    response = api_client.post(
        "/api/v1/drafts/",
        {"conversation": conversation.pk, "body": BODY, "cc": "boss@example.test"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("conversation", "state", "body", "version")} == {
        "conversation": conversation.pk,
        "state": "editing",
        "body": BODY,
        "version": 1,
    }
    assert body["cc"] == ["boss@example.test"]


def test_a_draft_can_be_created_and_submitted_at_once(api_client, agent, conversation):
    api_client.force_authenticate(agent)

    response = api_client.post(
        "/api/v1/drafts/",
        {"conversation": conversation.pk, "body": BODY, "submit": True},
        format="json",
    )

    assert response.json()["state"] == "in_review"


@pytest.mark.parametrize(
    ("state", "action"),
    [c for c in CASES if c[1] in LEGAL[c[0]]],
    ids=[f"{s}-{a}" for s, a in CASES if a in LEGAL[s]],
)
def test_every_legal_action_answers_the_new_state(
    make_draft, as_user, esp, state, action
):
    draft = make_draft(state)
    who, payload = ACTIONS[action]

    response = as_user(who).post(
        f"/api/v1/drafts/{draft.pk}/{action}/", payload, format="json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == LEGAL[state][action]


@pytest.mark.parametrize(
    ("state", "action"),
    [c for c in CASES if c[1] not in LEGAL[c[0]]],
    ids=[f"{s}-{a}" for s, a in CASES if a not in LEGAL[s]],
)
def test_every_illegal_action_is_409(make_draft, as_user, esp, state, action):
    draft = make_draft(state)
    who, payload = ACTIONS[action]

    response = as_user(who).post(
        f"/api/v1/drafts/{draft.pk}/{action}/", payload, format="json"
    )

    assert response.status_code == 409
    assert Draft.objects.get(pk=draft.pk).state == state


def test_the_author_approving_their_own_draft_is_403(make_draft, api_client, agent):
    draft = make_draft(State.IN_REVIEW)
    api_client.force_authenticate(agent)

    response = api_client.post(f"/api/v1/drafts/{draft.pk}/approve/")

    assert response.status_code == 403
    assert "your own draft" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"version": 1, "body": "hijack"}),
        ("post", "comments/", {"body": "hi", "start": 0, "end": 3}),
        ("post", "approve/", {}),
        ("post", "request-changes/", {"comment": "no"}),
        ("post", "send/", {}),
        ("get", "diff/", None),
    ],
    ids=["read", "edit", "comment", "approve", "request-changes", "send", "diff"],
)
def test_another_mailboxs_agent_gets_404(
    make_draft, api_client, outsider, method, suffix, payload
):
    draft = make_draft(State.IN_REVIEW)
    api_client.force_authenticate(outsider)

    response = getattr(api_client, method)(
        f"/api/v1/drafts/{draft.pk}/{suffix}", payload, format="json"
    )

    assert response.status_code == 404


def test_another_mailboxs_drafts_are_not_listed(make_draft, api_client, outsider):
    make_draft(State.IN_REVIEW)
    api_client.force_authenticate(outsider)

    assert api_client.get("/api/v1/drafts/").json()["results"] == []
    assert api_client.get("/api/v1/review-queue/").json()["results"] == []


def test_a_stale_patch_is_409_with_the_current_text(make_draft, api_client, agent):
    draft = make_draft()
    api_client.force_authenticate(agent)
    api_client.patch(
        f"/api/v1/drafts/{draft.pk}/", {"version": 1, "body": "Second"}, format="json"
    )

    response = api_client.patch(
        f"/api/v1/drafts/{draft.pk}/", {"version": 1, "body": "Late"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["current"]["body"] == "Second"
    assert response.json()["current"]["version"] == 2


def test_a_patch_saves_a_new_version(make_draft, api_client, agent):
    draft = make_draft()
    api_client.force_authenticate(agent)

    response = api_client.patch(
        f"/api/v1/drafts/{draft.pk}/", {"version": 1, "body": "Better"}, format="json"
    )

    assert response.json()["version"] == 2
    assert response.json()["body"] == "Better"


def test_a_one_megabyte_body_is_a_clear_400(api_client, agent, conversation):
    api_client.force_authenticate(agent)

    response = api_client.post(
        "/api/v1/drafts/",
        {"conversation": conversation.pk, "body": "x" * 1_000_000},
        format="json",
    )

    assert response.status_code == 400
    assert "at most 100,000 characters" in response.json()["body"][0]


def test_a_comment_past_the_end_is_400_and_one_inside_is_201(
    make_draft, api_client, lead
):
    draft = make_draft(State.IN_REVIEW, body="Short text.")
    api_client.force_authenticate(lead)
    url = f"/api/v1/drafts/{draft.pk}/comments/"

    past = api_client.post(url, {"body": "x", "start": 3, "end": 999}, format="json")
    inside = api_client.post(url, {"body": "Why?", "start": 0, "end": 5}, format="json")

    assert past.status_code == 400
    assert inside.status_code == 201
    assert inside.json()["comments"][0]["quote"] == "Short"
    assert inside.json()["state"] == "in_review"


def test_the_review_queue_is_paginated_like_the_conversation_list(
    make_draft, api_client, lead
):
    draft = make_draft(State.IN_REVIEW)
    api_client.force_authenticate(lead)

    response = api_client.get("/api/v1/review-queue/")

    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == draft.pk
    assert row["customer"] == "dana@example.test"
    assert row["waiting_seconds"] >= 0
    assert "findings_count" in row
    assert "sentiment" in row


def test_the_diff_answers_word_changes(make_draft, api_client, agent):
    draft = make_draft(body="Ships today.")
    api_client.force_authenticate(agent)
    api_client.patch(
        f"/api/v1/drafts/{draft.pk}/",
        {"version": 1, "body": "Ships tomorrow."},
        format="json",
    )

    response = api_client.get(f"/api/v1/drafts/{draft.pk}/diff/?old=1&new=2")

    assert {"op": "insert", "text": "tomorrow."} in response.json()["parts"]
    assert response.json()["editors"] == ["Alice Agent"]


# --- Policy through the API and the page ------------------------------------------


@pytest.fixture
def reviewed_agent(mailbox, agent):
    mailbox.review_policy = Mailbox.ReviewPolicy.NEW_AGENTS
    mailbox.save()
    Membership.objects.filter(user=agent).update(needs_review=True)
    return agent


def test_an_agent_needing_review_cannot_send_through_the_api(
    api_client, reviewed_agent, conversation, esp
):
    api_client.force_authenticate(reviewed_agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/replies/",
        {"body": "Sending anyway"},
        format="json",
    )

    assert response.status_code == 403
    assert "needs a reviewer's approval" in response.json()["body"][0]
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


@pytest.mark.parametrize("htmx", [True, False], ids=["page", "old-form-post"])
def test_an_agent_needing_review_cannot_send_from_the_page_or_an_old_form(
    client, reviewed_agent, conversation, esp, htmx
):
    client.force_login(reviewed_agent)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(
        f"/conversations/{conversation.pk}/replies/",
        {"body": "Sending anyway"},
        headers=headers,
    )

    assert response.status_code in (403, 302)
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()
