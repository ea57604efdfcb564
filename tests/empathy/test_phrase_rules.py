from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from empathy.checker import DEFAULT_RULES
from empathy.models import PhraseRule
from empathy.selectors import phrase_rules_for

pytestmark = pytest.mark.django_db


def test_the_english_defaults_from_the_articles_are_seeded():
    seeded = PhraseRule.objects.filter(mailbox=None, language="en")

    assert seeded.count() == len(DEFAULT_RULES)
    calm = seeded.get(phrase="please (just|) calm down")
    assert (calm.rule, calm.severity, calm.kind) == ("calm-down", "blocker", "avoid")
    assert calm.suggestion == "I understand how frustrating this is"


def test_rules_in_force_are_the_seeded_ones_for_a_mailbox_without_its_own(mailbox):
    rules = phrase_rules_for(mailbox)

    assert set(rules) == set(DEFAULT_RULES)


def test_a_mailbox_rule_adds_to_the_global_ones(mailbox, other_mailbox):
    PhraseRule.objects.create(
        mailbox=mailbox, rule="jargon", phrase="tier 2", severity="tip"
    )

    rules = phrase_rules_for(mailbox)

    assert "jargon" in {r.rule for r in rules}
    assert "jargon" not in {r.rule for r in phrase_rules_for(other_mailbox)}


def test_a_mailbox_row_replaces_the_global_row_with_the_same_phrase(mailbox):
    PhraseRule.objects.create(
        mailbox=mailbox,
        rule="calm-down",
        phrase="please (just|) calm down",
        severity="warning",
        suggestion="I hear you",
    )

    rules = [
        r for r in phrase_rules_for(mailbox) if r.phrase == "please (just|) calm down"
    ]

    assert [(r.severity, r.suggestion) for r in rules] == [("warning", "I hear you")]


def test_an_inactive_mailbox_row_switches_the_global_rule_off_there(mailbox):
    PhraseRule.objects.create(
        mailbox=mailbox, rule="vague-timeline", phrase="asap", is_active=False
    )

    rules = phrase_rules_for(mailbox)

    assert "asap" not in {r.phrase for r in rules}
    assert "asap" in {r.phrase for r in phrase_rules_for(None)}


def test_an_inactive_global_rule_is_not_in_force(mailbox):
    PhraseRule.objects.filter(mailbox=None, phrase="shortly").update(is_active=False)

    rules = phrase_rules_for(mailbox)

    assert "shortly" not in {r.phrase for r in rules}


def test_rules_follow_the_language_asked_for(mailbox):
    PhraseRule.objects.create(rule="ruhe", phrase="beruhigen Sie sich", language="de")

    rules = phrase_rules_for(mailbox, language="de")

    assert [r.rule for r in rules] == ["ruhe"]


def test_a_broken_phrase_is_refused_with_the_field_named():
    rule = PhraseRule(rule="x", phrase="(unbalanced")

    with pytest.raises(ValidationError) as error:
        rule.full_clean()

    assert "phrase" in error.value.message_dict


def test_rules_in_force_cost_one_query(mailbox, django_assert_num_queries):
    with django_assert_num_queries(1):
        phrase_rules_for(mailbox)


def test_the_seed_migration_is_a_faithful_copy_of_the_defaults():
    import importlib

    from empathy import defaults

    migration = importlib.import_module(
        "empathy.migrations.0002_seed_english_phrase_rules"
    )

    frozen = [
        (rule, phrase, suggestion) for rule, phrase, _, _, suggestion in migration.RULES
    ]
    assert frozen == list(defaults.PHRASES)
    assert {
        (rule, severity, message) for rule, _, severity, message, _ in migration.RULES
    } == {
        (rule, defaults.SEVERITIES[rule], defaults.MESSAGES[rule])
        for rule, _, _ in defaults.PHRASES
    }
