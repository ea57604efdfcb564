"""Internal notes, followers and in-app notifications."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class Note(models.Model):
    """An internal comment on a conversation: never part of any email to a customer."""

    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    body = models.TextField(help_text="Markdown source")
    body_html = models.TextField(
        blank=True, editable=False, help_text="Rendered and sanitised"
    )
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Conversation page and API: a conversation's notes in time order.
            models.Index(fields=["conversation", "created_at"], name="note_thread_idx"),
            # Sidebar: pinned notes of one conversation.
            models.Index(
                fields=["conversation", "pinned_at"],
                name="note_pinned_idx",
                condition=Q(pinned_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.conversation_id}"

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None


class NoteRevision(models.Model):
    """A body a note had before an edit; the note's history, oldest first."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(help_text="When this text was replaced")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Revision of note {self.note_id} at {self.created_at:%Y-%m-%d %H:%M}"


class NoteMention(models.Model):
    """A teammate @mentioned in a note; `notified` is False when they lacked access."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    notified = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "user"], name="note_mention_unique")
        ]

    def __str__(self) -> str:
        return f"@{self.user_id} in note {self.note_id}"


class NoteAttachment(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="notes/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class FollowerManager(models.Manager["Follower"]):
    def add(
        self, conversation: Any, user: Any, *, reason: str = "manual", by: Any = None
    ) -> tuple[Follower, bool]:
        """Idempotent upsert: a second call returns the existing row, created=False."""
        return self.get_or_create(
            conversation_id=conversation.pk,
            user_id=user.pk,
            defaults={"reason": reason, "added_by": by if by and by.pk else None},
        )

    def remove(self, conversation: Any, user: Any) -> bool:
        deleted, _ = self.filter(
            conversation_id=conversation.pk, user_id=user.pk
        ).delete()
        return bool(deleted)


class Follower(models.Model):
    """A teammate notified about a conversation's new messages, status and notes."""

    class Reason(models.TextChoices):
        MANUAL = "manual", "Followed"
        ADDED = "added", "Added by a teammate"
        MENTION = "mention", "Mentioned"
        ASSIGNED = "assigned", "Assigned"
        NOTE = "note", "Wrote a note"
        NEW_CONVERSATION = "new_conversation", "Follows new conversations"

    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="followers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following"
    )
    reason = models.CharField(
        max_length=20, choices=Reason.choices, default=Reason.MANUAL
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowerManager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="follower_unique"
            )
        ]
        indexes = [
            # "Conversations I follow": WHERE user_id = ?
            models.Index(fields=["user"], name="follower_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.conversation_id}"


class Notification(models.Model):
    """One thing a teammate should know about, shown in-app and maybe emailed."""

    class Verb(models.TextChoices):
        NEW_MESSAGE = "new_message", "New customer message"
        ASSIGNED = "assigned", "Assignment"
        MENTION = "mention", "Mention"
        STATUS_CHANGED = "status_changed", "Status change"
        NOTE_ADDED = "note_added", "New note"
        # Drafts and review (review app).
        REVIEW_REQUESTED = "review_requested", "Draft to review"
        DRAFT_APPROVED = "draft_approved", "Draft approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested on a draft"
        DRAFT_COMMENT = "draft_comment", "Comment on a draft"
        DRAFT_HELD = "draft_held", "Approved draft held back"
        MILESTONE_DUE = "milestone_due", "Milestone due"

    class EmailStatus(models.TextChoices):
        NONE = "", "Not emailed"
        PENDING = "pending", "Waiting for the digest"
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="notifications"
    )
    note = models.ForeignKey(
        Note,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.ForeignKey(
        "inbox.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10,
        choices=EmailStatus.choices,
        default=EmailStatus.NONE,
        blank=True,
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Notification list: WHERE recipient_id = ? ORDER BY created_at DESC, id DESC
            models.Index(
                "recipient",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="notification_list_idx",
            ),
            # Bell: count of WHERE recipient_id = ? AND read_at IS NULL.
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            # Digest sender: pending rows, oldest first.
            models.Index(
                fields=["created_at"],
                name="notification_email_due_idx",
                condition=Q(email_status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} for {self.recipient_id} on {self.conversation_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def summary(self) -> str:
        """One line saying what happened, for the list, the bell and email.

        Built from `data` only (no queries) and never quoting a note.
        """
        actor = self.data.get("actor_name") or "Replypad"
        if self.verb == self.Verb.NEW_MESSAGE:
            customer = self.data.get("customer_name") or "The customer"
            snippet = self.data.get("snippet")
            return f"{customer} wrote: “{snippet}”" if snippet else f"{customer} wrote"
        if self.verb == self.Verb.ASSIGNED:
            if self.data.get("assignee") is None:
                return f"{actor} unassigned it"
            if self.data.get("assignee") == self.recipient_id:
                return f"{actor} assigned it to you"
            return f"{actor} assigned it to {self.data.get('assignee_name')}"
        if self.verb == self.Verb.MENTION:
            return f"{actor} mentioned you in a note"
        if self.verb == self.Verb.STATUS_CHANGED:
            return (
                f"{actor} changed the status from {self.data.get('old')} "
                f"to {self.data.get('new')}"
            )
        if self.verb in DRAFT_SUMMARIES:
            return DRAFT_SUMMARIES[self.verb].format(actor=actor)
        if self.verb == self.Verb.MILESTONE_DUE:
            return f"Milestone “{self.data.get('milestone')}” is due"
        return f"{actor} wrote a note"


DRAFT_SUMMARIES = {
    Notification.Verb.REVIEW_REQUESTED: "{actor} asked you to review a draft",
    Notification.Verb.DRAFT_APPROVED: "{actor} approved your draft",
    Notification.Verb.CHANGES_REQUESTED: "{actor} asked for changes to your draft",
    Notification.Verb.DRAFT_COMMENT: "{actor} commented on a draft",
    Notification.Verb.DRAFT_HELD: (
        "The customer wrote again: the draft you approved is back in review"
    ),
}


class NotificationPreference(models.Model):
    """A user's choice for one kind of event; absent rows mean the defaults.

    `auto_follow` is the rule for becoming a follower on that event: on
    `new_message`, follow every new conversation in my mailboxes; on `assigned`,
    follow what is assigned to me; on `note_added`, follow where I write a note.
    Mentions always make the mentioned teammate a follower.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(max_length=20, choices=Notification.Verb.choices)
    email = models.BooleanField(default=False)
    auto_follow = models.BooleanField(default=False)

    class Meta:
        ordering = ["user", "event"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"], name="notification_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.event}"
