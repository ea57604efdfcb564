from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import ConversationFactory, MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_logs_in_and_opens_a_conversation(
    page, login, live_server, mailbox, agent
):
    conversation = ConversationFactory(mailbox=mailbox, subject="Printer on fire")
    MessageFactory(
        conversation=conversation, text="The printer is on fire, please help."
    )

    login(page, agent)
    page.get_by_role("link", name=f"#{conversation.number} Printer on fire").click()

    page.wait_for_url(f"{live_server.url}/conversations/{conversation.pk}/")
    assert page.get_by_text("The printer is on fire, please help.").is_visible()


def test_demo_agent_logs_in_and_opens_a_seeded_conversation(page, login, live_server):
    call_command("seed_demo")
    demo_agent = get_user_model().objects.get(username="agent")

    login(page, demo_agent, password="replypad")
    page.locator("a.subject").first.click()

    page.wait_for_url(f"{live_server.url}/conversations/*/")
    assert page.locator(".message-inbound").count() >= 1
