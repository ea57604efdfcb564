from __future__ import annotations

import pytest

from empathy.checker import (
    CheckContext,
    PhraseRule,
    PhraseSyntaxError,
    check_reply,
    expand_phrase,
)

UPSET = CheckContext(customer_first_name="Anna", last_customer_sentiment=-0.6)
GOOD_REPLY = (
    "Hi Anna,\n\nI'm sorry the export failed again, and I understand how "
    "frustrating that is. I have escalated it to Priya on our data team and I "
    "will update you by 3 pm tomorrow.\n\nBest,\nSam"
)


def rules_of(text: str, context: CheckContext = UPSET) -> list[str]:
    return [finding.rule for finding in check_reply(text, context)]


def test_please_calm_down_is_a_blocker_on_the_exact_phrase_with_a_rewrite():
    text = "Hi Anna,\n\nPlease calm down. " + GOOD_REPLY.split("\n\n", 1)[1]

    findings = [f for f in check_reply(text, UPSET) if f.rule == "calm-down"]

    assert len(findings) == 1
    finding = findings[0]
    assert finding.severity == "blocker"
    assert text[finding.start : finding.end] == "Please calm down"
    assert finding.suggestion == "I understand how frustrating this is"
    assert finding.message


def test_a_reply_that_follows_the_articles_has_no_findings():
    findings = check_reply(GOOD_REPLY, UPSET)

    assert findings == []


def test_blank_text_has_no_findings():
    findings = check_reply("  \n ", UPSET)

    assert findings == []


def test_the_checker_is_deterministic():
    text = "Hi there,\n\nAs I already said, you should have read the manual!!"

    first = check_reply(text, UPSET)

    assert check_reply(text, UPSET) == first


def test_findings_come_in_text_order_with_blockers_first_at_the_same_place():
    text = "Calm down. Obviously it's our policy."

    findings = check_reply(text, CheckContext())

    starts = [f.start for f in findings]
    assert starts == sorted(starts)
    assert [f.rule for f in findings if f.end > f.start] == [
        "calm-down",
        "condescending",
        "policy",
    ]


def test_a_rewrite_keeps_the_capital_at_the_start_of_a_sentence():
    findings = check_reply("I don't know. Let me see.", CheckContext())

    assert findings[0].suggestion == "Let me find out"


def test_offsets_count_code_points_so_emoji_before_a_phrase_do_not_shift_it():
    text = "🙂🙂 Please calm down."

    finding = next(
        f for f in check_reply(text, CheckContext()) if f.rule == "calm-down"
    )

    assert (finding.start, finding.end) == (3, 19)
    assert text[finding.start : finding.end] == "Please calm down"


@pytest.mark.parametrize(
    "text",
    [
        "Once things calm down after the migration, I'll call you at 10:00.",
        "You should have received a confirmation email; I'll resend it by 2 pm.",
        "It's not your fault at all. I'll fix it by 3 pm today.",
        "Our privacy policy page explains it. I'll send it by Friday.",
        "I know how annoying this is; I'll deal with it myself by 5 pm.",
    ],
    ids=["calm-down-mid-sentence", "should-have-received", "not-your-fault",
         "privacy-policy", "i-will-deal-with-it"],
)  # fmt: skip
def test_look_alike_phrases_are_not_flagged(text):
    rules = rules_of(text, CheckContext())

    assert rules == []


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 3 Mar 2025, Anna wrote:\n> Please calm down, they told me!!",
        "From: Anna <anna@customer.test>\nSent: Monday\n\nPlease calm down!!",
        "Am 03.03.2025 um 10:00 schrieb Anna:\n> Please calm down!!",
    ],
    ids=["gmail", "outlook-header-block", "german"],
)
def test_quoted_history_is_not_checked(history):
    text = "Hi Anna,\n\nI'm sorry, I understand. I'll update you by 5 pm.\n\n" + history

    rules = rules_of(text)

    assert rules == []


def test_an_upset_customer_needs_acknowledgement_and_an_apology():
    text = (
        "Hi Anna,\n\nThe export limit is 10,000 rows. I will send both parts by 4 pm."
    )

    rules = rules_of(text)

    assert rules == ["acknowledge", "apology"]


def test_a_calm_customer_needs_neither_acknowledgement_nor_apology():
    text = (
        "Hi Anna,\n\nThe export limit is 10,000 rows. I will send both parts by 4 pm."
    )

    rules = rules_of(text, CheckContext(customer_first_name="Anna"))

    assert rules == []


def test_the_customer_message_is_scored_when_no_sentiment_is_given():
    context = CheckContext(
        last_customer_message="Still not working. Third time I write!"
    )

    rules = rules_of("I will send both parts by 4 pm.", context)

    assert "acknowledge" in rules
    assert "apology" in rules


def test_sympathy_is_not_counted_as_an_apology():
    text = "Hi Anna,\n\nI'm sorry you feel this way. I understand. I'll call at 3 pm."

    rules = rules_of(text)

    assert rules == ["apology", "sympathy"]


def test_missing_acknowledgement_is_an_insertion_after_the_greeting():
    text = "Hi Anna,\n\nI'm sorry. I will send both parts by 4 pm."

    finding = next(f for f in check_reply(text, UPSET) if f.rule == "acknowledge")

    assert finding.start == finding.end == text.index("I'm sorry")
    assert finding.suggestion.startswith("I understand")


def test_a_reply_without_a_time_or_an_owner_gets_next_step_and_owner_findings():
    text = (
        "Hi Anna,\n\nI'm sorry, I understand. The team will look into it.\n\nBest,\nSam"
    )

    findings = {f.rule: f for f in check_reply(text, UPSET)}

    assert set(findings) == {"next-step", "named-owner"}
    assert findings["next-step"].start == text.index("Best,")
    assert findings["next-step"].suggestion.endswith("\n\n")


def test_a_resolving_reply_invites_the_customer_back_instead_of_promising_a_time():
    text = "Hi Anna,\n\nI'm sorry, I understand. The fix is live now."

    rules = rules_of(text, CheckContext(customer_first_name="Anna",
                                        last_customer_sentiment=-0.6, resolves=True))  # fmt: skip

    assert rules == ["check-back"]


def test_a_generic_greeting_is_rewritten_with_the_first_name():
    text = "Hello there,\n\nI will send it by Friday."

    finding = check_reply(text, CheckContext(customer_first_name="Anna"))[0]

    assert finding.rule == "greeting-name"
    assert text[finding.start : finding.end] == "Hello there,"
    assert finding.suggestion == "Hello Anna,"


def test_a_surname_greeting_counts_as_using_the_name():
    context = CheckContext(customer_first_name="Chioma", customer_name="Chioma Okafor")

    rules = rules_of("Dear Ms Okafor,\n\nI will send it by Friday.", context)

    assert rules == []


@pytest.mark.parametrize(
    ("text", "shout"),
    [
        (
            "PLEASE DO NOT DELETE the folder. I'll fix it by 3 pm.",
            "PLEASE DO NOT DELETE",
        ),
        ("You MUST update. I'll fix it by 3 pm.", "MUST"),
        ("I understand!! I'll fix it by 3 pm.", "!!"),
        ("Did you restart??? I'll fix it by 3 pm.", "???"),
    ],
    ids=["caps-run", "caps-word", "exclamations", "question-marks"],
)
def test_shouting_is_flagged(text, shout):
    finding = next(f for f in check_reply(text, CheckContext()) if f.rule == "shouting")

    assert text[finding.start : finding.end] == shout


def test_acronyms_are_not_shouting():
    rules = rules_of("The API, SSO and HTTPS settings are fine. I'll confirm by 3 pm.",
                     CheckContext())  # fmt: skip

    assert rules == []


def test_custom_rules_replace_the_defaults_and_follow_the_language():
    rules = (
        PhraseRule(rule="ruhe", phrase="beruhigen Sie sich", severity="blocker",
                   suggestion="Ich verstehe Ihren Ärger", language="de"),
        PhraseRule(rule="calm-down", phrase="calm down", severity="blocker"),
    )  # fmt: skip
    context = CheckContext(phrase_rules=rules, language="de")

    findings = check_reply("Bitte beruhigen Sie sich. Calm down.", context)

    assert [(f.rule, f.suggestion) for f in findings] == [
        ("ruhe", "Ich verstehe Ihren Ärger")
    ]


def test_a_signal_phrase_satisfies_a_structure_rule_in_any_language():
    rules = (
        PhraseRule(rule="apology", phrase="es tut mir leid", kind="signal", language="de"),
        PhraseRule(rule="next-step", phrase="bis morgen", kind="signal", language="de"),
        PhraseRule(rule="named-owner", phrase="ich kümmere mich", kind="signal",
                   language="de"),
        PhraseRule(rule="acknowledge", phrase="ich verstehe", kind="signal", language="de"),
    )  # fmt: skip
    context = CheckContext(
        phrase_rules=rules, language="de", last_customer_sentiment=-0.5
    )

    findings = check_reply(
        "Es tut mir leid, ich verstehe. Ich kümmere mich bis morgen darum.", context
    )

    assert findings == []


def test_phrase_alternatives_expand_to_every_variant():
    variants = expand_phrase("(I'm|I am|) not sure")

    assert variants == ["I'm not sure", "I am not sure", "not sure"]


def test_a_sentence_start_phrase_only_matches_at_the_start_of_a_sentence():
    rules = (PhraseRule(rule="r", phrase="^ relax"),)

    findings = check_reply(
        "Relax. We relax the limit.", CheckContext(phrase_rules=rules)
    )

    assert [(f.start, f.end) for f in findings if f.rule == "r"] == [(0, 5)]


def test_a_trailing_word_list_must_follow_but_is_not_replaced():
    rules = (PhraseRule(rule="blame", phrase="you should have [read|checked]"),)
    text = "You should have read it. You should have received it."

    findings = [f for f in check_reply(text, CheckContext(phrase_rules=rules))
                if f.rule == "blame"]  # fmt: skip

    assert [text[f.start : f.end] for f in findings] == ["You should have"]


@pytest.mark.parametrize(
    "phrase",
    ["(a|(b))", "(unclosed", "* starts with a wildcard", "", "[read] first",
     "(a|b|c|d)" * 5],
    ids=["nested", "unbalanced", "wildcard-first", "empty", "follower-first",
         "too-many-variants"],
)  # fmt: skip
def test_broken_phrases_are_refused(phrase):
    with pytest.raises(PhraseSyntaxError):
        expand_phrase(phrase)


def test_a_broken_phrase_in_force_is_skipped_not_fatal():
    rules = (
        PhraseRule(rule="x", phrase="(broken"),
        PhraseRule(rule="y", phrase="fine"),
    )

    findings = check_reply("This is fine.", CheckContext(phrase_rules=rules))

    assert [f.rule for f in findings if f.end > f.start] == ["y"]
