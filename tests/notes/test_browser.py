from __future__ import annotations

import pytest

from inbox import services as inbox_services
from notes import services
from notes.models import Follower, Note
from tests.factories import ConversationFactory, MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = (
    "<script>window.pwned = 1; alert(1)</script>\n\n"
    '<img src=x onerror="window.pwned = 2; alert(2)">\n\n'
    "[click me](javascript:window.pwned=3)\n\n"
    '<a href="#" onmouseover="window.pwned = 4">hover</a>'
)


@pytest.fixture
def conversation(mailbox):
    conversation = ConversationFactory(mailbox=mailbox, subject="Printer on fire")
    MessageFactory(conversation=conversation, text="The printer is on fire.")
    return conversation


def _dialogs(page):
    seen = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    return seen


def test_script_and_html_typed_into_a_note_stay_inert_text(
    page, login, live_server, conversation, agent
):
    dialogs = _dialogs(page)
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    page.get_by_label("Add an internal note").fill(HOSTILE)
    page.get_by_role("button", name="Add note").click()
    note = page.locator("li.note").first
    note.wait_for()
    note.get_by_text("click me").click()
    note.get_by_text("hover").hover()
    page.reload()

    body = page.locator("li.note .note-body").first
    assert "<script>window.pwned = 1; alert(1)</script>" in body.inner_text()
    assert body.locator("script, img, [onerror], [onmouseover]").count() == 0
    assert body.get_by_text("click me").get_attribute("href") is None
    assert page.evaluate("window.pwned") is None
    assert dialogs == []
    assert Note.objects.get().body == HOSTILE


def test_a_note_looks_different_from_the_customer_messages(
    page, login, live_server, conversation, agent
):
    services.add_note(conversation, body="Customer is a VIP", by=agent)
    login(page, agent)

    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    note = page.locator("li.note").first
    message = page.locator("li.message").first
    assert note.locator(".note-badge").inner_text().lower() == "internal note"
    assert note.evaluate("e => getComputedStyle(e).backgroundColor") != (
        message.evaluate("e => getComputedStyle(e).backgroundColor")
    )


def test_mention_autocomplete_and_a_clear_message_for_someone_without_access(
    page, login, live_server, conversation, agent, teammate, outsider
):
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    textarea = page.get_by_label("Add an internal note")

    textarea.press_sequentially("Ask @bu")
    page.get_by_role("button", name="Bob Builder @bob").click()
    textarea.press_sequentially("and @oscar about it")
    page.get_by_role("button", name="Add note").click()

    warning = page.locator("#flash .flash-warning")
    warning.wait_for()
    assert warning.inner_text() == (
        "Oscar Outsider (@oscar) cannot see the Acme Support mailbox, "
        "so was not notified."
    )
    note = page.locator("li.note").first
    assert note.locator(".mention").first.inner_text() == "@bob"
    assert note.locator(".mention-no-access").inner_text() == "@oscar"
    assert textarea.input_value() == ""
    assert Follower.objects.filter(user=teammate).exists()
    assert not Follower.objects.filter(user=outsider).exists()


def test_the_bell_counts_unread_notifications_and_clears_when_read(
    page, login, live_server, conversation, agent, teammate
):
    Follower.objects.add(conversation, teammate)
    inbox_services.change_status(conversation, status="pending", by=agent)
    services.add_note(conversation, body="@bob have a look", by=agent)
    login(page, teammate)

    bell = page.locator("#notification-bell")
    count_before = bell.locator(".bell-count").inner_text()
    bell.click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    page.get_by_role("button", name="Mark all read").click()
    page.locator("#notification-bell:not(.has-unread)").wait_for()

    assert count_before == "2"
    assert page.get_by_text("Alice Agent mentioned you in a note").is_visible()
    assert page.locator("#notification-bell .bell-count").count() == 0
