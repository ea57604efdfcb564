from __future__ import annotations

from django.contrib import admin

from templates_app.models import CannedTemplate, TemplateRevision


class RevisionInline(admin.TabularInline):
    model = TemplateRevision
    extra = 0
    readonly_fields = ["subject", "body", "edited_by", "created_at"]
    can_delete = False


@admin.register(CannedTemplate)
class CannedTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "shortcut",
        "category",
        "is_active",
        "usage_count",
        "last_used_at",
    ]
    list_filter = ["is_active", "category"]
    search_fields = ["name", "shortcut", "body"]
    filter_horizontal = ["mailboxes", "labels"]
    inlines = [RevisionInline]
