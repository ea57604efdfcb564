from __future__ import annotations

import importlib
import re

import pytest

from tests.factories import ConversationFactory, CustomerFactory, MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The first check warms up the server (templates, rules, VADER's lexicon).
SLOW_MACHINE_MS = 30_000


@pytest.fixture(autouse=True)
def _seeded_phrase_rules(transactional_db):
    """Transactional tests flush tables, the data migration's rules included."""
    from django.apps import apps

    seed = importlib.import_module("empathy.migrations.0002_seed_english_phrase_rules")
    seed.seed(apps, None)


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
    finding.wait_for(timeout=SLOW_MACHINE_MS)
    assert finding.locator("mark").inner_text() == "Please calm down"
    rewrite = finding.get_by_role(
        "button", name=re.compile("I understand how frustrating this is")
    )
    rewrite.click()
    page.wait_for_function(
        "() => !document.querySelector(\".finding[data-rule='calm-down']\")",
        timeout=SLOW_MACHINE_MS,
    )
    assert page.get_by_role("textbox", name="Reply").input_value() == (
        "I understand how frustrating this is"
    )
    assert page.locator(".finding[data-rule='next-step']").count() == 1
    page.wait_for_load_state("networkidle")


def test_a_rewrite_lands_on_the_phrase_even_after_emoji(
    page, login, live_server, mailbox, agent
):
    conversation = ConversationFactory(mailbox=mailbox)
    login(page, agent)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    reply = page.get_by_role("textbox", name="Reply")

    reply.fill("🙂🙂 Obviously it works.")
    finding = page.locator(".finding[data-rule='condescending']")
    finding.wait_for(timeout=SLOW_MACHINE_MS)
    finding.get_by_role("button", name=re.compile("Remove")).click()
    page.wait_for_function(
        "() => !document.querySelector(\".finding[data-rule='condescending']\")",
        timeout=SLOW_MACHINE_MS,
    )

    assert reply.input_value() == "🙂🙂 it works."
    page.wait_for_load_state("networkidle")
