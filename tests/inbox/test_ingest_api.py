from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inbox.ingest import ingest_raw_email
from inbox.models import Conversation, RawEmail
from tests.factories import MailboxFactory
from tests.inbox.eml import build_email, eml

pytestmark = pytest.mark.django_db

UPLOAD = "/api/v1/inbound/"
PROBLEMS = "/api/v1/inbound/problems/"


def upload(api_client, raw: bytes, query: str = ""):
    return api_client.generic(
        "POST", UPLOAD + query, raw, content_type="message/rfc822"
    )


def test_admin_uploads_a_raw_email_and_gets_the_new_conversation(
    api_client, admin, mailbox
):
    api_client.force_authenticate(admin)

    response = upload(api_client, eml("plain"))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "created"
    assert Conversation.objects.get(pk=body["conversation"]).mailbox == mailbox
    assert RawEmail.objects.get(pk=body["raw_email"]).source == RawEmail.Source.API


def test_admin_uploads_a_file_into_a_chosen_mailbox(api_client, admin, other_mailbox):
    api_client.force_authenticate(admin)
    file = SimpleUploadedFile(
        "mail.eml", build_email(to="x@elsewhere.test"), content_type="message/rfc822"
    )

    response = api_client.post(
        f"{UPLOAD}?mailbox={other_mailbox.pk}", {"file": file}, format="multipart"
    )

    assert response.status_code == 201
    assert Conversation.objects.get().mailbox == other_mailbox


def test_uploading_the_same_email_twice_answers_duplicate(api_client, admin, mailbox):
    api_client.force_authenticate(admin)
    upload(api_client, eml("plain"))

    response = upload(api_client, eml("plain"))

    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"


def test_an_empty_upload_names_the_field(api_client, admin, mailbox):
    api_client.force_authenticate(admin)

    response = upload(api_client, b"")

    assert response.status_code == 400
    assert "file" in response.json()


def test_agents_may_not_upload_raw_email(api_client, agent, mailbox):
    api_client.force_authenticate(agent)

    response = upload(api_client, eml("plain"))

    assert response.status_code == 403
    assert RawEmail.objects.count() == 0


def test_uploading_into_a_mailbox_the_user_is_not_in_is_404(api_client, admin, mailbox):
    foreign = MailboxFactory(name="Hidden", email="hidden@acme.test")
    api_client.force_authenticate(admin)

    response = upload(api_client, eml("plain"), f"?mailbox={foreign.pk}")

    assert response.status_code == 404


def test_admin_lists_rejected_mail_and_retries_it(api_client, admin, mailbox):
    rejected = ingest_raw_email(
        build_email(to="sales@acme.test"), source=RawEmail.Source.IMPORT
    )
    mailbox.email = "sales@acme.test"
    mailbox.save()
    api_client.force_authenticate(admin)

    listed = api_client.get(PROBLEMS).json()
    retried = api_client.post(f"/api/v1/inbound/{rejected.raw_email_id}/retry/")

    assert [row["id"] for row in listed] == [rejected.raw_email_id]
    assert listed[0]["reason"] == "no mailbox for recipients: sales@acme.test"
    assert retried.status_code == 201
    assert retried.json()["status"] == "created"


def test_retrying_processed_mail_is_a_conflict(api_client, admin, mailbox):
    processed = ingest_raw_email(eml("plain"), source=RawEmail.Source.IMPORT)
    api_client.force_authenticate(admin)

    response = api_client.post(f"/api/v1/inbound/{processed.raw_email_id}/retry/")

    assert response.status_code == 409
    assert response.json() == {"detail": "This email was already processed"}


def test_outsider_gets_404_for_another_mailboxs_raw_email(
    api_client, outsider, mailbox
):
    rejected = ingest_raw_email(eml("spam"), source=RawEmail.Source.IMPORT)
    outsider.is_superuser = True
    outsider.save()
    api_client.force_authenticate(outsider)

    response = api_client.post(f"/api/v1/inbound/{rejected.raw_email_id}/retry/")

    assert response.status_code == 404
