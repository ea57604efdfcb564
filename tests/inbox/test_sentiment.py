from __future__ import annotations

import pytest

from inbox.sentiment import (
    NEGATIVE_AT_OR_BELOW,
    POSITIVE_AT_OR_ABOVE,
    Sentiment,
    is_upset,
    own_words,
    score_customer_message,
    sentiment_label,
)


@pytest.mark.parametrize(
    "text",
    [
        "Still not working. This is the third time I write to you.",
        "I have been waiting 5 days and nobody has replied.",
        "How many times do I have to explain this?",
        "Great, another outage. Thanks a lot.",
        "Oh wonderful, the app crashed again and I lost my work. Just great.",
        "Thanks for nothing.",
        "Keep up the great work, the site is down again.",
        "My invoice is wrong, please fix.\n\nThanks,\nMarta",
        "Thanks for the 'quick' reply, only took eleven days.",
        "I have written to you four times. Four.",
        "PLEASE FIX THE EXPORT",
    ],
    ids=["still-not-working", "waiting-no-reply", "how-many-times", "sarcastic-great",
         "sarcastic-wonderful", "thanks-for-nothing", "sarcastic-praise",
         "complaint-with-polite-sign-off", "scare-quotes", "four-times",
         "all-caps"],
)  # fmt: skip
def test_support_mail_complaints_are_negative(text):
    sentiment = score_customer_message(text)

    assert sentiment.label == "negative"
    assert sentiment.score <= -0.05


@pytest.mark.parametrize(
    "text",
    [
        "Hi,\nhow do I export my data?\nThanks!\nAnna",
        "I would like to add two more users to our account.",
        "Please confirm the order number is 44812.",
        "Do you support single sign-on with Okta?",
        "Can I get an invoice with our PO number on it?",
    ],
    ids=[
        "question-with-thanks",
        "would-like",
        "please-confirm",
        "support-word",
        "capitalised-zero-word",
    ],
)
def test_plain_requests_are_neutral(text):
    sentiment = score_customer_message(text)

    assert sentiment.label == "neutral"


@pytest.mark.parametrize(
    "text",
    ["Thank you so much, that fixed it!", "It works now, thanks a lot!",
     "Brilliant, the export works perfectly now."],
    ids=["fixed-it", "works-now", "brilliant"],
)  # fmt: skip
def test_thanks_for_a_fix_is_positive(text):
    sentiment = score_customer_message(text)

    assert sentiment.label == "positive"


def test_the_score_is_between_minus_one_and_one_and_rounded():
    sentiment = score_customer_message(
        "NOTHING WORKS!!! Worst service ever, third time, " * 50
    )

    assert isinstance(sentiment, Sentiment)
    assert -1 <= sentiment.score <= 1
    assert sentiment.score == round(sentiment.score, 4)


def test_empty_text_is_neutral_zero():
    sentiment = score_customer_message("")

    assert sentiment == Sentiment(0.0, "neutral")


def test_quoted_history_does_not_colour_the_score():
    text = (
        "I am unable to login since yesterday.\n\nOn Mon, 3 Mar 2025, Support wrote:\n"
        "> Great news, it's fixed! We are happy to help!"
    )

    sentiment = score_customer_message(text)

    assert sentiment.label == "negative"


def test_own_words_drop_greeting_sign_off_and_name():
    text = "Hello,\n\nWhere is the agreement?\n\nBest regards,\nLukas"

    body = own_words(text)

    assert body == "Where is the agreement?"


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (-1.0, "negative"),
        (NEGATIVE_AT_OR_BELOW, "negative"),
        (NEGATIVE_AT_OR_BELOW + 0.0001, "neutral"),
        (0.0, "neutral"),
        (POSITIVE_AT_OR_ABOVE - 0.0001, "neutral"),
        (POSITIVE_AT_OR_ABOVE, "positive"),
        (1.0, "positive"),
    ],
    ids=["minus-one", "negative-threshold", "just-above-negative", "zero",
         "just-below-positive", "positive-threshold", "one"],
)  # fmt: skip
def test_labels_change_exactly_at_the_thresholds(score, label):
    assert sentiment_label(score) == label


@pytest.mark.parametrize(
    ("score", "upset"),
    [(None, False), (NEGATIVE_AT_OR_BELOW, True), (0.0, False)],
    ids=["unscored", "negative", "neutral"],
)
def test_a_customer_is_upset_exactly_when_the_score_is_labelled_negative(score, upset):
    assert is_upset(score) is upset


def test_long_messages_are_scored_from_their_opening():
    opening = "I am really angry and disappointed, this is terrible service. " * 10
    text = opening + "Log line 42: ok. " * 2000

    sentiment = score_customer_message(text)

    assert sentiment.label == "negative"


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 3 Mar 2025, Support wrote:\n> Great news, it's fixed! Happy to help!",
        "From: Support <support@acme.test>\nSent: Monday\n\n"
        "Great news, it's fixed! We are so happy to help!",
        "Le lun. 3 mars 2025, Support a écrit :\n> Great news, it's fixed!",
    ],
    ids=["gmail", "outlook-header-block", "french"],
)
def test_quoted_history_is_cut_the_same_way_as_in_the_thread_view(history):
    own = "Still not working. This is the third time I write."

    sentiment = score_customer_message(f"{own}\n\n{history}")

    assert sentiment == score_customer_message(own)
