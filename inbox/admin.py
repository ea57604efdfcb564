from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import admin
from django.utils.html import format_html

from inbox.ingest import retry_raw_email
from inbox.ingest.pipeline import RETRYABLE
from inbox.models import (
    Attachment,
    Conversation,
    ConversationLabel,
    Customer,
    Event,
    ImapAccount,
    Label,
    Mailbox,
    Membership,
    Message,
    RawEmail,
)
from inbox.outbound.admin import cancel_sending, retry_sending


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class ImapAccountInline(admin.StackedInline):
    model = ImapAccount
    extra = 0


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "review_policy",
        "empathy_mode",
        "auto_reply_enabled",
    ]
    search_fields = ["name", "email"]
    inlines = [MembershipInline, ImapAccountInline]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "company", "created_at"]
    search_fields = ["email", "name", "company"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "colour"]
    search_fields = ["name"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["kind", "from_email", "subject", "created_at", "delivery_status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False


class LabelLinkInline(admin.TabularInline):
    model = ConversationLabel
    extra = 0
    readonly_fields = ["applied_at", "applied_by", "removed_at", "removed_by"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "subject",
        "mailbox",
        "customer",
        "status",
        "assignee",
        "last_activity_at",
    ]
    list_filter = ["mailbox", "status"]
    search_fields = ["=number", "subject", "customer__email"]
    raw_id_fields = ["customer", "assignee", "escalation_owner"]
    readonly_fields = [
        "number",
        "message_count",
        "reopen_count",
        "first_response_at",
        "resolved_at",
    ]
    inlines = [LabelLinkInline, MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "message_id",
        "kind",
        "from_email",
        "subject",
        "created_at",
        "delivery_status",
    ]
    list_filter = ["kind", "delivery_status", "mailbox"]
    search_fields = ["message_id", "from_email", "subject"]
    raw_id_fields = ["conversation", "raw_email", "author"]
    exclude = ["search_vector"]
    actions = [retry_sending, cancel_sending]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "content_type", "size", "sha256"]
    raw_id_fields = ["message"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["conversation", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["conversation", "actor"]


class RawEmailProblemFilter(admin.SimpleListFilter):
    """Rejected and failed mail first: the admin's to-do list for inbound trouble."""

    title = "needs attention"
    parameter_name = "problem"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Rejected or failed"), ("no", "Processed or duplicate")]

    def queryset(self, request: Any, queryset: Any) -> Any:
        problems = [RawEmail.Status.REJECTED, RawEmail.Status.FAILED]
        if self.value() == "yes":
            return queryset.filter(status__in=problems)
        if self.value() == "no":
            return queryset.exclude(status__in=problems)
        return queryset


@admin.register(RawEmail)
class RawEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "source", "mailbox", "size", "status", "reason"]
    list_filter = [RawEmailProblemFilter, "status", "source", "mailbox"]
    search_fields = ["=sha256", "envelope_recipient", "reason"]
    exclude = ["raw"]
    readonly_fields = [
        "mailbox",
        "source",
        "status",
        "reason",
        "envelope_recipient",
        "sha256",
        "size",
        "received_at",
        "processed_at",
        "raw_preview",
    ]
    actions = ["retry"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    @admin.display(description="Raw source (first 20 kB)")
    def raw_preview(self, obj: RawEmail) -> str:
        text = bytes(obj.raw[:20_000]).decode("utf-8", "replace")
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", text)

    @admin.action(description="Retry processing the selected mail")
    def retry(self, request: Any, queryset: Any) -> None:
        outcomes: Counter[str] = Counter()
        for raw_email in queryset.filter(status__in=RETRYABLE).order_by("received_at"):
            outcomes[retry_raw_email(raw_email, by=request.user).status] += 1
        summary = ", ".join(
            f"{status} {count}" for status, count in sorted(outcomes.items())
        )
        self.message_user(
            request, f"Retried {outcomes.total()}: {summary or 'nothing to retry'}"
        )
