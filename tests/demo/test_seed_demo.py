from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import DateTimeField
from django.utils import timezone

from inbox.models import Conversation, Mailbox, Message

pytestmark = pytest.mark.django_db

# Timestamps that name a moment still to come, by design.
PLANNED = {
    "Conversation.snoozed_until",
    "Conversation.milestone_due_at",
    "Conversation.next_update_at",
    "Message.send_after",
    "ScheduledEmail.send_at",
    "ScheduledEmail.until",
    "Session.expire_date",
}


def _timestamps():
    return {
        f"{model.__name__}.{field.name}": (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, DateTimeField)
    }


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


def test_seed_demo_dates_nothing_after_it_finishes():
    call_command("seed_demo")
    finished = timezone.now()

    dated_later = [
        name
        for name, (model, field) in _timestamps().items()
        if name not in PLANNED
        and model.objects.filter(**{f"{field}__gt": finished}).exists()
    ]

    assert {"Message.sent_at", "Event.created_at", "Note.created_at"} <= set(
        _timestamps()
    )
    assert dated_later == []
