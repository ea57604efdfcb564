"""`manage.py bench empathy`: checker and sentiment speed, and evaluation scores.

Budget: the checker answers a 5,000-word reply in 20 ms (p95), so the
composer can check on every pause in typing.
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.registry import measure
from empathy.checker import CheckContext, check_reply
from empathy.evaluation import (
    evaluate_checker,
    evaluate_sentiment,
    load_customer_messages,
    load_replies,
    micro,
)
from inbox.sentiment import score_customer_message

CHECKER_BUDGET_MS = 20.0


def long_reply(words: int) -> str:
    """A reply of about `words` words built from the labelled replies."""
    texts = [row["text"] for row in load_replies()]
    parts: list[str] = []
    count = 0
    while count < words:
        for text in texts:
            parts.append(text)
            count += len(text.split())
            if count >= words:
                break
    return "\n\n".join(parts)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=50)


def run(options: argparse.Namespace, stdout: Any = None) -> dict[str, Any]:
    context = CheckContext(
        customer_name="Anna Example",
        customer_first_name="Anna",
        last_customer_message="Still not working, this is the third time I write.",
        last_customer_sentiment=-0.7,
    )
    big = long_reply(options.words)
    typical = load_replies()[0]["text"]
    customer = "Still not working. This is the third time I write to you!\n\nAnna"
    figures: dict[str, Any] = {
        f"checker_{options.words}_words": measure(
            lambda: check_reply(big, context), repeat=options.repeat
        ),
        "checker_typical_reply": measure(
            lambda: check_reply(typical, context), repeat=options.repeat
        ),
        f"sentiment_{options.words}_words": measure(
            lambda: score_customer_message(big), repeat=max(5, options.repeat // 5)
        ),
        "sentiment_typical_message": measure(
            lambda: score_customer_message(customer), repeat=options.repeat
        ),
    }
    big_p95 = figures[f"checker_{options.words}_words"]["p95_ms"]
    figures["checker_budget"] = {
        "words": len(big.split()),
        "budget_ms": CHECKER_BUDGET_MS,
        "p95_ms": big_p95,
        "within_budget": big_p95 <= CHECKER_BUDGET_MS,
    }
    for name, holdout in (("evaluation", False), ("holdout", True)):
        checker_scores = evaluate_checker(load_replies(holdout=holdout))
        pooled = micro(checker_scores)
        figures[f"checker_{name}"] = {
            "replies": len(load_replies(holdout=holdout)),
            "rules": len(checker_scores),
            "precision": round(pooled.precision, 3),
            "recall": round(pooled.recall, 3),
            "min_rule_precision": round(
                min(s.precision for s in checker_scores.values()), 3
            ),
            "min_rule_recall": round(min(s.recall for s in checker_scores.values()), 3),
        }
        sentiment_scores = evaluate_sentiment(load_customer_messages(holdout=holdout))
        figures[f"sentiment_{name}"] = {
            "messages": sentiment_scores["accuracy"].support,
            "accuracy": round(sentiment_scores["accuracy"].precision, 3),
            **{
                f"{label}_recall": round(sentiment_scores[label].recall, 3)
                for label in ("negative", "neutral", "positive")
            },
        }
    return figures
