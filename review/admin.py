from __future__ import annotations

from django.contrib import admin

from review.models import (
    Draft,
    DraftApproval,
    DraftRevision,
    ReviewComment,
    ReviewRules,
)


class DraftRevisionInline(admin.TabularInline):
    model = DraftRevision
    extra = 0
    readonly_fields = ["version", "body", "by", "created_at"]
    can_delete = False


class DraftApprovalInline(admin.TabularInline):
    model = DraftApproval
    extra = 0
    readonly_fields = ["by", "version", "comment", "approved_at", "voided_at"]
    exclude = ["body"]
    can_delete = False


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    """Read-only: state changes go through review.services, never the admin."""

    list_display = ["id", "conversation", "author", "state", "version", "updated_at"]
    list_filter = ["state"]
    search_fields = ["body", "author__username", "conversation__subject"]
    raw_id_fields = ["conversation", "message", "template"]
    inlines = [DraftRevisionInline, DraftApprovalInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ["id", "draft", "author", "created_at", "resolved_at"]
    raw_id_fields = ["draft", "parent"]


@admin.register(ReviewRules)
class ReviewRulesAdmin(admin.ModelAdmin):
    """Used when the mailbox's review policy is "Rule-based"."""

    list_display = ["mailbox", "sentiment_below", "labels", "empathy_blockers"]
