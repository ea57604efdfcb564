from __future__ import annotations

from empathy.evaluation import (
    checker_mismatches,
    evaluate_checker,
    evaluate_sentiment,
    load_customer_messages,
    load_replies,
    micro,
    sentiment_confusion,
)

CHECKER_MIN_PRECISION = 0.9
CHECKER_MIN_RECALL = 0.9
SENTIMENT_MIN_ACCURACY = 0.9
NEGATIVE_MIN_RECALL = 0.9


def test_the_evaluation_sets_are_big_enough_and_labelled():
    replies = load_replies()
    messages = load_customer_messages()

    assert len(replies) >= 150
    assert len(messages) >= 100
    assert {row["label"] for row in messages} == {"negative", "neutral", "positive"}
    assert all(isinstance(row["expect"], list) for row in replies)


def test_every_checker_rule_meets_its_precision_and_recall_target():
    scores = evaluate_checker()

    print("\nrule                 support  precision  recall")  # noqa: T201
    for rule, score in scores.items():
        print(  # noqa: T201
            f"{rule:<20} {score.support:>7}  {score.precision:>9.3f}  {score.recall:>6.3f}"
        )
    print("\n".join(checker_mismatches()))  # noqa: T201
    assert len(scores) >= 15
    assert {
        r: s.precision for r, s in scores.items() if s.precision < CHECKER_MIN_PRECISION
    } == {}
    assert {
        r: s.recall for r, s in scores.items() if s.recall < CHECKER_MIN_RECALL
    } == {}


def test_sentiment_meets_its_accuracy_and_negative_recall_targets():
    scores = evaluate_sentiment()

    print("\nlabel      support  precision  recall")  # noqa: T201
    for label in ("negative", "neutral", "positive"):
        score = scores[label]
        print(  # noqa: T201
            f"{label:<10} {score.support:>7}  {score.precision:>9.3f}  {score.recall:>6.3f}"
        )
    print(f"accuracy {scores['accuracy'].precision:.3f}")  # noqa: T201
    print(dict(sentiment_confusion()))  # noqa: T201
    assert scores["accuracy"].precision >= SENTIMENT_MIN_ACCURACY
    assert scores["negative"].recall >= NEGATIVE_MIN_RECALL


HOLDOUT_CHECKER_MIN = 0.9
HOLDOUT_SENTIMENT_MIN_ACCURACY = 0.85


def test_the_checker_holds_up_on_the_holdout_replies():
    rows = load_replies(holdout=True)

    pooled = micro(evaluate_checker(rows))

    print(  # noqa: T201
        f"\nholdout: {len(rows)} replies, precision {pooled.precision:.3f}, "
        f"recall {pooled.recall:.3f}"
    )
    print("\n".join(checker_mismatches(rows)))  # noqa: T201
    assert pooled.precision >= HOLDOUT_CHECKER_MIN
    assert pooled.recall >= HOLDOUT_CHECKER_MIN


def test_sentiment_holds_up_on_the_holdout_messages():
    rows = load_customer_messages(holdout=True)

    scores = evaluate_sentiment(rows)

    accuracy = scores["accuracy"].precision
    print(f"\nholdout: {len(rows)} messages, accuracy {accuracy:.3f}")  # noqa: T201
    assert accuracy >= HOLDOUT_SENTIMENT_MIN_ACCURACY
