"""Score inbound messages again, e.g. after the sentiment rules changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from empathy import services
from empathy.tasks import rescore_sentiment_task
from inbox.models import Mailbox, Message


class Command(BaseCommand):
    help = "Re-score the sentiment of inbound messages and refresh conversations."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--mailbox", type=int, help="only this mailbox id")
        parser.add_argument("--batch-size", type=int, default=services.RESCORE_BATCH)
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue it for a Celery worker instead of running here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox_id = options["mailbox"]
        if (
            mailbox_id is not None
            and not Mailbox.objects.filter(pk=mailbox_id).exists()
        ):
            raise CommandError(f"No mailbox with id {mailbox_id}")
        if options["background"]:
            result = rescore_sentiment_task.delay(mailbox_id)
            self.stdout.write(f"queued as task {result.id}")
            return
        inbound = Message.objects.filter(kind=Message.Kind.INBOUND)
        if mailbox_id is not None:
            inbound = inbound.filter(mailbox_id=mailbox_id)
        with tqdm(
            total=inbound.count(), unit="msg", file=self.stderr, disable=None
        ) as bar:
            total = services.rescore_sentiment(
                mailbox_id=mailbox_id,
                batch_size=options["batch_size"],
                progress=bar.update,
            )
        self.stdout.write(f"rescored {total}")
