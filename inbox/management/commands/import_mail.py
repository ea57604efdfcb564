"""`manage.py import_mail PATH`: a .eml file, a directory of them, an mbox or a Maildir.

Ends with exactly one line `created N, threaded N, duplicates N, rejected N`;
every message is counted once (failures count as rejected). Running it again
on the same input gives `created 0`. Exits non-zero only when PATH is unusable.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from inbox.ingest.pipeline import CREATED, DUPLICATE, THREADED, ingest_many
from inbox.ingest.sources import MailSourceError, open_source
from inbox.models import Mailbox, RawEmail


def _category(reason: str) -> str:
    """'spam: X-Spam-Flag: YES' → 'spam'; 'auto-reply (…) matches…' → 'auto-reply'."""
    match = re.match(r"[A-Za-z][A-Za-z -]*", reason)
    return match.group(0).strip() if match else "other"


class Command(BaseCommand):
    help = "Import stored mail (.eml, directory, mbox or Maildir) into the inbox."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path", help=".eml file, directory of .eml files, mbox file or Maildir"
        )
        parser.add_argument(
            "--mailbox",
            help="support address to file everything under (default: from the recipients)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="hide the progress bar"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox = None
        if options["mailbox"]:
            mailbox = Mailbox.objects.filter(email__iexact=options["mailbox"]).first()
            if mailbox is None:
                raise CommandError(f"No mailbox with address {options['mailbox']}")
        try:
            source = open_source(options["path"])
        except (MailSourceError, OSError) as error:
            raise CommandError(str(error)) from error

        counts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        results = ingest_many(
            source.messages, source=RawEmail.Source.IMPORT, mailbox=mailbox
        )
        progress = tqdm(
            results,
            total=source.count,
            unit="msg",
            file=self.stderr,
            disable=options["no_progress"],
            desc=f"Importing {source.kind}",
        )
        for label, result in progress:
            status = (
                result.status
                if result.status in {CREATED, THREADED, DUPLICATE}
                else "rejected"
            )
            counts[status] += 1
            if status == "rejected":
                reasons[_category(result.reason)] += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"rejected {label}: {result.reason}")
        progress.close()

        for reason, number in reasons.most_common():
            self.stdout.write(f"  rejected ({reason}): {number}")
        self.stdout.write(
            f"created {counts[CREATED]}, threaded {counts[THREADED]}, "
            f"duplicates {counts[DUPLICATE]}, rejected {counts['rejected']}"
        )
