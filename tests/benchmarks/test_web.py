from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from benchmarks.seed import RARE_WORD

pytestmark = pytest.mark.django_db


def test_bench_web_times_every_page_and_counts_queries(settings, tmp_path):
    settings.REPLYPAD_BENCH_DIR = tmp_path
    # About 60 open conversations: a second page of the API list for certain.
    call_command("bench", "seed", "--conversations", "600")

    call_command("bench", "web", "--repeat", "2", "--page", "2")

    figures = json.loads((tmp_path / "web.json").read_text())["figures"]
    for name in [
        "list_page_1",
        "list_page_2_keyset",
        "conversation_page",
        f"search_rare_{RARE_WORD}",
        "api_list_page_1",
        "api_list_page_2",
    ]:
        assert figures[name]["queries"] <= 10
        assert figures[name]["p95_ms"] > 0
    assert (
        figures["api_list_page_2"]["queries"] <= figures["api_list_page_1"]["queries"]
    )
    assert figures["plans"]["page"]
    assert figures["same_plan"] is True
