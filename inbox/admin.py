from __future__ import annotations

from django.contrib import admin

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
    raw_id_fields = ["conversation", "raw_email", "author", "template"]
    exclude = ["search_vector"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "content_type", "size", "sha256"]
    raw_id_fields = ["message"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["conversation", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["conversation", "actor"]


@admin.register(RawEmail)
class RawEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "source", "mailbox", "size", "status", "reason"]
    list_filter = ["status", "source"]
    exclude = ["raw"]
    readonly_fields = ["sha256", "size", "received_at", "processed_at"]
