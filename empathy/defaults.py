"""English phrase rules shipped with Replypad, taken from the two seed articles.

The data migration `0002_seed_english_phrase_rules` holds a frozen copy of this
list (migrations import none of our code); the checker falls back to it when
no rules are passed in, so it works without a database.

Phrase syntax: words match case-insensitively on word boundaries, any run of
whitespace matches any whitespace, both apostrophes match, `*` matches one
word, `(a|b|)` lists alternatives (an empty one makes the group optional), and
a leading `^ ` matches only at the start of a sentence, and a closing `[a|b]`
requires one of those words to follow without making them part of the match.
"""

from __future__ import annotations

MESSAGES = {
    "calm-down": (
        "Telling an upset customer to calm down escalates the conversation. "
        "Acknowledge the feeling instead."
    ),
    "blame": (
        "This puts the blame on the customer. Describe what happened and what "
        "you will do next."
    ),
    "dismissive": (
        "This tells the customer they are on their own. Say what you can do."
    ),
    "condescending": ("This reads as impatient or condescending."),
    "negative-phrasing": (
        "Negative phrasing leaves the customer with nothing. Say what you will "
        "do instead."
    ),
    "sympathy": (
        "This is sympathy, not empathy, and can sound like blame. Acknowledge "
        "their experience instead."
    ),
    "canned": (
        "This sounds like a form letter. Name the actual impact on the customer."
    ),
    "vague-timeline": (
        'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".'
    ),
    "over-promise": (
        "Avoid promises outside your control; commit to actions you can take."
    ),
    "policy": ("Explain the reason behind the policy and what you can offer instead."),
}

SEVERITIES = {
    "calm-down": "blocker",
    "blame": "blocker",
    "dismissive": "blocker",
    "condescending": "warning",
    "negative-phrasing": "warning",
    "sympathy": "warning",
    "over-promise": "warning",
    "canned": "tip",
    "vague-timeline": "tip",
    "policy": "tip",
}

FEELING = "I understand how frustrating this is"
UPSETTING = "I can see why this is upsetting"
RECAP = "to recap"
FIND_OUT = "let me find out"
CHECK = "let me check"
CAN_DO = "here's what I can do"
WHEN = "by [day, time]"
IMPACT = "I'm sorry this disrupted your work"
REASON = "we do this because [reason]"

# (rule, phrase, suggestion); severity and message come from the rule.
PHRASES: tuple[tuple[str, str, str], ...] = (
    # "Please calm down" is the article's own example of what never to write.
    ("calm-down", "please (just|) calm down", FEELING),
    (
        "calm-down",
        "(you need to|you have to|you should|you must|just|try to) calm down",
        FEELING,
    ),
    ("calm-down", "^ calm down", FEELING),
    ("calm-down", "(please|^) (just|) settle down", FEELING),
    ("calm-down", "(please|^) (just|) relax", "I understand this is stressful"),
    ("calm-down", "chill out", FEELING),
    ("calm-down", "(there's|there is|) no need to (get|be) (so|) upset", UPSETTING),
    ("calm-down", "(please|) don't get (so|) upset", UPSETTING),
    ("calm-down", "(please|) (stop|no need to) (shouting|shout|yelling|yell)", FEELING),
    ("calm-down", "(you're|you are) overreacting", UPSETTING),
    ("calm-down", "don't be so dramatic", UPSETTING),
    (
        "blame",
        "(it's|it is|that's|that is|this is) (all|) your (own|) fault",
        "this is not on you",
    ),
    (
        "blame",
        "you (should have|should've) [read|checked|known|asked|looked|noticed|followed|used|saved|backed up|made sure|updated|told|contacted|paid]",
        "next time, it helps to",
    ),
    ("blame", "you failed to", "we still need to"),
    (
        "blame",
        "(you didn't|you did not|you clearly didn't|you never) [read|follow|check|use|look at|update|save|confirm|enable|install]",
        "it may not have been clear that you needed to",
    ),
    ("blame", "if you had read", "as it may not have been clear,"),
    ("blame", "user error", "a mix-up"),
    ("blame", "(you're|you are) wrong", "I see it differently, and here is why"),
    ("blame", "as you should know", "for reference,"),
    (
        "dismissive",
        "(that's|that is|it's|it is|this is|) not (our|my) problem",
        "this is something I can still help with",
    ),
    (
        "dismissive",
        "not my (department|job)",
        "I'll connect you with the right colleague",
    ),
    ("dismissive", "(there's|there is|) nothing (we|I) can do", CAN_DO),
    (
        "dismissive",
        "(^|you'll|you will|you'll just|you just|you'll have to|you will have to|you have to|you need to) deal with it",
        "here is a workaround for now",
    ),
    ("dismissive", "take it or leave it", CAN_DO),
    (
        "dismissive",
        "(that's|that is) just (how|the way) it is",
        "that's how it works today, and here's why",
    ),
    (
        "condescending",
        "(as|like) I (already|) (said|explained|mentioned|told you) (before|earlier|already|)",
        RECAP,
    ),
    ("condescending", "as (previously|already) (stated|mentioned|explained)", RECAP),
    ("condescending", "as stated (previously|before|above)", RECAP),
    ("condescending", "per my (last|previous) (email|message)", RECAP),
    ("condescending", "obviously", ""),
    ("condescending", "you clearly", "it looks like you"),
    (
        "condescending",
        "(it's|it is) (very|really|really very|) (simple|easy)",
        "here's how",
    ),
    ("condescending", "(everyone|everybody|any user) knows", "as a tip,"),
    ("condescending", "read the manual", "this guide walks through it"),
    ("condescending", "with all due respect", ""),
    (
        "negative-phrasing",
        "(I've|I have|we've|we have|) never heard of (this|that|such an|such a) (issue|problem|bug|error) (before|)",
        "thank you for flagging this, I'm looking into it now",
    ),
    (
        "negative-phrasing",
        "(I don't|I do not|I dunno|we don't|we do not) know",
        FIND_OUT,
    ),
    ("negative-phrasing", "(I have|I've|we have|we've) no idea", FIND_OUT),
    ("negative-phrasing", "(I'm|I am|we're|we are) not sure", CHECK),
    (
        "negative-phrasing",
        "no, (it's|it is|that's|that is) not possible",
        "that isn't available yet, but " + CAN_DO,
    ),
    (
        "negative-phrasing",
        "(it's|it is|that's|that is|this is) (not possible|impossible)",
        "that isn't available yet, but " + CAN_DO,
    ),
    ("negative-phrasing", "(we|I) (can't|cannot|can not|won't) do that", CAN_DO),
    ("negative-phrasing", "(that's|that is) not how it works", "here's how it works"),
    (
        "sympathy",
        "(I'm|I am|we're|we are|) sorry (that|if|) you (feel|felt) (this|that|) (way|)",
        "I can understand how this feels",
    ),
    (
        "sympathy",
        "(I'm|I am|we're|we are|) sorry if (you were|you're|you are|you feel) (offended|upset)",
        "I can understand how this feels",
    ),
    (
        "sympathy",
        "(I'm|I am|we're|we are|) sorry (that|if|) you think",
        "I can see why you think",
    ),
    (
        "canned",
        "(we|I) (apologize|apologise) for any (inconvenience|inconvenience caused|inconvenience this may have caused)",
        IMPACT,
    ),
    ("canned", "(we|I) (apologize|apologise) for the inconvenience", IMPACT),
    (
        "canned",
        "(sorry|apologies|our apologies|my apologies) for (any|the) inconvenience",
        IMPACT,
    ),
    ("canned", "we regret any inconvenience", IMPACT),
    (
        "canned",
        "your (call|email|message|request|business) is (very|) important to us",
        "thank you for writing",
    ),
    ("canned", "we value your business", "thank you for sticking with us"),
    (
        "canned",
        "thank you for your patience and understanding",
        "thank you for your patience while we sort this out",
    ),
    ("vague-timeline", "as soon as (possible|we can|I can)", WHEN),
    ("vague-timeline", "asap", WHEN),
    ("vague-timeline", "shortly", WHEN),
    ("vague-timeline", "in due course", WHEN),
    ("vague-timeline", "at some point", WHEN),
    ("vague-timeline", "in the near future", "by [date]"),
    ("vague-timeline", "at a later date", "by [date]"),
    ("vague-timeline", "eventually", WHEN),
    ("vague-timeline", "when (we|I) get (a|the) chance", WHEN),
    ("vague-timeline", "very soon", WHEN),
    ("over-promise", "(I|we) (can|) guarantee", "I will make sure"),
    (
        "over-promise",
        "(this|it) will never happen again",
        "we are putting steps in place so this does not happen again",
    ),
    (
        "over-promise",
        "(this|it) (won't|will not) (ever|) happen again",
        "we are putting steps in place so this does not happen again",
    ),
    ("over-promise", "100% (sure|certain)", "confident"),
    ("policy", "(it's|it is|that's|that is|this is) (our|company) policy", REASON),
    ("policy", "(as per|per|according to) (our|company) policy", "because [reason]"),
    (
        "policy",
        "(our|company|the) policy (doesn't|does not) allow",
        "we can't do this because [reason], but",
    ),
    (
        "policy",
        "against (our|company) policy",
        "not something we can do because [reason]",
    ),
)
