from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from demo import inbox as inbox_demo
from demo import notes as notes_demo
from demo import review as review_demo
from demo import scheduler as scheduler_demo
from demo import templates as templates_demo
from inbox.models import Mailbox

# One seeder per app with demo data, in dependency order.
SEEDERS = [
    inbox_demo.seed,
    templates_demo.seed,
    notes_demo.seed,
    review_demo.seed,
    scheduler_demo.seed,
]


class Command(BaseCommand):
    help = "Create realistic demo data once (running it again changes nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only seed a database that has no mailbox yet (used by `make run`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Mailbox.objects.exists():
            return
        for seeder in SEEDERS:
            result = seeder()
            self.stdout.write(f"{seeder.__module__}: {result}")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo logins (password 'replypad'): admin, lead, agent, agent2"
            )
        )
