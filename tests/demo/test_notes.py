from __future__ import annotations

import pytest
from django.core.management import call_command

from notes.models import Follower, Note, NoteMention, Notification

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_notes_with_a_pin_mentions_and_notifications_once():
    call_command("seed_demo")
    notes_after_first_run = Note.objects.count()

    call_command("seed_demo")

    assert notes_after_first_run == 10
    assert Note.objects.count() == 10
    assert Note.objects.filter(pinned_at__isnull=False).exists()
    assert NoteMention.objects.filter(user__username="agent2", notified=False).exists()
    assert Follower.objects.filter(user__username="lead").count() == 4
    assert Notification.objects.filter(recipient__username="lead").exists()


def test_seeded_history_leaves_a_quiet_bell_and_no_digest_to_send():
    call_command("seed_demo")

    unread = Notification.objects.filter(
        recipient__username="agent", read_at__isnull=True
    )
    pending = Notification.objects.filter(
        email_status=Notification.EmailStatus.PENDING, read_at__isnull=False
    )
    assert unread.count() < 10
    assert not pending.exists()
