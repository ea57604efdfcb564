"""Offline sentiment of customer messages: a -1…1 score and a label."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05


@dataclass(frozen=True)
class Sentiment:
    score: float
    label: str


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def score_text(text: str) -> Sentiment:
    score = round(_analyzer().polarity_scores(text[:20_000])["compound"], 4)
    if score <= NEGATIVE_BELOW:
        return Sentiment(score, "negative")
    if score >= POSITIVE_ABOVE:
        return Sentiment(score, "positive")
    return Sentiment(score, "neutral")
