from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from inbox import demo
from inbox.models import Mailbox
from notes import demo as notes_demo
from review import demo as review_demo
from templates_app import demo as templates_demo

# Each app with demo data adds one call here, in dependency order.
SEEDERS = [demo.seed]
SEEDERS.append(templates_demo.seed)
SEEDERS.append(notes_demo.seed)
SEEDERS.append(review_demo.seed)


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
