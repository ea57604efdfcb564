"""The shared inbox: mailboxes, customers, conversations, messages, labels, timeline."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from inbox.sentiment import is_upset


class Mailbox(models.Model):
    class ReviewPolicy(models.TextChoices):
        NOBODY = "nobody", "Nobody"
        NEW_AGENTS = "new_agents", "New agents"
        EVERYONE = "everyone", "Everyone"
        # The mailbox's review rules (review.ReviewRules) decide reply by reply.
        RULES = "rules", "Rule-based"

    class EmpathyMode(models.TextChoices):
        WARN = "warn", "Warn only"
        BLOCK = "block", "Blockers prevent sending"

    name = models.CharField(max_length=100)
    email = models.EmailField(
        unique=True, help_text="The support address, e.g. support@acme.test"
    )
    signature = models.TextField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="mailboxes"
    )
    auto_reply_enabled = models.BooleanField(default=False)
    auto_reply_subject = models.CharField(max_length=200, blank=True)
    auto_reply_body = models.TextField(blank=True)
    review_policy = models.CharField(
        max_length=20, choices=ReviewPolicy.choices, default=ReviewPolicy.NOBODY
    )
    empathy_mode = models.CharField(
        max_length=10, choices=EmpathyMode.choices, default=EmpathyMode.WARN
    )
    check_in_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days after resolution to ask how it went; empty = never",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[-1]


class Membership(models.Model):
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    needs_review = models.BooleanField(
        default=False, help_text="New agent: drafts go to review when the mailbox asks"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "user"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.mailbox.name}"


class Customer(models.Model):
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(
        max_length=64, blank=True, help_text="IANA name, e.g. Europe/Paris"
    )
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            # Case-insensitive identity: Bob@X.test and bob@x.test are one customer.
            models.UniqueConstraint(Lower("email"), name="customer_email_ci_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class Label(models.Model):
    name = models.CharField(max_length=50, unique=True)
    colour = models.CharField(max_length=7, default="#6b7280", help_text="#rrggbb")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        SNOOZED = "snoozed", "Snoozed"
        RESOLVED = "resolved", "Resolved"

    number = models.PositiveIntegerField(unique=True, editable=False)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, related_name="conversations"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="conversations"
    )
    subject = models.CharField(max_length=998, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(db_index=False)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    message_count = models.PositiveIntegerField(default=0)
    snippet = models.CharField(max_length=255, blank=True)
    sentiment_first = models.FloatField(null=True, blank=True)
    sentiment_last = models.FloatField(null=True, blank=True)
    escalation_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
    )
    milestone = models.CharField(
        max_length=255, blank=True, help_text="Next escalation milestone"
    )
    milestone_due_at = models.DateTimeField(null=True, blank=True)
    next_update_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the customer was promised the next update",
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        permissions = [
            ("review_draft", "Can review, edit and approve drafts"),
            ("view_reports", "Can read trend reports"),
            ("publish_postmortem", "Can publish post-mortems"),
        ]
        indexes = [
            # Inbox folders: WHERE mailbox_id = ? AND status = ?
            # ORDER BY last_activity_at DESC, id DESC, read as a keyset page.
            models.Index(
                "mailbox",
                "status",
                models.F("last_activity_at").desc(),
                models.F("id").desc(),
                name="conversation_inbox_idx",
            ),
            # "Mine" folder: WHERE assignee_id = ? AND status = ? ORDER BY ...
            models.Index(
                "assignee",
                "status",
                models.F("last_activity_at").desc(),
                models.F("id").desc(),
                name="conversation_assignee_idx",
            ),
            # Customer sidebar: the customer's other conversations, newest first.
            models.Index(
                "customer",
                models.F("last_activity_at").desc(),
                name="conversation_customer_idx",
            ),
            # Beat's wake-up query: snoozed rows whose time has come.
            models.Index(
                fields=["snoozed_until"],
                name="conversation_snoozed_idx",
                condition=Q(status="snoozed"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_customer_upset(self) -> bool:
        """The latest customer message scored negative (the inbox list's badge)."""
        return is_upset(self.sentiment_last)


class ConversationLabel(models.Model):
    """A label on a conversation; removing it stamps removed_at so history stays exact."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="label_links"
    )
    label = models.ForeignKey(
        Label, on_delete=models.CASCADE, related_name="conversation_links"
    )
    applied_at = models.DateTimeField()
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "label"],
                condition=Q(removed_at__isnull=True),
                name="conversation_label_current_unique",
            )
        ]
        indexes = [
            # Reports: label volume over time.
            models.Index(
                fields=["label", "applied_at"], name="conversation_label_time_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} on {self.conversation_id}"


class RawEmail(models.Model):
    """Inbound bytes exactly as received, stored before any parsing."""

    class Source(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        IMPORT = "import", "Import"
        IMAP = "imap", "IMAP"
        API = "api", "API"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"
        DUPLICATE = "duplicate", "Duplicate"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"

    mailbox = models.ForeignKey(
        Mailbox,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raw_emails",
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    envelope_recipient = models.CharField(max_length=320, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # Admin list of rejected, failed and stuck pending mail.
            models.Index(
                fields=["status", "received_at"],
                name="rawemail_problem_idx",
                condition=Q(status__in=["rejected", "failed", "pending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.sha256[:12]} ({self.status})"


class Message(models.Model):
    class Kind(models.TextChoices):
        INBOUND = "inbound", "Customer message"
        REPLY = "reply", "Reply"
        AUTO_REPLY = "auto_reply", "Auto-reply"
        SCHEDULED_UPDATE = "scheduled_update", "Scheduled update"
        CHECK_IN = "check_in", "Check-in"
        POST_MORTEM = "post_mortem", "Post-mortem"

    class DeliveryStatus(models.TextChoices):
        NONE = "", "—"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, related_name="messages"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_messages",
    )
    from_email = models.EmailField(max_length=320)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    text = models.TextField(
        blank=True, help_text="Full plain text, quoted history included"
    )
    visible_text = models.TextField(blank=True, help_text="Text shown in the thread")
    html = models.TextField(blank=True, help_text="Sanitised HTML")
    message_id = models.CharField(max_length=998)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    raw_email = models.ForeignKey(
        RawEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    date_header = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_after = models.DateTimeField(
        null=True, blank=True, help_text="Undo-send window ends"
    )
    # "Send & resolve": the status change this reply made, so undo can put the
    # conversation back unless someone has changed its status since.
    status_before_reply = models.CharField(
        max_length=10, choices=Conversation.Status.choices, blank=True, db_default=""
    )
    status_after_reply = models.CharField(
        max_length=10, choices=Conversation.Status.choices, blank=True, db_default=""
    )
    delivery_status = models.CharField(
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.NONE,
        blank=True,
    )
    delivery_detail = models.TextField(blank=True)
    send_attempts = models.PositiveIntegerField(
        db_default=0, help_text="Times a worker claimed it for sending"
    )
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A sending worker's lease; expired = re-claimed",
    )
    esp_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    sentiment = models.FloatField(null=True, blank=True)
    sentiment_label = models.CharField(max_length=10, blank=True)
    empathy_findings = models.JSONField(
        default=list, blank=True, help_text="Rule ids found at send"
    )
    empathy_override_reason = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    # Outlook's Thread-Index names the thread in its first 22 bytes (base64 here);
    # inbound threading falls back to it when In-Reply-To/References are missing.
    thread_index_root = models.CharField(max_length=44, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Inbound dedupe and threading lookups: (mailbox, Message-ID).
            models.UniqueConstraint(
                fields=["mailbox", "message_id"],
                name="message_mailbox_message_id_unique",
            )
        ]
        indexes = [
            # Conversation page: the thread in time order.
            models.Index(
                fields=["conversation", "created_at"], name="message_thread_idx"
            ),
            # Inbound threading: WHERE mailbox_id = ? AND thread_index_root = ?
            models.Index(
                fields=["mailbox", "thread_index_root"],
                name="message_thread_index_idx",
                condition=~Q(thread_index_root=""),
            ),
            # Outbound worker: messages waiting to be sent.
            models.Index(
                fields=["send_after"],
                name="message_queued_idx",
                condition=Q(delivery_status="queued"),
            ),
            # Outbound dispatcher: sends whose worker died (lease expired).
            models.Index(
                fields=["claimed_until"],
                name="message_sending_lease_idx",
                condition=Q(delivery_status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"

    @property
    def is_outbound(self) -> bool:
        return self.kind != self.Kind.INBOUND

    @property
    def send_stalled(self) -> bool:
        """Sending, but its worker's lease ran out: the worker died mid-send."""
        return (
            self.delivery_status == self.DeliveryStatus.SENDING
            and self.claimed_until is not None
            and self.claimed_until < timezone.now()
        )


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_id = models.CharField(max_length=255, blank=True)
    is_inline = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.filename


class Event(models.Model):
    """One row in a conversation's timeline: who did what, when.

    History only: nothing reads events to decide what to do next; state that
    matters (send attempts, the status an undo restores) lives in fields. Each
    kind has one writer in an app's events.py.
    """

    class Kind(models.TextChoices):
        CONVERSATION_CREATED = "conversation_created", "Conversation created"
        MESSAGE_ADDED = "message_added", "Message added"
        CONVERSATION_ASSIGNED = "conversation_assigned", "Conversation assigned"
        STATUS_CHANGED = "status_changed", "Status changed"
        CONVERSATION_SNOOZED = "conversation_snoozed", "Conversation snoozed"
        CONVERSATION_UNSNOOZED = "conversation_unsnoozed", "Conversation unsnoozed"
        CONVERSATION_REOPENED = "conversation_reopened", "Conversation reopened"
        CONVERSATION_MOVED = "conversation_moved", "Conversation moved"
        LABEL_ADDED = "label_added", "Label added"
        LABEL_REMOVED = "label_removed", "Label removed"
        REPLY_CANCELLED = "reply_cancelled", "Reply cancelled"
        MESSAGE_REQUEUED = "message_requeued", "Message queued again"
        DELIVERY_DEFERRED = "delivery_deferred", "Delivery deferred"
        MESSAGE_FAILED = "message_failed", "Message failed"
        MESSAGE_BOUNCED = "message_bounced", "Message bounced"
        MESSAGE_COMPLAINED = "message_complained", "Spam complaint"
        EMPATHY_OVERRIDDEN = "empathy_overridden", "Empathy blockers overridden"
        DRAFT_SUBMITTED = "draft_submitted", "Draft submitted for review"
        DRAFT_APPROVED = "draft_approved", "Draft approved"
        DRAFT_APPROVAL_VOIDED = "draft_approval_voided", "Draft approval voided"
        DRAFT_CHANGES_REQUESTED = "draft_changes_requested", "Changes requested"
        DRAFT_WITHDRAWN = "draft_withdrawn", "Draft withdrawn from review"
        DRAFT_CANCELLED = "draft_cancelled", "Draft cancelled"
        DRAFT_SENT = "draft_sent", "Draft sent"
        DRAFT_HELD = "draft_held", "Approved draft held"
        DRAFT_REOPENED = "draft_reopened", "Draft reopened"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Conversation page: events interleaved with messages in time order.
            models.Index(
                fields=["conversation", "created_at"], name="event_timeline_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.conversation_id}"


class ImapAccount(models.Model):
    mailbox = models.OneToOneField(
        Mailbox, on_delete=models.CASCADE, related_name="imap"
    )
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=255)
    password = models.CharField(max_length=255)
    folder = models.CharField(max_length=255, default="INBOX")
    enabled = models.BooleanField(default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "IMAP account"

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"


class Sequence(models.Model):
    """Named counters (conversation numbers), advanced under a row lock."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
