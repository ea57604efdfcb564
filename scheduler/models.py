"""Scheduled emails: send-later replies and promised customer updates, as rows.

Due work is rows, not Celery ETAs: beat claims due rows with a lease, and each
run writes one ScheduledRun whose (scheduled email, number) is unique, so a
row claimed twice (a worker died, its lease ran out) still sends once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q


class ScheduledEmail(models.Model):
    class Kind(models.TextChoices):
        SEND_LATER = "send_later", "Send later"
        UPDATE = "update", "Promised update"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="scheduled_emails"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="scheduled_emails",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    body = models.TextField(blank=True)
    template = models.ForeignKey(
        "templates_app.CannedTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Rendered at send time, so it says the current status",
    )
    ask = models.JSONField(default=dict, blank=True)
    send_at = models.DateTimeField(help_text="The next run")
    every = models.DurationField(null=True, blank=True, help_text="Empty = once")
    until = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(
        max_length=64,
        help_text="IANA zone whose wall clock a daily cadence keeps across DST",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="Lease of the worker sending this run"
    )
    run_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["send_at", "id"]
        indexes = [
            # Beat's claim: WHERE status = 'pending' AND send_at <= now ORDER BY send_at.
            models.Index(
                fields=["send_at"],
                name="scheduled_due_idx",
                condition=Q(status="pending"),
            ),
            # Conversation page and cancel-on-resolve: a conversation's rows.
            models.Index(
                fields=["conversation", "status"], name="scheduled_conversation_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.conversation_id} at {self.send_at}"

    @property
    def is_recurring(self) -> bool:
        return self.every is not None

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def cadence(self) -> str:
        """ "24h" / "2d": `every` the way it is written on input ("" for once)."""
        if self.every is None:
            return ""
        hours = int(self.every.total_seconds() // 3600)
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours}h"

    @property
    def send_at_local(self) -> datetime:
        """The next run on the wall clock of the zone it was promised in."""
        return self.send_at.astimezone(ZoneInfo(self.timezone))


class ScheduledRun(models.Model):
    """One send of a scheduled email; its unique key makes a run happen once."""

    scheduled_email = models.ForeignKey(
        ScheduledEmail, on_delete=models.CASCADE, related_name="runs"
    )
    number = models.PositiveIntegerField()
    message = models.ForeignKey(
        "inbox.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_email", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheduled_email", "number"], name="scheduled_run_once"
            )
        ]

    def __str__(self) -> str:
        return f"run {self.number} of {self.scheduled_email_id}"

    @property
    def idempotency_key(self) -> str:
        return f"scheduled-{self.scheduled_email_id}-{self.number}"


class MilestoneAlert(models.Model):
    """The owner and followers were told this milestone is due; told once per due time."""

    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "due_at"], name="milestone_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"milestone of {self.conversation_id} due {self.due_at}"


class MailboxPolicy(models.Model):
    """Per-mailbox scheduler choices; a mailbox without a row uses the defaults."""

    mailbox = models.OneToOneField(
        "inbox.Mailbox", on_delete=models.CASCADE, related_name="scheduler_policy"
    )
    push_back_on_reply = models.BooleanField(
        default=True,
        help_text="A human reply before a promised update moves the update later "
        "by its own interval",
    )

    class Meta:
        verbose_name_plural = "mailbox policies"

    def __str__(self) -> str:
        return f"Scheduler policy of {self.mailbox_id}"
