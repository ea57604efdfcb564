from __future__ import annotations

import pytest
from playwright.sync_api import expect

from inbox.ingest import ingest_raw_email
from inbox.models import RawEmail
from tests.inbox.eml import build_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_retries_a_rejected_email_from_the_inbound_problems_page(
    page, login, live_server, admin, mailbox
):
    result = ingest_raw_email(
        build_email(to="sales@acme.test"), source=RawEmail.Source.WEBHOOK
    )
    mailbox.email = "sales@acme.test"
    mailbox.save()

    login(page, admin)
    page.get_by_role("link", name="Inbound problems").click()
    row = page.locator(f"#inbound-{result.raw_email_id}")
    row.get_by_role("button", name="Retry").click()

    expect(row.get_by_role("status")).to_have_text("Retried: created")
    expect(row.get_by_role("link", name="Open conversation")).to_be_visible()
    assert (
        RawEmail.objects.get(pk=result.raw_email_id).status == RawEmail.Status.PROCESSED
    )
