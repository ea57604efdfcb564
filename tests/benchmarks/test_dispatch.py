from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from inbox.models import Conversation


@pytest.mark.django_db(transaction=True)
def test_bench_dispatch_drains_every_send_once_and_cleans_up(settings, tmp_path):
    settings.REPLYPAD_BENCH_DIR = tmp_path

    call_command("bench", "dispatch", "--sends", "30", "--workers", "2")

    figures = json.loads((tmp_path / "dispatch.json").read_text())["figures"]
    assert (figures["duplicates"], figures["lost"]) == (0, 0)
    assert sum(figures["sent_per_worker"]) == 30
    assert not Conversation.objects.filter(
        mailbox__email="dispatch@bench.test"
    ).exists()
