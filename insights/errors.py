"""Refusals the reports answer with: bad filters (400) and no permission (403)."""

from __future__ import annotations

from replypad.errors import PermissionDeniedError, ReplypadError


class InvalidFilter(ReplypadError):
    """A report filter the user can correct; `field` names the query parameter."""


class ReportsForbidden(PermissionDeniedError):
    """The user lacks `inbox.view_reports`."""
