from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from inbox.models import Conversation, Mailbox, Message

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_documented_logins_and_mailboxes():
    call_command("seed_demo")

    first, second = Mailbox.objects.order_by("id")
    for username in ["admin", "lead", "agent", "agent2"]:
        assert authenticate(username=username, password="replypad") is not None
    assert list(
        first.members.values_list("username", flat=True).order_by("username")
    ) == ["admin", "agent", "lead"]
    assert list(
        second.members.values_list("username", flat=True).order_by("username")
    ) == ["admin", "agent2", "lead"]


def test_seed_demo_makes_realistic_varied_history():
    call_command("seed_demo")

    statuses = set(Conversation.objects.values_list("status", flat=True))
    assert Conversation.objects.count() == 120
    assert statuses == {"open", "pending", "snoozed", "resolved"}
    assert Message.objects.filter(kind="reply").exists()
    assert Conversation.objects.filter(sentiment_first__lt=0).exists()


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")

    call_command("seed_demo")
    call_command("seed_demo", "--if-empty")

    assert Mailbox.objects.count() == 2
    assert Conversation.objects.count() == 120
