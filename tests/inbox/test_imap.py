from __future__ import annotations

import socket
import ssl
import subprocess
import time
from io import StringIO

import pytest
from django.core.management import call_command

from inbox.imap import fetch_account, fetch_all_accounts
from inbox.models import Conversation, ImapAccount, Message, RawEmail
from inbox.tasks import fetch_mail_task
from tests.factories import ImapAccountFactory
from tests.inbox.eml import build_email, eml
from tests.inbox.imap_server import ImapServer
from tests.worker import running_worker


@pytest.fixture
def imap_server():
    with ImapServer(username="support", password="imap-secret") as server:
        yield server


@pytest.fixture
def account(mailbox, imap_server):
    return ImapAccountFactory(mailbox=mailbox, port=imap_server.port)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_new_messages_are_ingested_and_the_last_uid_remembered(account, imap_server):
    inbox = imap_server.folders["INBOX"]
    inbox.uidvalidity = 77
    inbox.append(eml("plain"))
    inbox.append(eml("alternative"))

    result = fetch_account(account)

    account.refresh_from_db()
    assert result.counts == {"created": 2}
    assert (account.last_uid, account.uidvalidity, account.last_error) == (2, 77, "")
    assert account.last_polled_at is not None
    assert set(RawEmail.objects.values_list("source", flat=True)) == {
        RawEmail.Source.IMAP
    }
    assert Conversation.objects.filter(mailbox=account.mailbox).count() == 2


@pytest.mark.django_db
def test_a_second_poll_reads_only_mail_that_arrived_since(account, imap_server):
    inbox = imap_server.folders["INBOX"]
    inbox.append(eml("outlook_first"))
    fetch_account(account)
    inbox.append(eml("outlook_reply"))

    result = fetch_account(ImapAccount.objects.get(pk=account.pk))

    assert result.counts == {"threaded": 1}
    assert RawEmail.objects.count() == 2


@pytest.mark.django_db
def test_a_poll_with_nothing_new_reads_nothing(account, imap_server):
    imap_server.folders["INBOX"].append(eml("plain"))
    fetch_account(account)

    result = fetch_account(ImapAccount.objects.get(pk=account.pk))

    assert result.fetched == 0
    assert RawEmail.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_uidvalidity_rereads_the_folder_without_duplicating(
    account, imap_server
):
    inbox = imap_server.folders["INBOX"]
    inbox.append(eml("plain"))
    fetch_account(account)
    inbox.uidvalidity = 2
    inbox.append(eml("alternative"))

    result = fetch_account(ImapAccount.objects.get(pk=account.pk))

    assert result.counts == {"duplicate": 1, "created": 1}
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_wrong_credentials_are_recorded_on_the_account(account, imap_server):
    ImapAccount.objects.filter(pk=account.pk).update(password="wrong")

    result = fetch_account(ImapAccount.objects.get(pk=account.pk))

    account.refresh_from_db()
    assert "Invalid credentials" in result.error
    assert "Invalid credentials" in account.last_error


@pytest.mark.django_db
def test_an_unreachable_server_is_recorded_on_the_account(mailbox):
    account = ImapAccountFactory(mailbox=mailbox, port=closed_port())

    result = fetch_account(account)

    account.refresh_from_db()
    assert result.error.startswith("ConnectionRefusedError")
    assert account.last_error == result.error


@pytest.mark.django_db
def test_a_missing_folder_is_recorded_on_the_account(mailbox, imap_server):
    account = ImapAccountFactory(
        mailbox=mailbox, port=imap_server.port, folder="Support"
    )

    result = fetch_account(account)

    assert result.error == "error: cannot open folder 'Support'"


@pytest.mark.django_db
def test_disabled_accounts_are_not_polled(mailbox, imap_server):
    ImapAccountFactory(mailbox=mailbox, port=imap_server.port, enabled=False)
    imap_server.folders["INBOX"].append(eml("plain"))

    results = fetch_all_accounts()

    assert results == []
    assert RawEmail.objects.count() == 0


@pytest.mark.django_db
def test_fetch_mail_command_reports_each_account(account, imap_server):
    imap_server.folders["INBOX"].append(eml("plain"))
    imap_server.folders["INBOX"].append(eml("spam"))
    stdout = StringIO()

    call_command("fetch_mail", stdout=stdout)

    assert stdout.getvalue() == (
        "support@127.0.0.1/INBOX: fetched 2 (created 1, threaded 0, duplicates 0, rejected 1)\n"
    )


@pytest.mark.django_db(transaction=True)
def test_fetch_mail_task_runs_in_a_real_celery_worker(account, imap_server):
    imap_server.folders["INBOX"].append(
        build_email(message_id="<celery-1@customer.test>")
    )

    with running_worker():
        fetch_mail_task.delay()
        deadline = time.monotonic() + 15
        while not Message.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    assert Message.objects.get().message_id == "<celery-1@customer.test>"


@pytest.fixture
def tls_certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1 that the client's default context trusts."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments, test-only
        [
            "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@pytest.mark.django_db
def test_imaps_account_fetches_over_verified_tls(mailbox, tls_certificate):
    with ImapServer(
        username="support", password="imap-secret", ssl_context=tls_certificate
    ) as server:
        server.folders["INBOX"].append(eml("plain"))
        account = ImapAccountFactory(mailbox=mailbox, port=server.port, use_ssl=True)

        result = fetch_account(account)

    assert result.error == ""
    assert result.counts == {"created": 1}


@pytest.mark.django_db
def test_imaps_with_an_untrusted_certificate_is_refused(
    mailbox, tls_certificate, monkeypatch
):
    monkeypatch.delenv("SSL_CERT_FILE")
    with ImapServer(
        username="support", password="imap-secret", ssl_context=tls_certificate
    ) as server:
        server.folders["INBOX"].append(eml("plain"))
        account = ImapAccountFactory(mailbox=mailbox, port=server.port, use_ssl=True)

        result = fetch_account(account)

    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert RawEmail.objects.count() == 0
