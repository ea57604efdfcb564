from __future__ import annotations

import mailbox as mailboxes
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inbox.models import Conversation, Message, RawEmail
from tests.inbox.eml import EML_DIR, build_email, eml

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r"^created \d+, threaded \d+, duplicates \d+, rejected \d+$")


def import_mail(*args: str) -> tuple[list[str], str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("import_mail", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue().splitlines(), stderr.getvalue()


def test_importing_the_corpus_directory_counts_every_message_once(mailbox):
    lines, progress = import_mail(str(EML_DIR))

    assert lines[-1] == "created 16, threaded 1, duplicates 0, rejected 4"
    assert SUMMARY.match(lines[-1])
    assert "  rejected (bounce): 1" in lines
    assert "  rejected (spam): 1" in lines
    assert "  rejected (auto-reply): 2" in lines
    assert "Importing directory" in progress
    assert RawEmail.objects.filter(source=RawEmail.Source.IMPORT).count() == 21


def test_importing_the_same_directory_again_creates_nothing(mailbox):
    import_mail(str(EML_DIR))

    lines, _ = import_mail(str(EML_DIR))

    assert lines[-1] == "created 0, threaded 0, duplicates 17, rejected 4"
    assert Message.objects.count() == 17


def test_a_single_eml_file_is_imported(mailbox):
    lines, _ = import_mail(str(EML_DIR / "plain.eml"))

    assert lines == ["created 1, threaded 0, duplicates 0, rejected 0"]


def test_an_mbox_is_imported_message_by_message(mailbox, tmp_path):
    path = tmp_path / "archive.mbox"
    box = mailboxes.mbox(str(path))
    box.add(eml("outlook_first"))
    box.add(eml("outlook_reply"))
    box.add(b"not an email at all")
    box.flush()

    lines, _ = import_mail(str(path), "--no-progress")

    assert lines[-1] == "created 1, threaded 1, duplicates 0, rejected 1"
    assert "  rejected (unparseable): 1" in lines


def test_a_maildir_is_imported(mailbox, tmp_path):
    box = mailboxes.Maildir(str(tmp_path / "Maildir"))
    box.add(build_email(message_id="<md-1@customer.test>"))
    box.add(build_email(message_id="<md-2@customer.test>", subject="Another question"))

    lines, _ = import_mail(str(tmp_path / "Maildir"), "--no-progress")

    assert lines[-1] == "created 2, threaded 0, duplicates 0, rejected 0"


def test_mailbox_option_files_mail_for_unknown_recipients(
    mailbox, other_mailbox, tmp_path
):
    path = tmp_path / "x.eml"
    path.write_bytes(build_email(to="old-address@elsewhere.test"))

    lines, _ = import_mail(str(path), "--mailbox", "HELP@globex.test")

    assert lines[-1] == "created 1, threaded 0, duplicates 0, rejected 0"
    assert Conversation.objects.get().mailbox == other_mailbox


def test_verbose_import_names_each_rejected_message(mailbox):
    lines, _ = import_mail(str(EML_DIR), "-v", "2", "--no-progress")

    assert "rejected spam.eml: spam: X-Spam-Flag: YES" in lines


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["/nonexistent/path"], id="missing-path"),
        pytest.param(
            [str(EML_DIR), "--mailbox", "nobody@nowhere.test"], id="unknown-mailbox"
        ),
    ],
)
def test_an_unusable_path_or_mailbox_is_a_fatal_error(mailbox, args):
    with pytest.raises(CommandError):
        import_mail(*args)
