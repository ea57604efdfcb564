from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from templates_app import rendering, services
from templates_app.errors import TemplateInvalid
from templates_app.models import CannedTemplate, TemplateRevision


class RevisionInline(admin.TabularInline):
    model = TemplateRevision
    extra = 0
    readonly_fields = ["subject", "body", "edited_by", "created_at"]
    can_delete = False


class CannedTemplateForm(forms.ModelForm):
    """Same save-time checks as the API and the editor: syntax, safety, names."""

    class Meta:
        model = CannedTemplate
        fields = [
            "name",
            "shortcut",
            "category",
            "subject",
            "body",
            "mailboxes",
            "labels",
            "is_active",
        ]

    def _validated(
        self, name: str, limits: rendering.Limits, *, single_line: bool
    ) -> str:
        source = rendering.normalise_source(self.cleaned_data.get(name, ""))
        if source.strip():
            try:
                rendering.validate_template(
                    source, limits=limits, single_line=single_line
                )
            except TemplateInvalid as exc:
                raise forms.ValidationError(exc.messages) from exc
        return source

    def clean_subject(self) -> str:
        return self._validated("subject", rendering.SUBJECT_LIMITS, single_line=True)

    def clean_body(self) -> str:
        return self._validated("body", rendering.BODY_LIMITS, single_line=False)

    def clean_shortcut(self) -> str:
        shortcut = self.cleaned_data["shortcut"].strip().lstrip("/").lower()
        if not services.SHORTCUT_RE.match(shortcut):
            raise forms.ValidationError(
                "Use 1-50 lower-case letters, digits, '-' or '_'."
            )
        return shortcut


@admin.register(CannedTemplate)
class CannedTemplateAdmin(admin.ModelAdmin):
    form = CannedTemplateForm
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
    readonly_fields = ["usage_count", "last_used_at", "created_by"]
    inlines = [RevisionInline]

    def save_model(
        self, request: HttpRequest, obj: CannedTemplate, form: Any, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change or {"subject", "body"} & set(form.changed_data):
            services.record_revision(obj, by=request.user)
