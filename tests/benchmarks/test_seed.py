from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from benchmarks.seed import RARE_WORD
from inbox.models import Conversation, Message

pytestmark = pytest.mark.django_db


def test_bench_seed_makes_conversations_with_three_messages_each(settings, tmp_path):
    settings.REPLYPAD_BENCH_DIR = tmp_path

    call_command("bench", "seed", "--conversations", "40")

    assert Conversation.objects.filter(mailbox__name__startswith="Bench").count() == 40
    assert Message.objects.filter(mailbox__name__startswith="Bench").count() == 120
    assert Message.objects.filter(visible_text__contains=RARE_WORD).exists()
    assert (
        json.loads((tmp_path / "seed.json").read_text())["figures"][
            "conversations_added"
        ]
        == 40
    )
