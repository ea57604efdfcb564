from __future__ import annotations

from django.contrib import admin

from scheduler.models import MailboxPolicy, MilestoneAlert, ScheduledEmail, ScheduledRun


class RunInline(admin.TabularInline):
    model = ScheduledRun
    extra = 0
    readonly_fields = ["number", "message", "created_at"]
    can_delete = False


@admin.register(ScheduledEmail)
class ScheduledEmailAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "conversation",
        "kind",
        "status",
        "send_at",
        "every",
        "author",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["conversation__number", "body"]
    raw_id_fields = ["conversation", "author", "template"]
    readonly_fields = ["claimed_until", "run_count", "last_error", "created_at"]
    inlines = [RunInline]


@admin.register(MilestoneAlert)
class MilestoneAlertAdmin(admin.ModelAdmin):
    list_display = ["conversation", "due_at", "created_at"]
    raw_id_fields = ["conversation"]


@admin.register(MailboxPolicy)
class MailboxPolicyAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "push_back_on_reply"]
