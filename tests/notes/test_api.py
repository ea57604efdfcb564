from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inbox import services as inbox_services
from notes import services
from notes.models import Follower, Note, Notification
from tests.factories import PASSWORD, ConversationFactory

pytestmark = pytest.mark.django_db
# Followers hear of changes from tasks enqueued after commit, so these commit.
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(mailbox=mailbox, subject="Webhook retries")


def _token(api_client, user):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
    )
    return response.json()["token"]


def test_posting_a_note_with_a_token_returns_201_and_the_note(
    api_client, conversation, agent, teammate
):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {_token(api_client, agent)}")

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/notes/",
        {"body": "@bob *please* look"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["body"] == "@bob *please* look"
    assert "<em>please</em>" in body["body_html"]
    assert body["author"]["username"] == "alice"
    assert body["mentions"] == [
        {
            "user": {"id": teammate.pk, "username": "bob", "name": "Bob Builder"},
            "notified": True,
        }
    ]
    assert body["mentions_not_notified"] == []


def test_listing_notes_is_paginated_oldest_first(api_client, conversation, agent):
    first = services.add_note(conversation, body="first", by=agent).note
    second = services.add_note(conversation, body="second", by=agent).note
    api_client.force_authenticate(agent)

    body = api_client.get(f"/api/v1/conversations/{conversation.pk}/notes/").json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert [note["id"] for note in body["results"]] == [first.pk, second.pk]


def test_an_empty_note_gets_400_under_body(api_client, conversation, agent):
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/notes/", {"body": " "}, format="json"
    )

    assert response.status_code == 400
    assert "body" in response.json()


def test_a_missing_body_gets_400_under_body(api_client, conversation, agent):
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/notes/", {}, format="json"
    )

    assert response.status_code == 400
    assert "body" in response.json()


def test_mentioning_someone_without_access_is_explained_in_the_answer(
    api_client, conversation, agent, outsider
):
    api_client.force_authenticate(agent)

    body = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/notes/",
        {"body": "@oscar FYI"},
        format="json",
    ).json()

    assert body["mentions_not_notified"] == [
        {
            "username": "oscar",
            "message": "Oscar Outsider (@oscar) cannot see the Acme Support "
            "mailbox, so was not notified.",
        }
    ]
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_a_note_with_attachments_can_be_posted_as_multipart(
    api_client, conversation, agent
):
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/notes/",
        {
            "body": "logs attached",
            "attachments": [
                SimpleUploadedFile("a.txt", b"aaa", "text/plain"),
                SimpleUploadedFile("b.txt", b"bbbb", "text/plain"),
            ],
        },
        format="multipart",
    )

    assert response.status_code == 201
    assert [a["filename"] for a in response.json()["attachments"]] == [
        "a.txt",
        "b.txt",
    ]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/conversations/{conversation}/notes/"),
        ("post", "/api/v1/conversations/{conversation}/notes/"),
        ("get", "/api/v1/conversations/{conversation}/followers/"),
        ("post", "/api/v1/conversations/{conversation}/followers/"),
        ("get", "/api/v1/notes/{note}/"),
        ("patch", "/api/v1/notes/{note}/"),
        ("get", "/api/v1/notes/{note}/revisions/"),
        ("post", "/api/v1/notes/{note}/pin/"),
    ],
    ids=[
        "list-notes",
        "add-note",
        "list-followers",
        "follow",
        "note",
        "edit-note",
        "revisions",
        "pin",
    ],
)
def test_outsider_gets_404_for_notes_and_followers(
    api_client, conversation, agent, outsider, method, path
):
    note = services.add_note(conversation, body="secret plan", by=agent).note
    api_client.force_authenticate(outsider)

    response = getattr(api_client, method)(
        path.format(conversation=conversation.pk, note=note.pk),
        {"body": "x"},
        format="json",
    )

    assert response.status_code == 404


def test_anonymous_requests_get_401(api_client, conversation):
    response = api_client.get(f"/api/v1/conversations/{conversation.pk}/notes/")

    assert response.status_code == 401


def test_editing_a_note_keeps_its_history(api_client, conversation, agent):
    note = services.add_note(conversation, body="v1", by=agent).note
    api_client.force_authenticate(agent)

    edited = api_client.patch(
        f"/api/v1/notes/{note.pk}/", {"body": "v2"}, format="json"
    )
    history = api_client.get(f"/api/v1/notes/{note.pk}/revisions/").json()

    assert edited.status_code == 200
    assert edited.json()["body"] == "v2"
    assert edited.json()["edited_at"] is not None
    assert [revision["body"] for revision in history] == ["v1"]


def test_editing_someone_elses_note_is_403(api_client, conversation, agent, teammate):
    note = services.add_note(conversation, body="mine", by=agent).note
    api_client.force_authenticate(teammate)

    response = api_client.patch(
        f"/api/v1/notes/{note.pk}/", {"body": "hijack"}, format="json"
    )

    assert response.status_code == 403
    assert Note.objects.get(pk=note.pk).body == "mine"


def test_pin_and_unpin_a_note(api_client, conversation, agent):
    note = services.add_note(conversation, body="pin me", by=agent).note
    api_client.force_authenticate(agent)

    pinned = api_client.post(f"/api/v1/notes/{note.pk}/pin/").json()
    unpinned = api_client.delete(f"/api/v1/notes/{note.pk}/pin/").json()

    assert pinned["pinned_at"] is not None
    assert unpinned["pinned_at"] is None


def test_follow_add_a_teammate_list_and_unfollow(
    api_client, conversation, agent, teammate
):
    api_client.force_authenticate(agent)
    url = f"/api/v1/conversations/{conversation.pk}/followers/"

    me = api_client.post(url, {}, format="json")
    bob = api_client.post(url, {"user": teammate.pk}, format="json")
    again = api_client.post(url, {"user": teammate.pk}, format="json")
    removed = api_client.delete(f"{url}{agent.pk}/")
    listed = api_client.get(url).json()

    assert (me.status_code, bob.status_code, again.status_code) == (201, 201, 201)
    assert removed.status_code == 204
    assert [row["user"]["username"] for row in listed] == ["bob"]
    assert listed[0]["reason"] == "added"


def test_adding_an_outsider_as_follower_is_refused_naming_the_user(
    api_client, conversation, agent, outsider
):
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/followers/",
        {"user": outsider.pk},
        format="json",
    )

    assert response.status_code == 403
    assert "user" in response.json()
    assert not Follower.objects.exists()


@committed
def test_notifications_list_read_and_read_all(
    api_client, conversation, agent, teammate
):
    Follower.objects.add(conversation, teammate)
    inbox_services.change_status(conversation, status="pending", by=agent)
    inbox_services.change_status(conversation, status="open", by=agent)
    api_client.force_authenticate(teammate)

    listed = api_client.get("/api/v1/notifications/").json()
    newest = listed["results"][0]
    read = api_client.post(f"/api/v1/notifications/{newest['id']}/read/").json()
    unread_left = api_client.get("/api/v1/notifications/?unread=1").json()
    marked = api_client.post("/api/v1/notifications/read-all/").json()

    assert listed["count"] == 2
    assert listed["unread"] == 2
    assert newest["verb"] == "status_changed"
    assert newest["summary"] == "Alice Agent changed the status from pending to open"
    assert newest["conversation"]["number"] == conversation.number
    assert read["read_at"] is not None
    assert unread_left["count"] == 1
    assert marked == {"marked": 1}


@committed
def test_someone_elses_notification_is_404(api_client, conversation, agent, teammate):
    Follower.objects.add(conversation, teammate)
    inbox_services.change_status(conversation, status="pending", by=agent)
    notification = Notification.objects.get()
    api_client.force_authenticate(agent)

    response = api_client.post(f"/api/v1/notifications/{notification.pk}/read/")

    assert response.status_code == 404


def test_preferences_are_read_and_written(api_client, agent):
    api_client.force_authenticate(agent)

    written = api_client.put(
        "/api/v1/notification-preferences/",
        [{"event": "new_message", "email": True, "auto_follow": True}],
        format="json",
    ).json()

    new_message = next(row for row in written if row["event"] == "new_message")
    assert new_message == {
        "event": "new_message",
        "label": "New customer message",
        "email": True,
        "auto_follow": True,
        "auto_follow_configurable": True,
    }
    assert len(written) == 6


def test_an_unknown_preference_event_is_400(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.put(
        "/api/v1/notification-preferences/",
        [{"event": "everything", "email": True, "auto_follow": True}],
        format="json",
    )

    assert response.status_code == 400


def test_the_openapi_schema_lists_the_notes_endpoints(api_client, agent):
    api_client.force_authenticate(agent)

    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    assert "/api/v1/conversations/{id}/notes/" in schema["paths"]
    assert "/api/v1/notifications/" in schema["paths"]
