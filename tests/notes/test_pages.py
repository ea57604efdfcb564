from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox import services as inbox_services
from notes import services
from notes.models import Follower, Note, Notification
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db
# Followers hear of changes from tasks enqueued after commit, so these commit.
committed = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def conversation(mailbox):
    conversation = ConversationFactory(mailbox=mailbox, subject="Cannot log in")
    MessageFactory(conversation=conversation, text="Help, I am locked out.")
    return conversation


def _page(client, conversation):
    response = client.get(f"/conversations/{conversation.pk}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_conversation_page_shows_notes_and_the_note_form(
    client, conversation, agent, teammate
):
    services.add_note(conversation, body="Reset the **2FA** @bob", by=agent)
    client.force_login(agent)

    page = _page(client, conversation)

    note = page.select_one("li.note")
    assert note.select_one(".note-badge").text == "Internal note"
    assert note.select_one(".note-body strong").text == "2FA"
    assert page.select_one("#followers")["hx-trigger"] == "load"
    assert page.select_one("form#note-form textarea[name=body]") is not None


def test_the_followers_box_lists_followers_and_who_can_be_added(
    client, conversation, agent, teammate, lead
):
    services.add_note(conversation, body="@bob look", by=agent)
    client.force_login(agent)

    response = client.get(f"/conversations/{conversation.pk}/followers/", **HTMX)

    box = BeautifulSoup(response.content, "html.parser")
    assert [li.text for li in box.select(".follower-list li")] == [
        "Alice Agent (you)",
        "Bob Builder",
    ]
    assert [o.text for o in box.select("select[name=user] option")] == ["Lena Lead"]
    assert box.select_one("button").text == "Unfollow"


def test_the_followers_box_works_as_a_page_without_htmx(client, conversation, agent):
    client.force_login(agent)

    response = client.get(f"/conversations/{conversation.pk}/followers/")

    assert response.status_code == 200
    assert b"Nobody follows this conversation." in response.content


def test_posting_a_note_without_htmx_redirects_to_it(client, conversation, agent):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/notes/", {"body": "Called the customer"}
    )

    note = Note.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/conversations/{conversation.pk}/#note-{note.pk}"


def test_posting_a_note_with_htmx_returns_the_note_a_fresh_form_and_warnings(
    client, conversation, agent, outsider
):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/notes/",
        {"body": "@oscar might know"},
        **HTMX,
    )

    page = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert page.select_one("li.note .mention-no-access").text == "@oscar"
    assert page.select_one("form#note-form")["hx-swap-oob"] == "true"
    assert page.select_one("#flash .flash-warning").text == (
        "Oscar Outsider (@oscar) cannot see the Acme Support mailbox, "
        "so was not notified."
    )
    assert "conversation-changed" in response["HX-Trigger"]


def test_an_empty_note_with_htmx_shows_the_error_in_place(client, conversation, agent):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/notes/", {"body": ""}, **HTMX
    )

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"
    assert b"Write something before saving the note" in response.content


def test_mention_autocomplete_lists_only_members_of_the_mailbox(
    client, conversation, agent, teammate, outsider
):
    client.force_login(agent)

    response = client.get(f"/conversations/{conversation.pk}/mentions/?q=", **HTMX)

    page = BeautifulSoup(response.content, "html.parser")
    usernames = [
        b["data-mention-username"] for b in page.select("[data-mention-username]")
    ]
    assert usernames == ["alice", "bob"]


def test_mention_autocomplete_filters_by_what_was_typed(
    client, conversation, agent, teammate
):
    client.force_login(agent)

    response = client.get(f"/conversations/{conversation.pk}/mentions/?q=bu", **HTMX)

    page = BeautifulSoup(response.content, "html.parser")
    assert [b["data-mention-username"] for b in page.select("button")] == ["bob"]


def test_follow_and_unfollow_buttons_swap_the_followers_box(
    client, conversation, agent
):
    client.force_login(agent)

    followed = client.post(f"/conversations/{conversation.pk}/follow/", **HTMX)
    unfollowed = client.post(f"/conversations/{conversation.pk}/unfollow/", **HTMX)

    assert b"Unfollow" in followed.content
    assert b">Follow<" in unfollowed.content
    assert not Follower.objects.exists()


def test_adding_a_teammate_as_follower(client, conversation, agent, teammate):
    client.force_login(agent)

    client.post(
        f"/conversations/{conversation.pk}/follow/", {"user": teammate.pk}, **HTMX
    )

    assert Follower.objects.get().user == teammate


def test_editing_a_note_shows_edited_and_its_history(client, conversation, agent):
    note = services.add_note(conversation, body="first draft", by=agent).note
    client.force_login(agent)

    form = client.get(f"/notes/{note.pk}/edit/", **HTMX)
    saved = client.post(f"/notes/{note.pk}/edit/", {"body": "second"}, **HTMX)
    history = client.get(f"/notes/{note.pk}/history/", **HTMX)

    assert b"first draft</textarea>" in form.content
    assert b"edited" in saved.content
    assert b"first draft" in history.content


def test_pinning_a_note_updates_the_pinned_box(client, conversation, agent):
    note = services.add_note(conversation, body="Refund approved", by=agent).note
    client.force_login(agent)

    response = client.post(f"/notes/{note.pk}/pin/", **HTMX)

    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("#pinned-notes")["hx-swap-oob"] == "true"
    assert "Refund approved" in page.select_one("#pinned-notes").text


def test_note_attachments_download_and_never_render_inline(client, conversation, agent):
    upload = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", "text/html")
    note = services.add_note(
        conversation, body="see file", by=agent, attachments=[upload]
    ).note
    client.force_login(agent)

    response = client.get(f"/notes/attachments/{note.attachments.get().pk}/")

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/conversations/{conversation}/notes/"),
        ("get", "/conversations/{conversation}/mentions/"),
        ("post", "/conversations/{conversation}/follow/"),
        ("get", "/notes/{note}/edit/"),
        ("post", "/notes/{note}/pin/"),
        ("get", "/notes/{note}/history/"),
        ("get", "/notes/attachments/{attachment}/"),
    ],
    ids=["add", "mentions", "follow", "edit", "pin", "history", "attachment"],
)
def test_outsider_gets_404_on_every_notes_page(
    client, conversation, agent, outsider, method, path
):
    note = services.add_note(
        conversation,
        body="x",
        by=agent,
        attachments=[SimpleUploadedFile("a.txt", b"a", "text/plain")],
    ).note
    client.force_login(outsider)

    response = getattr(client, method)(
        path.format(
            conversation=conversation.pk,
            note=note.pk,
            attachment=note.attachments.get().pk,
        )
    )

    assert response.status_code == 404


@committed
def test_the_bell_loads_its_count_then_pages_show_it_from_the_cache(
    client, conversation, agent, teammate
):
    Follower.objects.add(conversation, teammate)
    inbox_services.change_status(conversation, status="pending", by=agent)
    inbox_services.change_status(conversation, status="open", by=agent)
    client.force_login(teammate)

    cold = BeautifulSoup(client.get("/").content, "html.parser")
    bell = BeautifulSoup(
        client.get("/notifications/bell/", **HTMX).content, "html.parser"
    )
    warm = BeautifulSoup(client.get("/").content, "html.parser")

    assert cold.select_one("#notification-bell")["hx-trigger"].startswith("load")
    assert bell.select_one(".bell-count").text == "2"
    assert warm.select_one("#notification-bell .bell-count").text == "2"
    assert warm.select_one("#notification-bell")["aria-label"] == (
        "Notifications: 2 unread"
    )


def test_a_new_notification_or_reading_drops_the_cached_count(
    client, conversation, agent, teammate, django_capture_on_commit_callbacks
):
    Follower.objects.add(conversation, teammate)
    client.force_login(teammate)
    client.get("/notifications/bell/", **HTMX)

    with django_capture_on_commit_callbacks(execute=True):
        inbox_services.change_status(conversation, status="pending", by=agent)
    after_new = BeautifulSoup(client.get("/").content, "html.parser")
    client.get("/notifications/bell/", **HTMX)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/notifications/read-all/", **HTMX)
    after_read = BeautifulSoup(client.get("/").content, "html.parser")

    assert after_new.select_one("#notification-bell")["hx-trigger"].startswith("load")
    assert after_read.select_one("#notification-bell")["hx-trigger"].startswith("load")


def test_the_notification_list_marks_read_and_opens_the_conversation(
    client, conversation, agent, teammate
):
    services.add_note(conversation, body="@bob look", by=agent)
    notification = Notification.objects.get(recipient=teammate)
    client.force_login(teammate)

    listed = BeautifulSoup(client.get("/notifications/").content, "html.parser")
    opened = client.get(f"/notifications/{notification.pk}/")

    item = listed.select_one(f"#notification-{notification.pk}")
    assert "is-unread" in item["class"]
    assert "Alice Agent mentioned you in a note" in item.text
    assert opened["Location"] == (
        f"/conversations/{conversation.pk}/#note-{notification.note_id}"
    )
    notification.refresh_from_db()
    assert notification.is_read


@committed
def test_mark_one_read_and_mark_all_read_with_htmx(
    client, conversation, agent, teammate
):
    Follower.objects.add(conversation, teammate)
    for status in ["pending", "open", "resolved"]:
        inbox_services.change_status(conversation, status=status, by=agent)
    first = Notification.objects.order_by("id").first()
    client.force_login(teammate)

    one = client.post(f"/notifications/{first.pk}/read/", **HTMX)
    everything = client.post("/notifications/read-all/", **HTMX)

    assert b'id="unread-summary" hx-swap-oob="true">2 unread' in one.content
    assert "notifications-changed" in everything["HX-Trigger"]
    assert b"0 unread" in everything.content
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@committed
def test_the_notification_list_has_a_fixed_number_of_queries(
    client, conversation, agent, teammate, django_assert_max_num_queries
):
    Follower.objects.add(conversation, teammate)
    inbox_services.change_status(conversation, status="pending", by=agent)
    client.force_login(teammate)
    with CaptureQueriesContext(connection) as one_row:
        client.get("/notifications/")
    for index in range(29):
        other = ConversationFactory(mailbox=conversation.mailbox, subject=f"c{index}")
        Follower.objects.add(other, teammate)
        inbox_services.change_status(other, status="pending", by=agent)

    with django_assert_max_num_queries(len(one_row)):
        response = client.get("/notifications/")

    assert response.content.count(b'class="notification is-unread"') == 30


def test_the_conversation_page_query_count_does_not_grow_with_notes(
    client, conversation, agent, teammate, django_assert_max_num_queries
):
    services.add_note(conversation, body="note 0 @bob", by=agent)
    client.force_login(agent)
    with CaptureQueriesContext(connection) as one_note:
        client.get(f"/conversations/{conversation.pk}/")
    for index in range(1, 15):
        services.add_note(conversation, body=f"note {index} @bob", by=agent)

    with django_assert_max_num_queries(len(one_note)):
        response = client.get(f"/conversations/{conversation.pk}/")

    assert response.content.count(b'class="note"') == 15


def test_notification_settings_page_saves_choices(client, agent):
    client.force_login(agent)

    client.post(
        "/notifications/settings/",
        {"new_message-email": "on", "new_message-auto_follow": "on"},
    )
    page = BeautifulSoup(client.get("/notifications/settings/").content, "html.parser")

    assert page.select_one("input[name=new_message-email]").has_attr("checked")
    assert page.select_one("input[name=new_message-auto_follow]").has_attr("checked")
    assert not page.select_one("input[name=assigned-email]").has_attr("checked")


def test_the_notification_list_pages_by_fifty_with_an_older_link(
    client, conversation, agent, teammate
):
    Follower.objects.add(conversation, teammate)
    for _ in range(55):
        services.notify_followers(conversation, verb="note_added", actor=agent)
    client.force_login(teammate)

    first = BeautifulSoup(client.get("/notifications/").content, "html.parser")
    older = first.find("a", string="Older notifications")["href"]
    second = BeautifulSoup(client.get(f"/notifications/{older}").content, "html.parser")

    assert len(first.select("li.notification")) == 50
    assert len(second.select("li.notification")) == 5
    assert second.find("a", string="Older notifications") is None
