from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scheduler import services
from scheduler.models import ScheduledEmail
from tests.factories import ConversationFactory, CustomerFactory
from tests.inbox.outbound_support import esp_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(
        mailbox=mailbox,
        customer=CustomerFactory(email="dana@example.test", timezone="Europe/Paris"),
        subject="Order 1234 never arrived",
    )


def test_agent_promises_an_update_that_is_listed_and_sent_once(
    page, login, live_server, agent, conversation, esp
):
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")

    page.get_by_text("Send later / Promise an update").click()
    page.get_by_label("Promise an update").check()
    page.locator("#schedule-body").fill("Your order update, as promised.")
    page.locator("#schedule-send-at").fill("2099-01-02T10:00")
    page.locator("#schedule-submit").click()

    panel = page.locator("#scheduled-panel")
    expect(panel).to_contain_text("Your order update, as promised.")
    expect(panel).to_contain_text("Europe/Paris")
    page.get_by_role("link", name="Scheduled", exact=True).click()
    expect(page.locator(".scheduled-table")).to_contain_text("Order 1234")
    ScheduledEmail.objects.update(send_at=timezone.now() - timedelta(seconds=1))
    services.dispatch_due()
    services.dispatch_due()
    assert [email.to for email in esp] == [["dana@example.test"]]
