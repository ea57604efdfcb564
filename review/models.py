"""Drafts of replies, their revisions, review comments and approvals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Draft(models.Model):
    """A reply being written, reviewed and finally sent through inbox.outbound."""

    class State(models.TextChoices):
        EDITING = "editing", "Editing"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="drafts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafts"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drafts_to_review",
        help_text="The person asked to review; empty = any lead of the mailbox",
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.EDITING
    )
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    body = models.TextField(blank=True)
    template = models.ForeignKey(
        "templates_app.CannedTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ask = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    findings = models.JSONField(
        default=list, blank=True, help_text="Empathy rule ids found in the body"
    )
    lock_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lock_expires_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(
        "inbox.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The reply this draft became",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            # The composer autosaves into "my draft here": one open draft per
            # author and conversation.
            models.UniqueConstraint(
                fields=["conversation", "author"],
                condition=Q(
                    state__in=["editing", "in_review", "changes_requested", "approved"]
                ),
                name="draft_one_open_per_author",
            )
        ]
        indexes = [
            # Review queue: WHERE state = 'in_review' ORDER BY submitted_at, id.
            models.Index(
                fields=["submitted_at", "id"],
                name="draft_review_queue_idx",
                condition=Q(state="in_review"),
            ),
            # Conversation page: the open drafts of one conversation.
            models.Index(fields=["conversation", "state"], name="draft_conv_idx"),
        ]

    def __str__(self) -> str:
        return f"Draft {self.pk} ({self.state}) on {self.conversation_id}"

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.SENT, self.State.CANCELLED)

    @property
    def findings_count(self) -> int:
        return len(self.findings)


State = Draft.State
# The state machine; review.services owns every move along it.
TRANSITIONS: dict[str, set[str]] = {
    State.EDITING: {State.IN_REVIEW, State.SENT, State.CANCELLED},
    State.IN_REVIEW: {
        State.APPROVED,
        State.CHANGES_REQUESTED,
        State.EDITING,
        State.CANCELLED,
    },
    State.CHANGES_REQUESTED: {State.IN_REVIEW, State.EDITING, State.CANCELLED},
    # Back to in_review: an edit voids the approval, or the customer wrote again.
    State.APPROVED: {State.SENT, State.IN_REVIEW, State.CANCELLED},
    # Undo-send puts the reply back into its draft.
    State.SENT: {State.EDITING},
    State.CANCELLED: set(),
}


class DraftRevision(models.Model):
    """Every saved version of a draft's body, with who saved it."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    body = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["draft", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "version"], name="draft_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Draft {self.draft_id} v{self.version}"


class DraftApproval(models.Model):
    """Who approved which body, and when; void once the body changes after it."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="approvals")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField()
    body = models.TextField()
    comment = models.TextField(blank=True)
    approved_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-approved_at", "-id"]
        constraints = [
            # Two leads approving at once: the row lock lets one through, and
            # this keeps it so should anything go around the service.
            models.UniqueConstraint(
                fields=["draft"],
                condition=Q(voided_at__isnull=True),
                name="draft_one_standing_approval",
            )
        ]

    def __str__(self) -> str:
        return f"Approval of draft {self.draft_id} v{self.version} by {self.by_id}"


class ReviewComment(models.Model):
    """A comment on a passage of a draft (start/end offsets and the quoted text),
    or a reply to one (`parent`). Once the text under the offsets no longer
    matches the quote, the comment is outdated but kept."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True)
    version = models.PositiveIntegerField(help_text="Draft version commented on")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on draft {self.draft_id}"

    def is_outdated(self, body: str) -> bool:
        if self.start is None or self.end is None:
            return False
        return body[self.start : self.end] != self.quote


class ReviewRules(models.Model):
    """A mailbox's rule-based review policy (Mailbox.ReviewPolicy.RULES): a reply
    needs review when any rule set here matches."""

    mailbox = models.OneToOneField(
        "inbox.Mailbox", on_delete=models.CASCADE, related_name="review_rules"
    )
    sentiment_below = models.FloatField(
        null=True,
        blank=True,
        help_text="Customer's latest sentiment (-1…1) below this needs review",
    )
    labels = models.JSONField(
        default=list, blank=True, help_text='Label names, e.g. ["legal"]'
    )
    empathy_blockers = models.BooleanField(
        default=True, help_text="A blocker finding from the empathy checker"
    )

    class Meta:
        verbose_name = "review rules"
        verbose_name_plural = "review rules"

    def __str__(self) -> str:
        return f"Review rules of {self.mailbox_id}"
