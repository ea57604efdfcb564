"""Roles are Django groups. Leads get the review/report permissions; admins get all."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

AGENT, LEAD, ADMIN = "agent", "lead", "admin"
LEAD_PERMISSIONS = ["review_draft", "view_reports", "publish_postmortem"]


def ensure_roles(**_: Any) -> None:
    """Create the three groups and give them their permissions; safe to run again."""
    Group.objects.get_or_create(name=AGENT)
    lead, _ = Group.objects.get_or_create(name=LEAD)
    admin, _ = Group.objects.get_or_create(name=ADMIN)
    lead_perms = Permission.objects.filter(
        content_type__app_label="inbox", codename__in=LEAD_PERMISSIONS
    )
    lead.permissions.add(*lead_perms)
    admin.permissions.set(Permission.objects.all())


def is_lead(user: Any) -> bool:
    return user.is_authenticated and user.has_perm("inbox.review_draft")
