from __future__ import annotations

import pytest

from inbox.ingest import ingest_raw_email
from inbox.models import RawEmail
from tests.inbox.eml import build_email, eml

pytestmark = pytest.mark.django_db

PAGE = "/inbound/"


def rejected(to: str = "sales@acme.test") -> int:
    return ingest_raw_email(
        build_email(to=to), source=RawEmail.Source.WEBHOOK
    ).raw_email_id


def test_admin_sees_rejected_mail_with_reason_and_retry_button(
    client, admin, django_assert_max_num_queries
):
    rejected()
    client.force_login(admin)

    with django_assert_max_num_queries(12):
        response = client.get(PAGE)

    body = response.content.decode()
    assert response.status_code == 200
    assert "no mailbox for recipients: sales@acme.test" in body
    assert ">Retry</button>" in body
    assert 'href="/inbound/"' in body


def test_agents_get_404_for_the_inbound_problems_page(client, agent):
    client.force_login(agent)

    response = client.get(PAGE)

    assert response.status_code == 404
    assert "Inbound problems" not in client.get("/").content.decode()


def test_retry_with_htmx_returns_the_updated_row(client, admin, mailbox):
    raw_email_id = rejected()
    mailbox.email = "sales@acme.test"
    mailbox.save()
    client.force_login(admin)

    response = client.post(f"/inbound/{raw_email_id}/retry/", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<tr id="inbound-{raw_email_id}">')
    assert "Retried: created" in body
    assert "Open conversation" in body
    assert response["HX-Trigger"] == '{"inbound-changed": {}}'


def test_retry_without_javascript_redirects_with_a_notice(client, admin, mailbox):
    raw_email_id = rejected()
    client.force_login(admin)

    response = client.post(f"/inbound/{raw_email_id}/retry/", follow=True)

    assert response.redirect_chain == [("/inbound/", 302)]
    assert (
        "Retried: rejected (no mailbox for recipients: sales@acme.test)"
        in response.content.decode()
    )


def test_retrying_processed_mail_says_so(client, admin, mailbox):
    processed = ingest_raw_email(
        eml("plain"), source=RawEmail.Source.WEBHOOK
    ).raw_email_id
    client.force_login(admin)

    response = client.post(f"/inbound/{processed}/retry/", follow=True)

    assert "This email was already processed" in response.content.decode()


def test_outsider_admin_gets_404_retrying_another_mailboxs_mail(
    client, outsider, mailbox
):
    raw_email_id = ingest_raw_email(
        eml("spam"), source=RawEmail.Source.WEBHOOK
    ).raw_email_id
    outsider.is_superuser = True
    outsider.save()
    client.force_login(outsider)

    response = client.post(f"/inbound/{raw_email_id}/retry/")

    assert response.status_code == 404
