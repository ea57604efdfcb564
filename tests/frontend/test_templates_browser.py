from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import CannedTemplateFactory, ConversationFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_inserts_a_template_by_shortcut_and_fills_an_ask_value(
    page, login, live_server, mailbox, agent
):
    customer = CustomerFactory(name="Maria Lopez", first_name="Maria")
    conversation = ConversationFactory(
        mailbox=mailbox, customer=customer, subject="Parcel arrived damaged"
    )
    CannedTemplateFactory(
        name="Damaged parcel",
        shortcut="damaged",
        body="Hi {{ customer.first_name }}, I'm sorry order {{ ask.order_number }} "
        "arrived damaged.",
    )

    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    page.keyboard.press("/")
    expect(page.get_by_label("Insert canned reply")).to_be_focused()
    page.keyboard.type("damaged")
    page.keyboard.press("Enter")
    order_number = page.get_by_label("Order number")
    expect(page.locator("#template-send")).to_be_disabled()
    expect(page.locator("mark.template-missing")).to_have_text("ask.order_number")
    order_number.fill("A-1042")

    preview = page.locator("#template-preview-body")
    expect(preview).to_have_text("Hi Maria, I'm sorry order A-1042 arrived damaged.")
    expect(page.get_by_text("Ready to send.")).to_be_visible()
    expect(page.locator("#template-send")).to_be_enabled()
    expect(order_number).to_be_focused()


def test_agent_searches_the_picker_and_chooses_a_template(
    page, login, live_server, mailbox, agent
):
    conversation = ConversationFactory(mailbox=mailbox)
    CannedTemplateFactory(name="Refund issued", shortcut="refund", body="Refunded.")

    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    page.get_by_label("Insert canned reply").fill("refu")
    page.get_by_role("button", name="/refund Refund issued").click()

    expect(page.locator("#template-preview-body")).to_have_text("Refunded.")
