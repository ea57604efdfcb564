"""The empathy checker: findings on a reply before it goes out.

`check_reply(text, context)` is pure, deterministic and offline. It applies
two kinds of rules:

- phrase rules ("Please calm down", "as I already said", "as soon as
  possible"): admin-editable lists per mailbox and language, each finding on
  the exact phrase with a rewrite;
- structure rules, from the seed articles' recipe for a de-escalating reply:
  acknowledge the feeling and apologise when the customer is upset, give a
  next step with a time, name who owns it, address the customer by name,
  invite them back when resolving, and do not shout.

A finding with `start == end` marks a place to insert its suggestion.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import accumulate

from empathy import defaults
from inbox.quotes import quoted_spans
from inbox.sentiment import is_upset, score_customer_message

BLOCKER = "blocker"
WARNING = "warning"
TIP = "tip"
SEVERITY_ORDER = {BLOCKER: 0, WARNING: 1, TIP: 2}

AVOID = "avoid"
SIGNAL = "signal"

# Structure rules: keys are stable (API, evaluation set, signal phrases).
ACKNOWLEDGE = "acknowledge"
APOLOGY = "apology"
NEXT_STEP = "next-step"
NAMED_OWNER = "named-owner"
GREETING_NAME = "greeting-name"
CHECK_BACK = "check-back"
SHOUTING = "shouting"
STRUCTURE_RULES = (
    ACKNOWLEDGE,
    APOLOGY,
    NEXT_STEP,
    NAMED_OWNER,
    GREETING_NAME,
    CHECK_BACK,
    SHOUTING,
)

MAX_CHARS = 100_000
_MAX_VARIANTS = 256


class PhraseSyntaxError(ValueError):
    """A phrase rule that cannot be compiled; the message says why."""


@dataclass(frozen=True)
class PhraseRule:
    rule: str
    phrase: str
    severity: str = WARNING
    message: str = ""
    suggestion: str = ""
    kind: str = AVOID
    language: str = "en"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    start: int
    end: int
    message: str
    suggestion: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _default_rules() -> tuple[PhraseRule, ...]:
    return tuple(
        PhraseRule(
            rule=rule,
            phrase=phrase,
            severity=defaults.SEVERITIES[rule],
            message=defaults.MESSAGES[rule],
            suggestion=suggestion,
        )
        for rule, phrase, suggestion in defaults.PHRASES
    )


DEFAULT_RULES = _default_rules()


@dataclass(frozen=True)
class CheckContext:
    customer_name: str = ""
    customer_first_name: str = ""
    last_customer_message: str = ""
    # -1…1 as stored on the inbound message; None scores the text above.
    last_customer_sentiment: float | None = None
    resolves: bool = False
    phrase_rules: tuple[PhraseRule, ...] = field(default=DEFAULT_RULES)
    language: str = "en"


# --- phrase compilation ---------------------------------------------------

_GROUP = re.compile(r"\(([^()]*)\)")
_WORD_SPLIT = re.compile(r"(\w+)")
_NEXT_WORD = re.compile(r"\W{0,3}?(\w+)")
_FOLLOWED_BY = re.compile(r"\[([^\[\]]+)\]$")
_WORD = re.compile(r"\w+")


def expand_phrase(phrase: str) -> list[str]:
    """All plain variants of a phrase with `(a|b|)` groups."""
    phrase = " ".join(phrase.split())
    follower = _FOLLOWED_BY.search(phrase)
    suffix = ""
    if follower:
        suffix = " " + follower.group()
        phrase = phrase[: follower.start()].rstrip()
    if "[" in phrase or "]" in phrase:
        raise PhraseSyntaxError("A [a|b] group can only end the phrase.")
    if phrase.count("(") != phrase.count(")"):
        raise PhraseSyntaxError("Unbalanced parentheses.")
    parts = _GROUP.split(phrase)
    if any("(" in part or ")" in part for part in parts[::2]):
        raise PhraseSyntaxError("Groups cannot be nested.")
    choices = [
        [part] if i % 2 == 0 else part.split("|") for i, part in enumerate(parts)
    ]
    count = 1
    for options in choices:
        count *= len(options)
    if count > _MAX_VARIANTS:
        raise PhraseSyntaxError(
            f"Too many variants ({count}; at most {_MAX_VARIANTS})."
        )
    variants = []
    for combo in itertools.product(*choices):
        variant = " ".join("".join(combo).split())
        if variant and variant + suffix not in variants:
            variants.append(variant + suffix)
    if not variants:
        raise PhraseSyntaxError("The phrase is empty.")
    for variant in variants:
        words = variant.removeprefix("^ ")
        if not _WORD.match(words) or words.startswith("*") or "^" in words:
            raise PhraseSyntaxError(
                f'"{variant}" must start with a word (not "*" or punctuation).'
            )
    return variants


def _variant_regex(variant: str) -> str:
    follower = _FOLLOWED_BY.search(variant)
    lookahead = ""
    if follower:
        options = [_variant_regex(o.strip()) for o in follower.group(1).split("|")]
        lookahead = r"(?=\s+(?:" + "|".join(o for o in options if o) + "))"
        variant = variant[: follower.start()].rstrip()
    pieces = []
    for word in variant.removeprefix("^ ").split(" "):
        if word == "*":
            pieces.append(r"[\w'\u2019-]+")
        else:
            escaped = re.escape(word.replace("\u2019", "'"))
            pieces.append(escaped.replace("'", "['\u2019]"))
    body = r"\s+".join(pieces)
    tail = r"(?!\w)" if re.search(r"\w$", variant) else ""
    return body + tail + lookahead


@dataclass(frozen=True)
class _Compiled:
    # First word (lower case) → one alternation of every phrase starting with
    # it, longest first, one named group per phrase; then the rules by group.
    # Phrases that must start a sentence get their own alternation.
    index: dict[str, re.Pattern[str]]
    anchored: dict[str, re.Pattern[str]]
    rules: dict[str, PhraseRule]
    # Every first word: other words cost one set lookup.
    heads: frozenset[str]


def validate_phrase(phrase: str) -> None:
    """Raise PhraseSyntaxError if the phrase cannot be used as a rule."""
    for variant in expand_phrase(phrase):
        re.compile(_variant_regex(variant))


def _index_key(words: str) -> str:
    """First two words ("i m" for "I'm …"), or one when the second is `*`."""
    tokens = words.split(" ")
    first = _WORD.findall(tokens[0].lower())
    if len(first) >= 2:
        return " ".join(first[:2])
    if len(tokens) > 1 and tokens[1] != "*" and not tokens[1].startswith("["):
        second = _WORD.findall(tokens[1].lower())
        if second:
            return f"{first[0]} {second[0]}"
    return first[0]


@lru_cache(maxsize=64)
def _compile(rules: tuple[PhraseRule, ...]) -> _Compiled:
    entries: list[tuple[int, str, str, PhraseRule, bool]] = []
    for rule in rules:
        try:
            variants = expand_phrase(rule.phrase)
        except PhraseSyntaxError:
            continue
        for variant in variants:
            anchored = variant.startswith("^ ")
            words = variant.removeprefix("^ ")
            if not _WORD.match(words):
                continue
            regex = _variant_regex(variant)
            entries.append((len(words), _index_key(words), regex, rule, anchored))
    entries.sort(key=lambda entry: -entry[0])
    grouped: dict[tuple[str, bool], list[str]] = {}
    by_group: dict[str, PhraseRule] = {}
    for number, (_length, key, regex, rule, anchored) in enumerate(entries):
        group = f"p{number}"
        by_group[group] = rule
        grouped.setdefault((key, anchored), []).append(f"(?P<{group}>{regex})")
    index: dict[str, re.Pattern[str]] = {}
    starts: dict[str, re.Pattern[str]] = {}
    for (key, anchored), branches in grouped.items():
        target = starts if anchored else index
        target[key] = re.compile("|".join(branches), re.IGNORECASE)
    heads = frozenset(key.split(" ")[0] for key in [*index, *starts])
    return _Compiled(index=index, anchored=starts, rules=by_group, heads=heads)


def _at_sentence_start(scan: str, position: int) -> bool:
    before = scan[max(0, position - 40) : position].rstrip(" \t\"'\u201c(")
    return not before or before[-1] in ".!?:;\n"


def _phrase_matches(
    scan: str, compiled: _Compiled
) -> list[tuple[int, int, PhraseRule]]:
    """Non-overlapping phrase hits, left to right, the longest at each word.

    A word that starts no phrase costs one set lookup; one that does looks up
    the phrases keyed by itself and by itself plus the next word.
    """
    matches: list[tuple[int, int, PhraseRule]] = []
    index, anchored, rules = compiled.index, compiled.anchored, compiled.rules
    heads = compiled.heads
    if not heads:
        return matches
    # Lower-case word by word: lower-casing the whole text can change its
    # length and so the offsets.
    # [gap, word, gap, word, …, gap]; running lengths give each word's offset.
    parts = _WORD_SPLIT.split(scan)
    lows = list(map(str.lower, parts[1::2]))
    offsets: list[int] = []
    position = 0
    for i, low in enumerate(lows):
        if low not in heads:
            continue
        if not offsets:
            offsets = list(accumulate(map(len, parts), initial=0))
        start = offsets[2 * i + 1]
        if start < position:
            continue
        pair = f"{low} {lows[i + 1]}" if i + 1 < len(lows) else low
        found = None
        for table, needs_start in ((index, False), (anchored, True)):
            for key in (pair, low):
                pattern = table.get(key)
                if pattern is None:
                    continue
                if needs_start and not _at_sentence_start(scan, start):
                    continue
                hit = pattern.match(scan, start)
                if hit and (found is None or hit.end() > found.end()):
                    found = hit
        if found is not None:
            matches.append((start, found.end(), rules[found.lastgroup or ""]))
            position = found.end()
    return matches


# --- English structure detectors ------------------------------------------

_F = re.IGNORECASE
_A = "['\u2019]"

_ACKNOWLEDGE = re.compile(
    r"\bI\s+(?:completely\s+|totally\s+|fully\s+|really\s+|can\s+|do\s+)?"
    r"(?:understand|see|imagine|reali[sz]e|appreciate|hear\s+you|get\s+(?:it|why|that)"
    r"|know\s+how)\b"
    rf"|\bI{_A}d\s+(?:feel|be)\s+(?:the\s+same|frustrated|upset|annoyed)"
    r"|\bI\s+would\s+(?:feel|be)\s+(?:the\s+same|frustrated|upset|annoyed)"
    r"|\bwhat\s+I\s+understand\b"
    # Thanks for reporting counts; thanks for writing is only politeness.
    r"|\bthank(?:s|\s+you)\s+(?:so\s+much\s+|very\s+much\s+)?for\s+(?:bringing|letting|"
    r"flagging|reporting|raising|your\s+patience|explaining|sharing|telling|pointing|"
    r"following\s+up|sticking|bearing|waiting)"
    r"|\b(?:must|may|might)\s+(?:be|have\s+been)\s+(?:so\s+|really\s+|very\s+|incredibly\s+)?"
    r"(?:frustrating|annoying|stressful|difficult|hard|upsetting|disappointing|worrying|"
    r"inconvenient|maddening|exhausting)"
    r"|\b(?:that|this|it)(?:\s+(?:sounds|is|was|has\s+been)|" + _A + r"s)\s+"
    r"(?:really\s+|so\s+|very\s+|incredibly\s+|genuinely\s+)?(?:frustrating|annoying|"
    r"stressful|disappointing|upsetting|worrying|not\s+good\s+enough|unacceptable)"
    rf"|\byou{_A}re\s+(?:absolutely\s+|completely\s+)?right\b"
    r"|\byou\s+are\s+(?:absolutely\s+|completely\s+)?right\b"
    r"|\b(?:completely|totally|entirely)?\s*understandable\b|\bunderstandably\b"
    r"|\bfair\s+(?:point|question|enough)\b",
    _F,
)

_APOLOGY = re.compile(
    r"\b(?:I|we)\s+(?:am|are)\s+(?:so\s+|very\s+|truly\s+|really\s+|deeply\s+|"
    r"sincerely\s+|genuinely\s+|terribly\s+)?sorry\b"
    rf"|\b(?:I|we){_A}(?:m|re)\s+(?:so\s+|very\s+|truly\s+|really\s+|deeply\s+|"
    r"sincerely\s+|genuinely\s+|terribly\s+)?sorry\b"
    r"|^\s*(?:so\s+|very\s+|really\s+)?sorry\b"
    r"|\bsorry\s+(?:about|for|that)\b"
    r"|\b(?:I|we)\s+(?:(?:sincerely|truly|really|deeply|do)\s+)?apologi[sz]e"
    r"|\b(?:my|our)\s+(?:sincere\s+|deepest\s+)?apologies\b|\bapologies\s+for\b"
    r"|\b(?:I|we)\s+owe\s+you\s+an\s+apology\b|\bplease\s+accept\s+(?:my|our)\s+apolog",
    _F | re.MULTILINE,
)

_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|ten|twelve|24|48|72|a\s+couple\s+of|a\s+few)"
_DAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri)"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_TIMELINE = re.compile(
    rf"\b(?:today|tonight|tomorrow|this\s+(?:morning|afternoon|evening|week)|"
    rf"later\s+today|end\s+of\s+(?:the\s+)?(?:day|week|today|tomorrow)|eod|cob|"
    rf"(?:on|by|before|until|next|this|every)\s+{_DAY}|{_DAY}\s+(?:morning|afternoon|"
    rf"evening)|next\s+(?:week|month)|"
    rf"(?:within|in|under|every|next|for\s+the\s+next)\s+(?:the\s+next\s+)?{_NUMBER}\s+"
    r"(?:business\s+|working\s+)?(?:minutes?|mins?|hours?|hrs?|days?|weeks?)|"
    rf"(?:by|before|on|at|until)\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|"
    rf"(?:by|before|on|until)\s+{_MONTH}\s+\d{{1,2}}|"
    r"\d{1,2}(?::\d{2})\s*(?:am|pm|a\.m\.|p\.m\.)?|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|"
    r"(?:within|in|during|over)\s+the\s+(?:next\s+)?(?:hour|day|morning|afternoon)|"
    r"every\s+(?:day|morning|evening|hour|week)|daily|hourly|"
    r"noon|midday|midnight)\b",
    _F,
)

# Someone the customer can hold to the promise: the writer in the first person
# singular ("I'll", "I'm looking", "I've escalated") or a named colleague.
# "We"/"the team"/"someone" commitments do not count.
_OWNER = re.compile(
    rf"\bI(?:{_A}ll|\s+will|\s+am\s+going\s+to|{_A}m\s+going\s+to|\s+shall)\b"
    rf"|\bI(?:\s+am|{_A}m)\s+(?:now\s+|personally\s+|currently\s+|also\s+)?"
    r"(?:[a-z]+ing|your\s+(?:point\s+of\s+)?contact|on\s+it)\b"
    rf"|\bI(?:\s+have|{_A}ve)\s+(?:now\s+|just\s+|already\s+|personally\s+|also\s+)?"
    r"(?:[a-z]+ed|taken|sent|set\s+up|made|put)\b"
    r"|\b[A-Z][a-z]+\s+(?:from|on|in)\s+our\s+[\w\s-]{1,30}?team\s+(?:will|is)\b"
    r"|\b(?:my|our)\s+colleague\s+[A-Z][a-z]+"
    r"|\b[A-Z][a-z]+\s+(?:will|is\s+going\s+to)\s+(?:contact|call|email|update|follow|"
    r"look|handle|reach|be\s+in\s+touch|get\s+back|take\s+over|own)"
    r"|\b[A-Z][a-z]+\s+(?:is|has\s+been)\s+(?:now\s+)?(?:handling|looking|working|on\s+it|"
    r"investigating|assigned)",
)

_CHECK_BACK = re.compile(
    r"\blet\s+(?:me|us)\s+know\b|\b(?:just\s+|simply\s+)?reply\s+(?:to\s+this|here|back)\b"
    r"|\b(?:get|come)\s+back\s+to\s+(?:me|us)\b|\breach\s+out\b|\bdon['\u2019]t\s+hesitate\b"
    r"|\bdo\s+not\s+hesitate\b|\bfeel\s+free\s+to\b|\bwrite\s+(?:back|to\s+(?:us|me))\b"
    r"|\bI['\u2019]m\s+(?:here|around|happy\s+to\s+help)\b|\bI\s+am\s+(?:here|around)\b"
    r"|\bhere\s+(?:to\s+help|if\s+you\s+need)\b|\bcheck\s+in\s+(?:with\s+you|on)\b"
    r"|\bany\s+(?:other\s+|further\s+|more\s+)?questions\b|\bif\s+(?:anything|something)\s+"
    r"(?:else\s+)?(?:comes\s+up|is\s+(?:still\s+)?(?:not|off|unclear|wrong)|goes\s+wrong|"
    r"still\s+|doesn['\u2019]t|looks)"
    r"|\bif\s+(?:you\s+)?(?:need|have)\s+anything\b|\bif\s+(?:it|this|the\s+\w+)\s+"
    r"(?:happens|comes\s+back|returns|recurs|shows\s+up)\s+again\b",
    _F,
)

_GREETING_LINE = re.compile(
    r"^[ \t]*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings)\b"
    r"[^\n]{0,40}$",
    _F,
)
_SIGN_OFF_LINE = re.compile(
    r"^[ \t]*(?:thanks|thank\s+you|many\s+thanks|cheers|regards|best|best\s+regards|"
    r"best\s+wishes|kind\s+regards|warm\s+regards|warmly|sincerely|yours(?:\s+\w+)?|"
    r"all\s+the\s+best|talk\s+soon|speak\s+soon|take\s+care|--|—)[ \t,.!]*$",
    _F | re.MULTILINE,
)

_CAPS_RUN = re.compile(
    r"\b[A-Z][A-Z'\u2019]{1,}(?:[ \t]+[A-Z][A-Z'\u2019]{1,}\b)+|\b[A-Z]{4,}\b"
)
# Two capitals in a row: a cheap scan that finds where a caps run can start.
_CAPS_SEED = re.compile(r"[A-Z]{2}")
_EXCLAMATIONS = re.compile(r"!{2,}|[!?]{3,}")
_ACRONYMS = frozenset(
    [
        "ASAP",
        "API",
        "APIS",
        "HTML",
        "HTTP",
        "HTTPS",
        "JSON",
        "CSV",
        "PDF",
        "URL",
        "URLS",
        "SSO",
        "SAML",
        "SMTP",
        "IMAP",
        "DNS",
        "VPN",
        "CEO",
        "CTO",
        "FAQ",
        "UTC",
        "GMT",
        "EST",
        "PST",
        "CET",
        "SLA",
        "USD",
        "EUR",
        "GBP",
        "VAT",
        "GDPR",
        "SSL",
        "TLS",
        "OK",
        "PS",
        "NB",
        "FYI",
        "ID",
        "IDS",
        "IP",
        "IOS",
        "MAC",
        "IT",
        "UI",
        "UX",
        "PM",
        "AM",
        "USA",
        "UK",
        "EU",
        "XML",
        "SQL",
        "AWS",
        "ETA",
        "RMA",
        "SKU",
    ]
)


# Words every match of a detector contains (lower case): the detector only
# runs near them, which keeps a long reply with no match cheap.
_ACKNOWLEDGE_WORDS = (
    "understand", "see", "imagine", "reali", "appreciate", "hear", "get", "know",
    "feel", "thank", "frustrat", "annoy", "stress", "difficult", "hard", "upset",
    "disappoint", "worr", "inconvenien", "madden", "exhaust", "good enough",
    "unacceptable", "right", "fair",
)  # fmt: skip
_APOLOGY_WORDS = ("sorry", "apolog")
_TIMELINE_WORDS = (
    "day", "tonight", "tomorrow", "morning", "afternoon", "evening", "week",
    "month", "end of", "eod", "cob", "min", "hour", "hr", "mon", "tue", "wed",
    "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr", "may", "jun", "jul",
    "aug", "sep", "oct", "nov", "dec", "noon", "midnight",
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
)  # fmt: skip
_CHECK_BACK_WORDS = (
    "let", "reply", "back", "reach", "hesitate", "free", "write", "here",
    "around", "help", "check in", "question", "anything", "something", "again",
)  # fmt: skip
_REACH_BEFORE = 80
_REACH_AFTER = 120


def _near(
    pattern: re.Pattern[str],
    scan: str,
    low: str,
    words: tuple[str, ...],
    accept: Callable[[re.Match[str]], bool] = lambda match: True,
) -> re.Match[str] | None:
    """An accepted match of `pattern` near one of `words`, or None."""
    if len(low) != len(scan):
        # Lower-casing changed offsets (rare scripts): search everything.
        return next(filter(accept, pattern.finditer(scan)), None)
    for word in words:
        at = low.find(word)
        while at != -1:
            start = max(0, at - _REACH_BEFORE)
            end = min(len(scan), at + len(word) + _REACH_AFTER)
            for match in pattern.finditer(scan, start, end):
                if accept(match):
                    return match
            at = low.find(word, end)
    return None


def _mask(text: str) -> str:
    """Blank out quoted history, keeping offsets: findings stay in the reply."""
    pieces: list[str] = []
    at = 0
    for start, end in quoted_spans(text):
        pieces += [text[at:start], " " * (end - start)]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _is_upset(context: CheckContext) -> bool:
    score = context.last_customer_sentiment
    if score is None and context.last_customer_message.strip():
        score = score_customer_message(context.last_customer_message).score
    return is_upset(score)


def _signals(compiled: _Compiled, scan: str) -> set[str]:
    return {rule.rule for _start, _end, rule in _phrase_matches(scan, compiled)}


def _body_start(scan: str) -> int:
    """Offset just after a greeting line, where an opening sentence belongs."""
    stripped = len(scan) - len(scan.lstrip())
    first_line_end = scan.find("\n", stripped)
    first_line_end = len(scan) if first_line_end == -1 else first_line_end
    if _GREETING_LINE.match(scan, stripped, first_line_end):
        rest = first_line_end
        while rest < len(scan) and scan[rest] in " \t\r\n":
            rest += 1
        return rest
    return stripped


def _closing_point(scan: str) -> tuple[int, bool]:
    """Offset where a closing sentence belongs: before the sign-off, if any.

    The flag says whether a sign-off follows (so the insertion needs a
    paragraph break after it rather than before it).
    """
    content_end = len(scan.rstrip())
    tail_start = max(0, content_end - 300)
    sign_offs = [
        m
        for m in _SIGN_OFF_LINE.finditer(scan, tail_start, content_end)
        if m.start() > 0
    ]
    if sign_offs:
        return sign_offs[-1].start(), True
    return content_end, False


def _insertion(scan: str, sentence: str) -> tuple[int, str]:
    point, before_sign_off = _closing_point(scan)
    if before_sign_off:
        return point, sentence + "\n\n"
    return point, "\n\n" + sentence


def _shouting(scan: str) -> list[Finding]:
    findings = []
    runs = []
    done = 0
    for seed in _CAPS_SEED.finditer(scan):
        start = seed.start()
        if start < done or (
            start and (scan[start - 1].isalnum() or scan[start - 1] == "_")
        ):
            continue
        run = _CAPS_RUN.match(scan, start)
        if run:
            runs.append(run)
            done = run.end()
    for match in runs:
        words = [w.strip("'\u2019") for w in match.group().split()]
        loud = [w for w in words if w not in _ACRONYMS and len(w) >= 3]
        if not loud or (len(words) == 1 and words[0] in _ACRONYMS):
            continue
        findings.append(
            Finding(
                SHOUTING,
                WARNING,
                match.start(),
                match.end(),
                "Capitals read as shouting.",
                match.group().lower(),
            )
        )
    for match in _EXCLAMATIONS.finditer(scan):
        findings.append(
            Finding(
                SHOUTING,
                WARNING,
                match.start(),
                match.end(),
                "Repeated punctuation reads as shouting.",
                match.group()[0] if match.group()[0] == "?" else ".",
            )
        )
    return findings


def _greeting(scan: str, context: CheckContext) -> list[Finding]:
    first_name = context.customer_first_name.strip()
    if not first_name:
        return []
    stripped = len(scan) - len(scan.lstrip())
    line_end = scan.find("\n", stripped)
    line_end = len(scan) if line_end == -1 else line_end
    opening = scan[stripped : min(line_end, stripped + 160)]
    full_name = context.customer_name.strip()
    names = [first_name, full_name]
    if len(full_name.split()) > 1:
        names.append(full_name.split()[-1])
    for name in filter(None, names):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", opening, re.IGNORECASE):
            return []
    message = f"Address {first_name} by name; it shows the reply was written for them."
    greeting = _GREETING_LINE.match(scan, stripped, line_end)
    if greeting:
        word = re.match(r"\s*(\w+)", greeting.group())
        hello = word.group(1) if word and word.group(1).lower() != "greetings" else "Hi"
        if hello.lower() in {"good"}:
            hello = "Hi"
        return [
            Finding(
                GREETING_NAME,
                TIP,
                greeting.start(),
                greeting.end(),
                message,
                f"{hello} {first_name},",
            )
        ]
    return [
        Finding(
            GREETING_NAME, TIP, stripped, stripped, message, f"Hi {first_name},\n\n"
        )
    ]


def check_reply(text: str, context: CheckContext | None = None) -> list[Finding]:
    """Findings for a reply, ordered by position then severity.

    Deterministic and offline; quoted history (`>` lines, "On … wrote:") is
    not checked. Blank text has no findings.
    """
    context = context or CheckContext()
    text = (text or "")[:MAX_CHARS]
    if not text.strip():
        return []
    scan = _mask(text)
    rules = tuple(r for r in context.phrase_rules if r.language == context.language)
    avoid = _compile(tuple(r for r in rules if r.kind == AVOID))
    signal_rules = tuple(r for r in rules if r.kind == SIGNAL)
    signals = _signals(_compile(signal_rules), scan)
    english = context.language == "en"
    # Structure rules need detectors: built in for English, signal phrases
    # for any language; a rule with neither stays silent rather than nag.
    checkable = {r.rule for r in signal_rules} | (
        set(STRUCTURE_RULES) if english else set()
    )

    findings: list[Finding] = []
    for start, end, rule in _phrase_matches(scan, avoid):
        suggestion = rule.suggestion
        if suggestion and scan[start].isupper() and suggestion[0].islower():
            suggestion = suggestion[0].upper() + suggestion[1:]
        findings.append(
            Finding(rule.rule, rule.severity, start, end, rule.message, suggestion)
        )
    sympathy = [(f.start, f.end) for f in findings if f.rule == "sympathy"]
    findings.extend(_shouting(scan))
    if english:
        findings.extend(_greeting(scan, context))

    body_start = _body_start(scan)
    low = scan.lower()
    if _is_upset(context):
        acknowledged = english and _near(_ACKNOWLEDGE, scan, low, _ACKNOWLEDGE_WORDS)
        if ACKNOWLEDGE in checkable and ACKNOWLEDGE not in signals and not acknowledged:
            findings.append(
                Finding(
                    ACKNOWLEDGE,
                    WARNING,
                    body_start,
                    body_start,
                    "The customer is upset: acknowledge how they feel before "
                    "explaining.",
                    "I understand how frustrating this has been. ",
                )
            )
        apologised = english and _near(
            _APOLOGY,
            scan,
            low,
            _APOLOGY_WORDS,
            lambda m: not any(s < m.end() and m.start() < e for s, e in sympathy),
        )
        if APOLOGY in checkable and APOLOGY not in signals and not apologised:
            findings.append(
                Finding(
                    APOLOGY,
                    WARNING,
                    body_start,
                    body_start,
                    "The customer is upset: a short, plain apology helps them "
                    "move on to the fix.",
                    "I'm sorry for the trouble this has caused. ",
                )
            )

    if context.resolves:
        invited = english and _near(_CHECK_BACK, scan, low, _CHECK_BACK_WORDS)
        if CHECK_BACK in checkable and CHECK_BACK not in signals and not invited:
            point, sentence = _insertion(
                scan, "If anything still isn't right, just reply to this email."
            )
            findings.append(
                Finding(
                    CHECK_BACK,
                    TIP,
                    point,
                    point,
                    "Resolving: invite the customer to come back if it is not "
                    "fixed for them.",
                    sentence,
                )
            )
    else:
        timed = english and _near(_TIMELINE, scan, low, _TIMELINE_WORDS)
        if NEXT_STEP in checkable and NEXT_STEP not in signals and not timed:
            point, sentence = _insertion(
                scan, "I will send you an update by [day, time]."
            )
            findings.append(
                Finding(
                    NEXT_STEP,
                    WARNING,
                    point,
                    point,
                    "Say what happens next and when, so the customer is not left "
                    "waiting.",
                    sentence,
                )
            )
        if (
            NAMED_OWNER in checkable
            and NAMED_OWNER not in signals
            and not (english and _OWNER.search(scan))
        ):
            point, sentence = _insertion(
                scan, "I'm handling this myself and will keep you posted."
            )
            findings.append(
                Finding(
                    NAMED_OWNER,
                    TIP,
                    point,
                    point,
                    "Say who owns this: the customer should know whom to expect "
                    "an answer from.",
                    sentence,
                )
            )

    findings.sort(key=lambda f: (f.start, SEVERITY_ORDER.get(f.severity, 3), f.rule))
    return findings
