from __future__ import annotations

from django.contrib import admin

from notes.models import (
    Follower,
    Note,
    NoteAttachment,
    NoteMention,
    NoteRevision,
    Notification,
    NotificationPreference,
)


class NoteRevisionInline(admin.TabularInline):
    model = NoteRevision
    extra = 0
    fields = ["created_at", "edited_by", "body"]
    readonly_fields = fields
    can_delete = False


class NoteMentionInline(admin.TabularInline):
    model = NoteMention
    extra = 0
    fields = ["user", "notified"]
    readonly_fields = fields
    can_delete = False


class NoteAttachmentInline(admin.TabularInline):
    model = NoteAttachment
    extra = 0
    fields = ["filename", "content_type", "size", "sha256"]
    readonly_fields = fields


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "conversation",
        "author",
        "created_at",
        "edited_at",
        "pinned_at",
    ]
    list_filter = ["conversation__mailbox"]
    search_fields = ["body", "conversation__subject", "author__username"]
    raw_id_fields = ["conversation", "author", "pinned_by"]
    readonly_fields = ["body_html", "created_at", "edited_at"]
    inlines = [NoteMentionInline, NoteAttachmentInline, NoteRevisionInline]


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["conversation", "user", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["user__username", "conversation__subject"]
    raw_id_fields = ["conversation", "user", "added_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "recipient",
        "verb",
        "conversation",
        "created_at",
        "read_at",
        "email_status",
    ]
    list_filter = ["verb", "email_status"]
    search_fields = ["recipient__username"]
    raw_id_fields = ["recipient", "actor", "conversation", "note", "message"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "email", "auto_follow"]
    list_filter = ["event", "email", "auto_follow"]
    search_fields = ["user__username"]
