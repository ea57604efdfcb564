from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from benchmarks.empathy import long_reply


def test_the_long_reply_has_the_words_asked_for():
    text = long_reply(5000)

    assert 5000 <= len(text.split()) < 5200


@pytest.mark.django_db
def test_bench_empathy_writes_figures_and_judges_the_checker_budget(settings, tmp_path):
    settings.REPLYPAD_BENCH_DIR = tmp_path

    call_command("bench", "empathy", "--repeat", "20")

    result = json.loads((tmp_path / "empathy.json").read_text())
    figures = result["figures"]
    assert result["benchmark"] == "empathy"
    assert figures["checker_budget"]["words"] >= 5000
    # Timing is judged by `bench empathy` on a quiet machine, not by the suite.
    budget = figures["checker_budget"]
    assert budget["within_budget"] == (budget["p95_ms"] <= budget["budget_ms"])
    assert figures["checker_5000_words"]["queries"] == 0
    assert figures["checker_holdout"]["replies"] >= 40
