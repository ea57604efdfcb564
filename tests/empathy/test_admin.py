from __future__ import annotations

import pytest

from empathy.models import PhraseRule

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/empathy/phraserule/"


def test_an_admin_lists_the_phrase_rules(client, admin):
    client.force_login(admin)

    response = client.get(CHANGELIST, {"q": "calm down"})

    assert response.status_code == 200
    assert "please (just|) calm down" in response.content.decode()


def test_an_admin_adds_a_mailbox_rule(client, admin, mailbox):
    client.force_login(admin)

    response = client.post(
        f"{CHANGELIST}add/",
        {
            "mailbox": mailbox.pk,
            "language": "en",
            "rule": "jargon",
            "kind": "avoid",
            "phrase": "(tier|level) 2",
            "severity": "tip",
            "message": "Customers do not know our tiers.",
            "suggestion": "our specialists",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert PhraseRule.objects.get(mailbox=mailbox, rule="jargon").severity == "tip"


def test_the_admin_form_refuses_a_broken_phrase(client, admin):
    client.force_login(admin)

    response = client.post(
        f"{CHANGELIST}add/",
        {"language": "en", "rule": "x", "kind": "avoid", "phrase": "(broken",
         "severity": "tip"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Unbalanced parentheses." in response.content.decode()
    assert not PhraseRule.objects.filter(rule="x").exists()


def test_an_agent_cannot_open_the_phrase_rules_admin(client, agent):
    client.force_login(agent)

    response = client.get(CHANGELIST)

    assert response.status_code == 302


def test_an_admin_sets_a_mailbox_reply_language(client, admin, mailbox):
    from empathy.models import MailboxLanguage

    client.force_login(admin)

    response = client.post(
        "/admin/empathy/mailboxlanguage/add/", {"mailbox": mailbox.pk, "language": "de"}
    )

    assert response.status_code == 302
    assert MailboxLanguage.objects.get(mailbox=mailbox).language == "de"
