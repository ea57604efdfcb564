"""Make sure inbound and tracking webhooks have a secret, and print their URLs.

`make run` calls this: without `ANYMAIL_WEBHOOK_SECRET`, a random `user:password`
is generated once into the var dir, so a local copy never takes unsigned posts.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Generate a webhook secret into the var dir if none is set, and print the URLs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        secret = settings.ANYMAIL.get("WEBHOOK_SECRET", "")
        if not secret:
            secret = f"replypad:{secrets.token_urlsafe(24)}"
            path = settings.WEBHOOK_SECRET_FILE
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secret)
            path.chmod(0o600)
        scheme, _, host = base_url.partition("://")
        self.stdout.write(
            f"  Webhooks: {scheme}://{secret}@{host}/anymail/<esp>/inbound/ "
            "(and .../tracking/)"
        )
