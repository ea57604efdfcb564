from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from inbox import presence, services
from inbox.models import Conversation
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    LabelFactory,
    MessageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script><svg onload=alert(3)>'


def _conversation(mailbox, subject, text="Hello"):
    conversation = ConversationFactory(mailbox=mailbox, subject=subject)
    MessageFactory(conversation=conversation, text=text)
    return conversation


def test_agent_walks_the_list_with_j_k_and_opens_with_enter(
    page, login, live_server, mailbox, agent
):
    _conversation(mailbox, "Older")
    newer = _conversation(mailbox, "Newer")
    login(page, agent)

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/conversations/{newer.pk}/")


def test_agent_assigns_labels_and_resolves_without_reloading(
    page, login, live_server, mailbox, agent
):
    LabelFactory(name="billing")
    conversation = _conversation(mailbox, "Charged twice")
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    page.keyboard.press("a")
    page.get_by_label("Assign").select_option(label="Alice Agent")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#conversation-header .assignee")).to_have_text("Alice Agent")
    page.keyboard.press("l")
    page.get_by_role("button", name="Add label").click()
    expect(page.locator(".current-labels")).to_contain_text("billing")
    expect(page.locator("#thread")).to_contain_text("added label billing")
    page.keyboard.press("e")

    expect(page.locator("#conversation-header .status")).to_have_text("Resolved")
    expect(page.locator("#thread")).to_contain_text(
        "changed status from open to resolved"
    )
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    assert conversation.assignee == agent


def test_agent_searches_and_sees_the_match_highlighted(
    page, login, live_server, mailbox, agent
):
    _conversation(mailbox, "Kitchen", text="The blender makes a grinding noise.")
    _conversation(mailbox, "Other", text="Nothing to see.")
    login(page, agent)

    page.keyboard.press("/")
    page.keyboard.type("blender")
    page.keyboard.press("Enter")

    expect(page.locator(".conversation-row")).to_have_count(1)
    expect(page.locator(".snippet mark")).to_have_text("blender")


def test_agent_bulk_resolves_selected_conversations(
    page, login, live_server, mailbox, agent
):
    first = _conversation(mailbox, "One")
    second = _conversation(mailbox, "Two")
    _conversation(mailbox, "Three")
    login(page, agent)

    page.get_by_label(f"Select #{first.number}").check()
    page.get_by_label(f"Select #{second.number}").check()
    page.get_by_label("Bulk action", exact=True).select_option(label="Resolve")
    page.get_by_role("button", name="Apply to selected").click()

    expect(page.get_by_role("status").first).to_contain_text("Updated 2 conversations")
    expect(page.locator(".conversation-row")).to_have_count(1)


def test_two_agents_see_each_other_on_the_same_conversation(
    browser, page, login, live_server, mailbox, agent, teammate
):
    conversation = _conversation(mailbox, "Shared")
    other = browser.new_context().new_page()
    login(other, teammate)
    other.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    login(page, agent)

    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    expect(page.locator("#presence")).to_contain_text("Bob Builder is viewing")
    other.context.close()


def test_page_warns_when_a_customer_writes_while_it_is_open(
    page, login, live_server, mailbox, agent, settings
):
    conversation = _conversation(mailbox, "Live")
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    MessageFactory(conversation=conversation, text="Are you there?")
    page.evaluate("htmx.trigger('#presence', 'presence-changed')")

    expect(page.get_by_role("alert")).to_contain_text("1 new message since you opened")


def test_held_send_asks_before_replying_over_a_new_message(
    page, login, live_server, mailbox, agent
):
    conversation = _conversation(mailbox, "Held")
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    MessageFactory(conversation=conversation, text="Actually, never mind!")

    page.evaluate("() => { window.held = window.replypad.checkBeforeSend(); }")
    expect(page.locator("#held-send")).to_contain_text("Actually, never mind!")
    page.get_by_role("button", name="Send anyway").click()

    assert page.evaluate("window.held") is True


def test_held_send_lets_the_reply_through_when_nothing_arrived(
    page, login, live_server, mailbox, agent
):
    conversation = _conversation(mailbox, "Quiet")
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    ok = page.evaluate("window.replypad.checkBeforeSend()")

    assert ok is True


def test_question_mark_opens_the_shortcut_help(
    page, login, live_server, mailbox, agent
):
    login(page, agent)

    page.keyboard.press("?")

    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()


def test_stored_xss_never_runs_anywhere_in_the_inbox(
    page, login, live_server, mailbox, agent, teammate
):
    customer = CustomerFactory(name=XSS, company=XSS, attributes={"note": XSS})
    conversation = ConversationFactory(mailbox=mailbox, customer=customer, subject=XSS)
    MessageFactory(
        conversation=conversation, text=f"boom {XSS}", html=f"<p>boom</p>{XSS}"
    )
    label = LabelFactory(name="<b onmouseover=alert(4)>x</b>")
    services.change_labels(conversation, add=[label], by=agent)
    presence.touch(conversation, user=teammate)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, agent)

    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/?q=boom")
    expect(page.locator(".snippet mark")).to_have_text("boom")
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    page.get_by_text("Show formatted email").click()
    frame = page.frame_locator(".message-html iframe")
    expect(frame.locator("p")).to_have_text("boom")
    page.wait_for_timeout(500)

    assert dialogs == []


def test_inbox_and_conversation_fit_a_phone_screen(
    browser, live_server, login, mailbox, agent
):
    conversation = _conversation(mailbox, "A rather long subject " * 4)
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    login(phone, agent)

    inbox_overflow = phone.evaluate("document.documentElement.scrollWidth > innerWidth")
    phone.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    page_overflow = phone.evaluate("document.documentElement.scrollWidth > innerWidth")
    context.close()

    assert not inbox_overflow
    assert not page_overflow


def test_folder_links_show_their_counts_to_screen_readers(
    page, login, live_server, mailbox, agent
):
    _conversation(mailbox, "Counted")
    login(page, agent)

    link = page.get_by_role("link", name=re.compile(r"^Open"))

    expect(link).to_contain_text("1")
    expect(link).to_have_attribute("aria-current", "page")
