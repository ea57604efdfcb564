from __future__ import annotations

import pytest

from inbox.models import Message
from review.models import Draft
from tests.review.conftest import BODY

pytestmark = pytest.mark.django_db
State = Draft.State


def test_leads_see_the_review_queue_link_and_agents_do_not(client, agent, lead):
    client.force_login(lead)
    lead_page = client.get("/").content.decode()
    client.force_login(agent)
    agent_page = client.get("/").content.decode()

    assert "Review queue" in lead_page
    assert "Review queue" not in agent_page


def test_the_queue_page_lists_waiting_drafts(
    client, make_draft, lead, django_assert_max_num_queries
):
    draft = make_draft(State.IN_REVIEW)
    client.force_login(lead)

    with django_assert_max_num_queries(12):
        response = client.get("/review/")

    assert f'id="queue-draft-{draft.pk}"' in response.content.decode()


def test_the_draft_is_visible_to_the_team_on_the_conversation(
    client, make_draft, teammate, conversation
):
    make_draft(State.IN_REVIEW)
    client.force_login(teammate)

    response = client.get(f"/conversations/{conversation.pk}/")

    assert "Draft by Alice Agent" in response.content.decode()


def test_autosave_creates_then_saves_the_draft(client, agent, conversation):
    client.force_login(agent)
    url = f"/conversations/{conversation.pk}/draft/autosave/"

    first = client.post(url, {"body": "Hello"}).json()
    second = client.post(url, {"body": "Hello Dana", "draft_version": 1}).json()
    stale = client.post(url, {"body": "Old tab", "draft_version": 1})

    assert (first["version"], second["version"]) == (1, 2)
    assert stale.status_code == 409
    assert stale.json()["current"]["body"] == "Hello Dana"


def test_the_autosaved_draft_comes_back_into_the_composer(client, agent, conversation):
    client.force_login(agent)
    client.post(f"/conversations/{conversation.pk}/draft/autosave/", {"body": BODY})

    response = client.get(f"/conversations/{conversation.pk}/")

    assert BODY in response.content.decode()


def test_sending_from_the_composer_closes_the_autosaved_draft(
    client, agent, conversation, esp
):
    client.force_login(agent)
    client.post(f"/conversations/{conversation.pk}/draft/autosave/", {"body": BODY})

    client.post(f"/conversations/{conversation.pk}/replies/", {"body": BODY})

    draft = Draft.objects.get()
    assert draft.state == State.SENT
    assert draft.message == Message.objects.get(kind=Message.Kind.REPLY)


def test_an_outsider_gets_404_for_the_draft_page_and_its_actions(
    client, make_draft, outsider
):
    draft = make_draft(State.IN_REVIEW)
    client.force_login(outsider)

    assert client.get(f"/drafts/{draft.pk}/").status_code == 404
    assert client.post(f"/drafts/{draft.pk}/approve/").status_code == 404
    assert (
        client.post(f"/drafts/{draft.pk}/comments/", {"body": "x"}).status_code == 404
    )


def test_the_draft_page_shows_a_word_diff(client, make_draft, agent):
    draft = make_draft(body="Ships today.")
    client.force_login(agent)
    client.post(f"/drafts/{draft.pk}/save/", {"body": "Ships tomorrow.", "version": 1})

    response = client.get(f"/drafts/{draft.pk}/?old=1&new=2")

    assert "<ins>tomorrow.</ins>" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_new_draft_shows_on_a_conversation_page_that_had_none(
    client, make_draft, teammate, conversation
):
    client.force_login(teammate)
    client.get(f"/conversations/{conversation.pk}/")

    make_draft(State.IN_REVIEW)
    response = client.get(f"/conversations/{conversation.pk}/")

    assert "Draft by Alice Agent" in response.content.decode()
