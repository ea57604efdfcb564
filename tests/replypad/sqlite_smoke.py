"""Run by test_embedded_default in a subprocess: `make run`'s SQLite setup end to end.

Migrates a fresh SQLite database, seeds the demo and fetches the main pages as
the demo agent; prints one line per page with its status code.
"""

from __future__ import annotations

import io
import os

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "replypad.settings"
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from inbox.models import Conversation  # noqa: E402

call_command("migrate", verbosity=0)
call_command("seed_demo", "--if-empty", stdout=io.StringIO())
client = Client()
assert client.login(username="agent", password="replypad")
conversation = Conversation.objects.filter(mailbox__email="support@acme.test").first()
for url in [
    "/",
    "/?q=dashboard",
    "/?status=resolved&sort=oldest",
    f"/conversations/{conversation.pk}/",
    "/templates/",
    "/outbox/",
    "/healthz",
]:
    print(client.get(url).status_code, url)  # noqa: T201
