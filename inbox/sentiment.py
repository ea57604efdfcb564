"""Sentiment of customer messages: a -1…1 score and a label, decided here only.

`score_customer_message` is the one scorer: ingest, `append_message`, the
rescore, the sentiment API and the empathy checker all call it with the
message's full text, so the same message always gets the same score.

VADER does the lexical work. Support mail has habits VADER was not built for,
so the text is cleaned and the score adjusted before labelling:

- quoted history (as `inbox.quotes` finds it), the signature, greetings and
  sign-offs ("Thanks, Anna") are dropped, so a polite closing does not turn a
  complaint positive;
- "please" and "help" are neutral in a support request;
- product-failure words ("outage", "unusable", "glitch") count as negative and
  "working"/"works" as positive, so VADER's own negation turns "not working"
  negative;
- persistence ("still not working"), repeat contact ("third time I write"),
  waiting without an answer, and threats to leave push the score down;
- sarcasm ("Oh great, it crashed again", "thanks for nothing") removes the
  praise word's positive weight and counts as a complaint.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from inbox.quotes import without_quotes

NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"
NEGATIVE_AT_OR_BELOW = -0.05
# Higher than VADER's 0.05: a request that happens to use a warm word
# ("attachments", "holidays") is neutral; thanks for a fix scores well above.
POSITIVE_AT_OR_ABOVE = 0.25

# Bounds the regex work on a pasted log before anything else is done.
MAX_CHARS = 20_000
# VADER is a sentence-level model and its negation check is quadratic in the
# number of words: a 5 KB email scored whole costs ~0.2 s. The tone of a
# support email is set in its opening and the tail is mostly detail (logs,
# order lines), so the first SCORED_CHARS of the customer's own words are
# scored in chunks of at most CHUNK_CHARS, averaged by length.
SCORED_CHARS = 1_000
CHUNK_CHARS = 400
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# VADER normalises its raw sum s to s / sqrt(s² + ALPHA); the same curve is used
# to add pattern weights in raw space and map back, so several complaints
# saturate towards -1 instead of overshooting.
_ALPHA = 15.0

_LEXICON_CHANGES = {
    # Polite request words: neutral in "please help, the export fails".
    "please": 0.0,
    "help": 0.3,
    "helps": 0.3,
    # Ordinary support vocabulary that VADER reads as praise.
    "support": 0.0,
    "agreement": 0.0,
    "creating": 0.0,
    "invite": 0.0,
    "number": 0.0,
    "sure": 0.0,
    "free": 0.5,
    "offline": 0.0,
    "cancel": 0.0,
    "attachment": 0.0,
    "attachments": 0.0,
    # "You promised …" is a reminder of a debt, not a compliment.
    "promised": 0.0,
    "chase": -1.0,
    "chasing": -1.0,
    # VADER slang that collides with support vocabulary: "PO number".
    "po": 0.0,
    "rip-off": -2.5,
    "ripoff": -2.5,
    "star": 1.5,
    "urgent": -0.6,
    "urgently": -0.6,
    # Product failure vocabulary missing from VADER.
    "outage": -2.0,
    "outages": -2.0,
    "bug": -1.2,
    "bugs": -1.2,
    "buggy": -1.8,
    "glitch": -1.2,
    "glitches": -1.2,
    "unusable": -2.5,
    "unreachable": -1.5,
    "unresponsive": -1.5,
    "slow": -1.0,
    "sluggish": -1.2,
    "laggy": -1.2,
    "crashes": -1.7,
    "crashed": -1.7,
    "crashing": -1.7,
    "broke": -1.5,
    "freezes": -1.5,
    "frozen": -1.0,
    "overcharged": -2.0,
    "scam": -2.5,
    "refund": -0.4,
    "chargeback": -1.5,
    "nightmare": -2.5,
    "waste": -1.8,
    "expired": -0.8,
    "disconnected": -1.0,
    "bounced": -0.8,
    "wasted": -1.8,
    # Positive outcome words, so negation ("not working") becomes negative.
    "working": 1.0,
    "works": 1.2,
    "worked": 1.2,
    "fixed": 1.5,
    "sorted": 1.2,
    "resolved": 1.2,
}

_FLAGS = re.IGNORECASE
_APOS = "['\u2019]"

# Each pattern adds its weight (raw VADER units) once per occurrence, capped.
_COMPLAINT_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, _FLAGS), weight)
    for pattern, weight in (
        # Persistence: the fix did not hold or never came.
        (
            rf"\bstill\s+(?:not|no|n{_APOS}t|isn{_APOS}t|doesn{_APOS}t|don{_APOS}t|"
            rf"can{_APOS}t|cannot|won{_APOS}t|broken|down|failing|waiting|"
            r"having|getting|seeing|the same|happening|an? (?:issue|problem|error))",
            -1.6,
        ),
        (r"\b(?:not|isn.t|doesn.t|don.t|won.t)\s+(?:fixed|resolved|solved)\b", -1.2),
        # Repeat contact.
        (
            r"\b(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th)|umpteenth|"
            r"nth|multiple|several|many)\s+(?:time|times|email|emails|message|"
            r"messages|request|requests|attempt|ticket)\b",
            -1.6,
        ),
        (
            r"\b(?:asked|written|wrote|emailed|called|contacted|told you|explained|"
            r"reported|tried)\b[\w\s]{0,20}?\b(?:two|three|four|five|six|\d+)\s+times\b",
            -1.6,
        ),
        (r"\bhow many (?:more )?times\b", -1.8),
        (r"\b(?:yet|once) again\b|\bagain and again\b|\bover and over\b", -1.2),
        (
            r"\bI(?:\s+have|\s*['\u2019]ve)?\s+already\s+(?:wrote|written|sent|told|"
            r"explained|asked|contacted|emailed|called|reported|tried)\b",
            -1.2,
        ),
        # Waiting without an answer.
        (
            r"\b(?:no\s*one|nobody)\s+(?:has\s+|have\s+|)(?:replied|responded|"
            r"answered|got(?:ten)? back|called|helped|bothered)\b",
            -1.8,
        ),
        (
            rf"\b(?:haven{_APOS}t|have not|never|didn{_APOS}t|did not)\s+"
            r"(?:heard|received|gotten|got)\s+(?:back|a reply|a response|an answer|"
            r"anything)\b",
            -1.6,
        ),
        (r"\bno (?:reply|response|answer|update)s?\b", -1.0),
        (
            r"\b(?:been\s+)?waiting\s+(?:for\s+)?(?:over\s+|more than\s+)?"
            r"(?:\d+|a|an|two|three|four|five|several|many)\s+"
            r"(?:minutes|hours?|days?|weeks?|months?)\b",
            -1.4,
        ),
        # Money taken, or the customer about to leave.
        (r"\b(?:charged|billed)\s+(?:me\s+|us\s+)?(?:twice|double|two times)\b", -1.6),
        (r"\bdouble[- ](?:charged|billed)\b", -1.6),
        (
            r"\b(?:cancel|cancelling|canceling|close)\s+(?:my|our)\s+"
            r"(?:subscription|account|plan|contract|order)\b",
            -1.2,
        ),
        (
            r"\b(?:switch|switching|move|moving)\s+to\s+(?:a\s+|another\s+)?"
            r"(?:competitor|another (?:provider|service|tool))\b",
            -1.5,
        ),
        (r"\b(?:lawyer|legal action|small claims|report you)\b", -2.0),
        (r"\bthis is (?:a )?(?:joke|joking|farce|disgrace)\b", -2.0),
        (r"\bfed up\b|\bsick and tired\b|\bhad enough\b|\bgive up\b", -1.8),
        (r"\b(?:can.t|cannot|unable to)\s+(?:log ?in|sign ?in|access|login)\b", -1.0),
        (r"\blocked out\b", -1.2),
        (r"\b(?:was|were|been|you|you've|you have)\s+promised\b", -1.2),
        (r"\bnever\s+(?:got|received|heard|arrived|came|showed|answered)\b", -1.5),
        (
            r"\bwhy\s+(?:do|does|did|must|should)\s+(?:I|we)\s+(?:have|need)\s+to\b",
            -1.5,
        ),
        (r"\b(?:is|are|was|were|went|goes|been|keeps going)\s+down\b", -1.5),
        (r"\bon hold\b", -1.2),
        (
            r"\b(?:no\s*one|nobody)\s+(?:told|informed|warned|notified|mentioned)\b",
            -1.5,
        ),
        (r"\b(?:can.t|cannot|couldn.t|doesn.t|don.t|won.t)\s+even\b", -1.5),
        (r"\bonly took\s+(?:\w+\s+)?(?:hours|days|weeks|months)\b", -1.5),
        (r"\bevery (?:single )?time\b", -0.8),
        (r"\b(?:no\s*one|nobody)\s+(?:seems\s+to\s+|even\s+)?cares?\b", -3.0),
        (
            r"\b(?:deleted|deleting|lost|losing|wiped|erased|ignored|ignoring)\s+"
            r"(?:all\s+)?(?:of\s+)?(?:my|our|me|us)\b",
            -1.4,
        ),
        (
            rf"\b(?:doesn{_APOS}t|does not|don{_APOS}t|do not|won{_APOS}t|will not|"
            rf"isn{_APOS}t|is not|can{_APOS}t|cannot)\s+(?:even\s+|really\s+|ever\s+)?"
            r"(?:load|open|start|sync|"
            r"save|send|connect|respond|print|upload|download|arrive)\b",
            -1.0,
        ),
    )
)

# Three or more words in capitals: the customer is shouting.
_SHOUTING = re.compile(r"\b[A-Z]{2,}[!?.,]*(?:\s+[A-Z]{2,}[!?.,]*){2,}")
_SHOUTING_WEIGHT = -1.2

# Phrases that are sarcastic on their own.
_ALWAYS_SARCASTIC = re.compile(
    r"\bthanks? (?:you )?for nothing\b|\byeah,? right\b|\bsurprise,? surprise\b|"
    r"\bwhat a (?:joke|surprise)\b|\bbig surprise\b|\bslow clap\b|(?:^|\s)/s\b|"
    r"\b(?:great|fantastic|wonderful|brilliant|perfect|lovely|awesome|super)"
    r"\s*[,.!\u2026]+\s*(?:yet\s+)?another\b|\bjust wow\b|"
    # Scare quotes around praise: thanks for the 'quick' reply.
    r"['\"\u2018\u201c](?:quick|fast|prompt|helpful|great|fix|fixed|support|service|"
    r"solution|help)['\"\u2019\u201d]",
    _FLAGS,
)

# Praise that is sarcastic when the rest of the message complains:
# "Oh great, it crashed again", "Thanks a lot for deleting my data".
_PRAISE_MARKERS = re.compile(
    r"\b(?:oh|wow|just|really|so|how)\s*,?\s+(?:great|wonderful|fantastic|"
    r"brilliant|perfect|lovely|awesome|nice|helpful|marvell?ous|amazing|"
    r"convenient)\b|"
    r"^\s*(?:great|wonderful|fantastic|brilliant|perfect|lovely|awesome|nice)"
    r"\s*[,.!…]+|"
    r"\b(?:great|wonderful|fantastic|brilliant|amazing) (?:job|work|service)\b|"
    r"\bthanks? (?:you )?(?:a lot|so much|very much)\b|"
    r"\b(?:love|loving|just love) (?:how|that|it when|the way|waiting|being)\b|"
    r"\bkeep up the (?:good|great) work\b",
    _FLAGS | re.MULTILINE,
)
_SARCASM_WEIGHT = -1.5

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b"
    r"[^\n]{0,40}[,!:]?\s*$",
    _FLAGS,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks?(?: you)?(?: (?:very|so) much)?(?: in advance)?|many thanks|"
    r"thx|ty|cheers|regards|best(?: regards| wishes)?|kind regards|warm regards|"
    r"sincerely|yours(?: truly| sincerely)?|br|all the best|sent from my \w+)"
    r"[\s,.!]*$",
    _FLAGS,
)


@dataclass(frozen=True)
class Sentiment:
    score: float
    label: str


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    for word, valence in _LEXICON_CHANGES.items():
        if valence:
            analyzer.lexicon[word] = valence
        else:
            # Removed, not zeroed: VADER pushes an all-caps lexicon word away
            # from zero, so a zero "PO" or "PLEASE" would turn negative.
            analyzer.lexicon.pop(word, None)
    return analyzer


def own_words(text: str) -> str:
    """The customer's own words: no quoted history, signature, greeting or sign-off."""
    text = without_quotes(text[:MAX_CHARS].replace("\r\n", "\n"))
    signature = re.search(r"^-- ?$", text, re.MULTILINE)
    if signature:
        text = text[: signature.start()]
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 1 and _GREETING.match(lines[0]):
        lines = lines[1:]
    # A sign-off line, optionally followed by a short name line.
    for _ in range(2):
        if len(lines) > 1 and _SIGN_OFF.match(lines[-1]):
            lines = lines[:-1]
        elif (
            len(lines) > 2
            and len(lines[-1].split()) <= 3
            and _SIGN_OFF.match(lines[-2])
        ):
            lines = lines[:-2]
    return "\n".join(lines)


def sentiment_label(score: float) -> str:
    """The label for a score; the only place the thresholds are compared."""
    if score <= NEGATIVE_AT_OR_BELOW:
        return NEGATIVE
    if score >= POSITIVE_AT_OR_ABOVE:
        return POSITIVE
    return NEUTRAL


def is_upset(score: float | None) -> bool:
    """Whether a stored score reads as an unhappy customer; unscored is not upset."""
    return score is not None and sentiment_label(score) == NEGATIVE


def score_customer_message(text: str) -> Sentiment:
    """Score a customer message's full text from -1 (angry) to 1 (delighted).

    Deterministic and offline. Quoted history is removed here, so callers pass
    `Message.text`; a message with no words of its own is neutral 0.0.
    """
    words = own_words(text or "")[:SCORED_CHARS]
    chunks = _chunks(words)
    total = sum(len(chunk) for chunk in chunks)
    if not total:
        return Sentiment(0.0, NEUTRAL)
    score = round(sum(_score(chunk) * len(chunk) for chunk in chunks) / total, 4)
    return Sentiment(score, sentiment_label(score))


def _chunks(words: str) -> list[str]:
    if len(words) <= CHUNK_CHARS:
        return [words] if words.strip() else []
    chunks: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(words):
        if current and len(current) + len(sentence) > CHUNK_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    chunks.append(current)
    return chunks


def _to_raw(compound: float) -> float:
    compound = max(-0.9999, min(0.9999, compound))
    return compound * math.sqrt(_ALPHA) / math.sqrt(1 - compound * compound)


def _from_raw(raw: float) -> float:
    return raw / math.sqrt(raw * raw + _ALPHA)


# "I would like to" is a request, not a liking.
_WOULD_LIKE = re.compile(rf"\b(?:would|{_APOS}d)\s+like\s+to\b", _FLAGS)


def _score(chunk: str) -> float:
    body = _WOULD_LIKE.sub(" intend to", chunk)
    complaint = 0.0
    for pattern, weight in _COMPLAINT_PATTERNS:
        hits = len(pattern.findall(body))
        complaint += weight * min(hits, 2)
    if _SHOUTING.search(body):
        complaint += _SHOUTING_WEIGHT

    always = _ALWAYS_SARCASTIC.findall(body)
    stripped = _ALWAYS_SARCASTIC.sub(" ", body)
    analyzer = _analyzer()
    compound = analyzer.polarity_scores(stripped)["compound"]
    sarcasm = _SARCASM_WEIGHT * len(always)
    if _PRAISE_MARKERS.search(stripped):
        without_praise = _PRAISE_MARKERS.sub(" ", stripped)
        rest = analyzer.polarity_scores(without_praise)
        # Praise with a complaint, or praise whose removal leaves a negative
        # message, is sarcastic.
        if complaint < 0 or sentiment_label(rest["compound"]) == NEGATIVE:
            compound = rest["compound"]
            sarcasm += _SARCASM_WEIGHT

    raw = _to_raw(compound) + complaint + sarcasm
    return _from_raw(raw)
