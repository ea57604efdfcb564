from __future__ import annotations

import pytest

from inbox.ingest import ingest_raw_email
from inbox.models import Conversation, RawEmail
from tests.inbox.eml import build_email, eml

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/inbox/rawemail/"


def rejected_for_unknown_recipient() -> RawEmail:
    result = ingest_raw_email(
        build_email(to="sales@acme.test"), source=RawEmail.Source.WEBHOOK
    )
    return RawEmail.objects.get(pk=result.raw_email_id)


def test_admin_lists_rejected_mail_with_its_reason(client, admin):
    rejected = rejected_for_unknown_recipient()
    ingest_raw_email(eml("plain"), source=RawEmail.Source.WEBHOOK)
    client.force_login(admin)

    response = client.get(CHANGELIST, {"problem": "yes"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [rejected]
    assert "no mailbox for recipients: sales@acme.test" in response.content.decode()


def test_admin_sees_the_raw_source_of_a_rejected_mail_escaped(client, admin, mailbox):
    result = ingest_raw_email(eml("hostile_html"), source=RawEmail.Source.WEBHOOK)
    client.force_login(admin)

    response = client.get(f"{CHANGELIST}{result.raw_email_id}/change/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;document.location" in body
    assert "<script>document.location" not in body


def test_retry_action_processes_mail_once_its_mailbox_exists(client, admin, mailbox):
    rejected = rejected_for_unknown_recipient()
    mailbox.email = "sales@acme.test"
    mailbox.save()
    client.force_login(admin)

    response = client.post(
        CHANGELIST, {"action": "retry", "_selected_action": [rejected.pk]}, follow=True
    )

    rejected.refresh_from_db()
    assert rejected.status == RawEmail.Status.PROCESSED
    assert Conversation.objects.get().mailbox == mailbox
    assert "Retried 1: created 1" in response.content.decode()


def test_retry_leaves_processed_mail_alone(client, admin, mailbox):
    result = ingest_raw_email(eml("plain"), source=RawEmail.Source.WEBHOOK)
    client.force_login(admin)

    response = client.post(
        CHANGELIST,
        {"action": "retry", "_selected_action": [result.raw_email_id]},
        follow=True,
    )

    assert "Retried 0: nothing to retry" in response.content.decode()
    assert Conversation.objects.count() == 1


def test_agents_cannot_open_the_raw_email_admin(client, agent):
    client.force_login(agent)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
