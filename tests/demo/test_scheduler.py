from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from inbox.models import Conversation
from scheduler.models import ScheduledEmail

pytestmark = pytest.mark.django_db


def test_seed_demo_leaves_promises_and_one_overdue_milestone_once():
    call_command("seed_demo")

    call_command("seed_demo")

    pending = ScheduledEmail.objects.filter(status="pending")
    overdue = Conversation.objects.filter(milestone_due_at__lt=timezone.now())
    assert pending.count() == 3
    assert pending.filter(kind="update").count() == 2
    assert overdue.count() == 1
    assert overdue.get().escalation_owner.username == "agent"
