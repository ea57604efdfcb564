from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from inbox.models import Conversation, Message
from tests.factories import (
    CannedTemplateFactory,
    ConversationFactory,
    CustomerFactory,
    MessageFactory,
)
from tests.inbox.outbound_support import esp_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(mailbox):
    conversation = ConversationFactory(
        mailbox=mailbox,
        customer=CustomerFactory(email="dana@example.test", name="Dana Scully"),
        subject="Order 1234 never arrived",
    )
    MessageFactory(conversation=conversation, text="Where is my order? I am upset.")
    return conversation


def test_agent_sends_and_resolves_from_the_conversation_page(
    page, login, live_server, agent, conversation, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 0
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    page.locator("#reply-body").fill("I am so sorry, Dana. It ships **today**.")
    page.get_by_role("button", name="Send & resolve").click()

    thread = page.locator("#thread")
    expect(thread.get_by_text("I am so sorry, Dana.")).to_be_visible()
    expect(thread.locator(".message-reply .delivery")).to_have_text("Sent")
    expect(page.locator("#reply-body")).to_have_value("")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    assert len(esp) == 1
    assert "<strong>today</strong>" in esp[0].alternatives[0][0]


def test_agent_undoes_a_reply_within_the_delay_and_gets_the_text_back(
    page, login, live_server, agent, conversation, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 60
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    page.locator("#reply-body").fill("Wrong customer, oops")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#reply-outgoing")).to_contain_text("sends in")
    page.get_by_role("button", name="Undo").click()

    expect(page.locator("#reply-body")).to_have_value("Wrong customer, oops")
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    assert Message.objects.get(kind=Message.Kind.REPLY).delivery_status == "cancelled"
    assert esp == []


def test_an_empty_reply_shows_an_error_and_sends_nothing(
    page, login, live_server, agent, conversation, esp
):
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    page.locator("#reply-body").fill("   ")
    page.locator("#reply-body").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator("#flash")).to_contain_text("Write a reply before sending")
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_agent_inserts_a_canned_reply_tailors_it_and_sends(
    page, login, live_server, agent, conversation, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 0
    CannedTemplateFactory(
        name="Late order",
        shortcut="late",
        body="Hi {{ customer.first_name }}, I'm sorry order {{ ask.order_number }} "
        "is late. I will update you by 17:00 today.",
    )
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    page.get_by_label("Insert canned reply").fill("/late")
    page.get_by_label("Insert canned reply").press("Enter")
    # The first preview (value still missing) lands before the agent types it.
    expect(page.locator("#reply-body")).to_have_value(
        re.compile(r"\[ask\.order_number\]")
    )
    page.get_by_label("Order number").fill("A-1042")
    expect(page.locator("#reply-body")).to_have_value(
        "Hi Dana, I'm sorry order A-1042 is late. I will update you by 17:00 today."
    )
    page.locator("#reply-body").press("End")
    page.locator("#reply-body").type(" — Alice")
    page.get_by_role("button", name="Send & set pending").click()

    expect(page.locator("#thread .message-reply .delivery")).to_have_text("Sent")
    message = Message.objects.get(kind=Message.Kind.REPLY)
    assert message.visible_text.endswith("by 17:00 today. — Alice")
    assert message.template_use.template.shortcut == "late"
