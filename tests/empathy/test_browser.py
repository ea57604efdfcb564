from __future__ import annotations

import re

import pytest

from tests.factories import ConversationFactory, CustomerFactory, MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_please_calm_down_shows_the_finding_and_its_rewrite_removes_it(
    page, login, live_server, mailbox, agent
):
    customer = CustomerFactory(name="Dana Scully", first_name="Dana")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    MessageFactory(conversation=conversation, text="Still broken. Third time I write!")
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    page.get_by_role("textbox", name="Reply").press_sequentially("Please calm down")

    finding = page.locator(".finding[data-rule='calm-down']")
    finding.wait_for()
    assert finding.locator("mark").inner_text() == "Please calm down"
    rewrite = finding.get_by_role(
        "button", name=re.compile("I understand how frustrating this is")
    )
    rewrite.click()
    page.wait_for_function(
        "() => !document.querySelector(\".finding[data-rule='calm-down']\")"
    )
    assert page.get_by_role("textbox", name="Reply").input_value() == (
        "I understand how frustrating this is"
    )
    assert page.locator(".finding[data-rule='next-step']").count() == 1
