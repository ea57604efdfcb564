from __future__ import annotations

import pytest
from playwright.sync_api import expect

from inbox.models import Mailbox, Membership
from review.models import Draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_submits_lead_requests_changes_agent_edits_lead_approves_one_email(
    browser, login, live_server, agent, lead, mailbox, conversation, esp, settings
):
    settings.REPLYPAD_UNDO_SECONDS = 0
    mailbox.review_policy = Mailbox.ReviewPolicy.NEW_AGENTS
    mailbox.save()
    Membership.objects.filter(user=agent).update(needs_review=True)
    agent_context = browser.new_context(viewport={"width": 1280, "height": 800})
    lead_context = browser.new_context(viewport={"width": 1280, "height": 800})
    agent_page, lead_page = agent_context.new_page(), lead_context.new_page()
    for page in (agent_page, lead_page):
        page.set_default_timeout(10_000)

    login(agent_page, agent)
    agent_page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
    agent_page.locator("#reply-body").fill("Calm down, it ships today.")
    expect(agent_page.locator("#draft-status")).to_contain_text("Draft saved")
    agent_page.get_by_role("button", name="Ask for review").click()
    expect(agent_page.locator("#draft-state")).to_have_text("In review")

    login(lead_page, lead)
    lead_page.get_by_role("link", name="Review queue").click()
    expect(lead_page.locator(".queue-row")).to_have_count(1)
    lead_page.wait_for_load_state("load")
    lead_page.keyboard.press("j")
    lead_page.keyboard.press("Enter")
    lead_page.locator("#draft-body").evaluate("el => el.setSelectionRange(0, 10)")
    lead_page.locator("#draft-body").dispatch_event("select")
    expect(lead_page.locator("#comment-passage")).to_contain_text("Calm down,")
    lead_page.locator("#comment-body").fill("Never tell a customer to calm down.")
    lead_page.get_by_role("button", name="Add comment").click()
    expect(lead_page.locator(".comment-quote")).to_have_text("Calm down,")
    lead_page.locator("#changes-comment").fill("Acknowledge the delay first.")
    lead_page.get_by_role("button", name="Request changes").click()
    expect(lead_page.locator("#draft-state")).to_have_text("Changes requested")

    agent_page.reload()
    agent_page.locator("#draft-body").fill(
        "I am sorry your order is late, Dana. It ships today."
    )
    agent_page.get_by_role("button", name="Save draft").click()
    agent_page.get_by_role("button", name="Ask for review").click()
    expect(agent_page.locator("#draft-state")).to_have_text("In review")

    lead_page.goto(f"{live_server.url}/review/")
    lead_page.wait_for_load_state("load")
    lead_page.keyboard.press("j")
    lead_page.keyboard.press("a")
    expect(lead_page.locator("#flash")).to_contain_text("Approved")

    draft = Draft.objects.get()
    assert draft.state == Draft.State.SENT
    assert len(esp) == 1
    assert "I am sorry your order is late" in esp[0].body
    agent_context.close()
    lead_context.close()
