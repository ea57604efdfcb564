"""`manage.py fetch_mail`: poll the IMAP accounts once (beat runs the same every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from inbox.imap import fetch_all_accounts
from inbox.models import ImapAccount


class Command(BaseCommand):
    help = "Fetch new mail from every enabled IMAP account into the inbox."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--mailbox", help="only the account of this support address"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = fetch_all_accounts(mailbox_email=options["mailbox"])
        if not results:
            self.stdout.write("no enabled IMAP accounts")
        accounts = ImapAccount.objects.in_bulk(
            [result.account_id for result in results]
        )
        for result in results:
            name = str(accounts[result.account_id])
            if result.skipped:
                self.stdout.write(f"{name}: skipped, another fetch is running")
            elif result.error:
                self.stderr.write(f"{name}: error: {result.error}")
            else:
                counts = result.counts
                self.stdout.write(
                    f"{name}: fetched {result.fetched} (created {counts['created']}, "
                    f"threaded {counts['threaded']}, duplicates {counts['duplicate']}, "
                    f"rejected {counts['rejected'] + counts['failed']})"
                )
