"""Canned replies: reusable subject/body with placeholders, scoped to mailboxes."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CannedTemplate(models.Model):
    name = models.CharField(max_length=200)
    shortcut = models.SlugField(
        max_length=50, unique=True, help_text="Typed as /shortcut"
    )
    subject = models.CharField(max_length=998, blank=True)
    body = models.TextField()
    mailboxes = models.ManyToManyField(
        "inbox.Mailbox",
        blank=True,
        related_name="templates",
        help_text="Empty = every mailbox",
    )
    labels = models.ManyToManyField("inbox.Label", blank=True, related_name="templates")
    category = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            # Typed as /shortcut in the composer; services lower-case it first.
            models.CheckConstraint(
                condition=models.Q(shortcut__regex=r"^[a-z0-9][a-z0-9_-]*$"),
                name="canned_template_shortcut_format",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TemplateRevision(models.Model):
    template = models.ForeignKey(
        CannedTemplate, on_delete=models.CASCADE, related_name="revisions"
    )
    subject = models.CharField(max_length=998, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template} @ {self.created_at:%Y-%m-%d %H:%M}"


class TemplateUse(models.Model):
    """The canned reply a sent message was written from; reports group by it."""

    message = models.OneToOneField(
        "inbox.Message",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="template_use",
    )
    template = models.ForeignKey(
        CannedTemplate, on_delete=models.CASCADE, related_name="uses"
    )
    used_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Reports: messages written from one template in a period.
            models.Index(
                fields=["template", "used_at"], name="templateuse_template_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → message {self.message_id}"
