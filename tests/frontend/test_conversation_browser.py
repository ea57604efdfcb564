from __future__ import annotations

import pytest

from tests.factories import ConversationFactory, CustomerFactory, MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The first empathy check warms up the server (templates, rules, VADER's lexicon).
SLOW_MACHINE_MS = 30_000


def _is_empathy_check(response) -> bool:
    return response.url.endswith("/empathy/check/")


def test_the_conversation_page_logs_no_console_errors_on_load_or_empathy_check(
    page, login, live_server, mailbox, agent
):
    customer = CustomerFactory(name="Dana Scully", first_name="Dana")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    MessageFactory(conversation=conversation, text="Still broken. Third time I write!")
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, agent)

    with page.expect_response(_is_empathy_check, timeout=SLOW_MACHINE_MS):
        page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    with page.expect_response(_is_empathy_check, timeout=SLOW_MACHINE_MS):
        page.get_by_role("textbox", name="Reply").press_sequentially("Hi Dana")
    page.wait_for_load_state("networkidle")

    assert errors == []
