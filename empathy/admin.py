from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from empathy.models import MailboxLanguage, PhraseRule


@admin.register(PhraseRule)
class PhraseRuleAdmin(admin.ModelAdmin):
    list_display = [
        "rule",
        "phrase",
        "severity",
        "kind",
        "language",
        "mailbox",
        "is_active",
    ]
    list_filter = ["language", "severity", "kind", "is_active", "mailbox", "rule"]
    list_editable = ["is_active"]
    search_fields = ["rule", "phrase", "suggestion", "message"]
    list_select_related = ["mailbox"]
    fields = [
        "mailbox",
        "language",
        "rule",
        "kind",
        "phrase",
        "severity",
        "message",
        "suggestion",
        "is_active",
    ]
    actions = ["activate", "deactivate"]

    @admin.action(description="Switch selected rules on")
    def activate(self, request: HttpRequest, queryset: QuerySet[PhraseRule]) -> None:
        queryset.update(is_active=True)

    @admin.action(description="Switch selected rules off")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[PhraseRule]) -> None:
        queryset.update(is_active=False)


@admin.register(MailboxLanguage)
class MailboxLanguageAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "language"]
    list_select_related = ["mailbox"]
