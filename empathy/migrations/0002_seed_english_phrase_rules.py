"""Seed the English phrase rules from the two seed articles (frozen copy of
empathy/defaults.py at the time of writing; later edits belong in the admin)."""

from django.db import migrations

# (rule, phrase, severity, message, suggestion)
RULES = [
    ('calm-down', 'please (just|) calm down', 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I understand how frustrating this is'),
    ('calm-down', '(you need to|you have to|you should|you must|just|try to) calm down', 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I understand how frustrating this is'),
    ('calm-down', '^ calm down', 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I understand how frustrating this is'),
    ('calm-down', '(please|^) (just|) settle down', 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I understand how frustrating this is'),
    ('calm-down', '(please|^) (just|) relax', 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I understand this is stressful'),
    ('calm-down', 'chill out', 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I understand how frustrating this is'),
    ('calm-down', "(there's|there is|) no need to (get|be) (so|) upset", 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I can see why this is upsetting'),
    ('calm-down', "(please|) don't get (so|) upset", 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I can see why this is upsetting'),
    ('calm-down', '(please|) (stop|no need to) (shouting|shout|yelling|yell)', 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I understand how frustrating this is'),
    ('calm-down', "(you're|you are) overreacting", 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I can see why this is upsetting'),
    ('calm-down', "don't be so dramatic", 'blocker', 'Telling an upset customer to calm down escalates the conversation. Acknowledge the feeling instead.', 'I can see why this is upsetting'),
    ('blame', "(it's|it is|that's|that is|this is) (all|) your (own|) fault", 'blocker', 'This puts the blame on the customer. Describe what happened and what you will do next.', 'this is not on you'),
    ('blame', "you (should have|should've) [read|checked|known|asked|looked|noticed|followed|used|saved|backed up|made sure|updated|told|contacted|paid]", 'blocker', 'This puts the blame on the customer. Describe what happened and what you will do next.', 'next time, it helps to'),
    ('blame', 'you failed to', 'blocker', 'This puts the blame on the customer. Describe what happened and what you will do next.', 'we still need to'),
    ('blame', "(you didn't|you did not|you clearly didn't|you never) [read|follow|check|use|look at|update|save|confirm|enable|install]", 'blocker', 'This puts the blame on the customer. Describe what happened and what you will do next.', 'it may not have been clear that you needed to'),
    ('blame', 'if you had read', 'blocker', 'This puts the blame on the customer. Describe what happened and what you will do next.', 'as it may not have been clear,'),
    ('blame', 'user error', 'blocker', 'This puts the blame on the customer. Describe what happened and what you will do next.', 'a mix-up'),
    ('blame', "(you're|you are) wrong", 'blocker', 'This puts the blame on the customer. Describe what happened and what you will do next.', 'I see it differently, and here is why'),
    ('blame', 'as you should know', 'blocker', 'This puts the blame on the customer. Describe what happened and what you will do next.', 'for reference,'),
    ('dismissive', "(that's|that is|it's|it is|this is|) not (our|my) problem", 'blocker', 'This tells the customer they are on their own. Say what you can do.', 'this is something I can still help with'),
    ('dismissive', 'not my (department|job)', 'blocker', 'This tells the customer they are on their own. Say what you can do.', "I'll connect you with the right colleague"),
    ('dismissive', "(there's|there is|) nothing (we|I) can do", 'blocker', 'This tells the customer they are on their own. Say what you can do.', "here's what I can do"),
    ('dismissive', "(^|you'll|you will|you'll just|you just|you'll have to|you will have to|you have to|you need to) deal with it", 'blocker', 'This tells the customer they are on their own. Say what you can do.', 'here is a workaround for now'),
    ('dismissive', 'take it or leave it', 'blocker', 'This tells the customer they are on their own. Say what you can do.', "here's what I can do"),
    ('dismissive', "(that's|that is) just (how|the way) it is", 'blocker', 'This tells the customer they are on their own. Say what you can do.', "that's how it works today, and here's why"),
    ('condescending', '(as|like) I (already|) (said|explained|mentioned|told you) (before|earlier|already|)', 'warning', 'This reads as impatient or condescending.', 'to recap'),
    ('condescending', 'as (previously|already) (stated|mentioned|explained)', 'warning', 'This reads as impatient or condescending.', 'to recap'),
    ('condescending', 'as stated (previously|before|above)', 'warning', 'This reads as impatient or condescending.', 'to recap'),
    ('condescending', 'per my (last|previous) (email|message)', 'warning', 'This reads as impatient or condescending.', 'to recap'),
    ('condescending', 'obviously', 'warning', 'This reads as impatient or condescending.', ''),
    ('condescending', 'you clearly', 'warning', 'This reads as impatient or condescending.', 'it looks like you'),
    ('condescending', "(it's|it is) (very|really|really very|) (simple|easy)", 'warning', 'This reads as impatient or condescending.', "here's how"),
    ('condescending', '(everyone|everybody|any user) knows', 'warning', 'This reads as impatient or condescending.', 'as a tip,'),
    ('condescending', 'read the manual', 'warning', 'This reads as impatient or condescending.', 'this guide walks through it'),
    ('condescending', 'with all due respect', 'warning', 'This reads as impatient or condescending.', ''),
    ('negative-phrasing', "(I've|I have|we've|we have|) never heard of (this|that|such an|such a) (issue|problem|bug|error) (before|)", 'warning', 'Negative phrasing leaves the customer with nothing. Say what you will do instead.', "thank you for flagging this, I'm looking into it now"),
    ('negative-phrasing', "(I don't|I do not|I dunno|we don't|we do not) know", 'warning', 'Negative phrasing leaves the customer with nothing. Say what you will do instead.', 'let me find out'),
    ('negative-phrasing', "(I have|I've|we have|we've) no idea", 'warning', 'Negative phrasing leaves the customer with nothing. Say what you will do instead.', 'let me find out'),
    ('negative-phrasing', "(I'm|I am|we're|we are) not sure", 'warning', 'Negative phrasing leaves the customer with nothing. Say what you will do instead.', 'let me check'),
    ('negative-phrasing', "no, (it's|it is|that's|that is) not possible", 'warning', 'Negative phrasing leaves the customer with nothing. Say what you will do instead.', "that isn't available yet, but here's what I can do"),
    ('negative-phrasing', "(it's|it is|that's|that is|this is) (not possible|impossible)", 'warning', 'Negative phrasing leaves the customer with nothing. Say what you will do instead.', "that isn't available yet, but here's what I can do"),
    ('negative-phrasing', "(we|I) (can't|cannot|can not|won't) do that", 'warning', 'Negative phrasing leaves the customer with nothing. Say what you will do instead.', "here's what I can do"),
    ('negative-phrasing', "(that's|that is) not how it works", 'warning', 'Negative phrasing leaves the customer with nothing. Say what you will do instead.', "here's how it works"),
    ('sympathy', "(I'm|I am|we're|we are|) sorry (that|if|) you (feel|felt) (this|that|) (way|)", 'warning', 'This is sympathy, not empathy, and can sound like blame. Acknowledge their experience instead.', 'I can understand how this feels'),
    ('sympathy', "(I'm|I am|we're|we are|) sorry if (you were|you're|you are|you feel) (offended|upset)", 'warning', 'This is sympathy, not empathy, and can sound like blame. Acknowledge their experience instead.', 'I can understand how this feels'),
    ('sympathy', "(I'm|I am|we're|we are|) sorry (that|if|) you think", 'warning', 'This is sympathy, not empathy, and can sound like blame. Acknowledge their experience instead.', 'I can see why you think'),
    ('canned', '(we|I) (apologize|apologise) for any (inconvenience|inconvenience caused|inconvenience this may have caused)', 'tip', 'This sounds like a form letter. Name the actual impact on the customer.', "I'm sorry this disrupted your work"),
    ('canned', '(we|I) (apologize|apologise) for the inconvenience', 'tip', 'This sounds like a form letter. Name the actual impact on the customer.', "I'm sorry this disrupted your work"),
    ('canned', '(sorry|apologies|our apologies|my apologies) for (any|the) inconvenience', 'tip', 'This sounds like a form letter. Name the actual impact on the customer.', "I'm sorry this disrupted your work"),
    ('canned', 'we regret any inconvenience', 'tip', 'This sounds like a form letter. Name the actual impact on the customer.', "I'm sorry this disrupted your work"),
    ('canned', 'your (call|email|message|request|business) is (very|) important to us', 'tip', 'This sounds like a form letter. Name the actual impact on the customer.', 'thank you for writing'),
    ('canned', 'we value your business', 'tip', 'This sounds like a form letter. Name the actual impact on the customer.', 'thank you for sticking with us'),
    ('canned', 'thank you for your patience and understanding', 'tip', 'This sounds like a form letter. Name the actual impact on the customer.', 'thank you for your patience while we sort this out'),
    ('vague-timeline', 'as soon as (possible|we can|I can)', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [day, time]'),
    ('vague-timeline', 'asap', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [day, time]'),
    ('vague-timeline', 'shortly', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [day, time]'),
    ('vague-timeline', 'in due course', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [day, time]'),
    ('vague-timeline', 'at some point', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [day, time]'),
    ('vague-timeline', 'in the near future', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [date]'),
    ('vague-timeline', 'at a later date', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [date]'),
    ('vague-timeline', 'eventually', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [day, time]'),
    ('vague-timeline', 'when (we|I) get (a|the) chance', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [day, time]'),
    ('vague-timeline', 'very soon', 'tip', 'Give a concrete time the customer can hold you to, e.g. "by 3 pm tomorrow".', 'by [day, time]'),
    ('over-promise', '(I|we) (can|) guarantee', 'warning', 'Avoid promises outside your control; commit to actions you can take.', 'I will make sure'),
    ('over-promise', '(this|it) will never happen again', 'warning', 'Avoid promises outside your control; commit to actions you can take.', 'we are putting steps in place so this does not happen again'),
    ('over-promise', "(this|it) (won't|will not) (ever|) happen again", 'warning', 'Avoid promises outside your control; commit to actions you can take.', 'we are putting steps in place so this does not happen again'),
    ('over-promise', '100% (sure|certain)', 'warning', 'Avoid promises outside your control; commit to actions you can take.', 'confident'),
    ('policy', "(it's|it is|that's|that is|this is) (our|company) policy", 'tip', 'Explain the reason behind the policy and what you can offer instead.', 'we do this because [reason]'),
    ('policy', '(as per|per|according to) (our|company) policy', 'tip', 'Explain the reason behind the policy and what you can offer instead.', 'because [reason]'),
    ('policy', "(our|company|the) policy (doesn't|does not) allow", 'tip', 'Explain the reason behind the policy and what you can offer instead.', "we can't do this because [reason], but"),
    ('policy', 'against (our|company) policy', 'tip', 'Explain the reason behind the policy and what you can offer instead.', 'not something we can do because [reason]'),
]


def seed(apps, schema_editor):
    PhraseRule = apps.get_model("empathy", "PhraseRule")
    for rule, phrase, severity, message, suggestion in RULES:
        PhraseRule.objects.get_or_create(
            mailbox=None,
            language="en",
            rule=rule,
            phrase=phrase,
            defaults={
                "kind": "avoid",
                "severity": severity,
                "message": message,
                "suggestion": suggestion,
            },
        )


def unseed(apps, schema_editor):
    PhraseRule = apps.get_model("empathy", "PhraseRule")
    for rule, phrase, _severity, _message, _suggestion in RULES:
        PhraseRule.objects.filter(
            mailbox=None, language="en", rule=rule, phrase=phrase
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("empathy", "0001_phrase_rules")]

    operations = [migrations.RunPython(seed, unseed)]
