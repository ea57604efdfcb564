"""Report filters, parsed in one place for the page, the API and CSV export."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.http import Http404, QueryDict
from django.utils import timezone

from inbox.models import Label
from inbox.selectors import labels, mailbox_ids_for, member_mailboxes
from insights.errors import InvalidFilter, ReportsForbidden
from templates_app.models import CannedTemplate

DEFAULT_DAYS = 30
MAX_DAYS = 366
INTERVALS = ("day", "week", "month")
DEFAULT_REPEAT_DAYS = 7
MAX_REPEAT_DAYS = 90


@dataclass(frozen=True)
class ReportFilters:
    """One period (whole days in the team's time zone, both ends included) and scope.

    `mailbox_ids` is what the caller may read, narrowed to `mailbox_id` when set.
    """

    start: date
    end: date
    mailbox_ids: tuple[int, ...]
    mailbox_id: int | None = None
    label_id: int | None = None
    agent_id: int | None = None
    template_id: int | None = None
    interval: str = "day"
    repeat_days: int = DEFAULT_REPEAT_DAYS

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def window(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: midnight to midnight after `end`."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def previous(self) -> ReportFilters:
        """The same number of days just before this period."""
        return replace(
            self,
            start=self.start - timedelta(days=self.days),
            end=self.start - timedelta(days=1),
        )

    def params(self, **changes: Any) -> dict[str, str]:
        state = replace(self, **changes)
        values = {
            "from": state.start.isoformat(),
            "to": state.end.isoformat(),
            "mailbox": state.mailbox_id,
            "label": state.label_id,
            "agent": state.agent_id,
            "template": state.template_id,
            "interval": state.interval if state.interval != "day" else None,
            "days": state.repeat_days
            if state.repeat_days != DEFAULT_REPEAT_DAYS
            else None,
        }
        return {key: str(value) for key, value in values.items() if value is not None}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))


def can_view_reports(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm("inbox.view_reports"))


def _date(params: QueryDict, field: str) -> date | None:
    value = params.get(field, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidFilter("Give a date as YYYY-MM-DD", field=field) from None


def _id(params: QueryDict, field: str) -> int | None:
    value = params.get(field, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidFilter(f"Give the {field} as a number (its id)", field=field)
    return int(value)


def parse_filters(user: Any, params: QueryDict) -> ReportFilters:
    """Read `from`, `to`, `mailbox`, `label`, `agent`, `template`, `interval` and
    `days` (repeat-contact window) from a query string.

    Raises ReportsForbidden without `view_reports`, InvalidFilter (400, naming
    the field) for bad input, and Http404 for a mailbox the user is not in.
    The period defaults to the last 30 days, today included.
    """
    if not can_view_reports(user):
        raise ReportsForbidden("Reports need the “view reports” permission")
    today = timezone.localdate()
    end = _date(params, "to") or today
    start = _date(params, "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidFilter("The period must start on or before its end", field="from")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidFilter(f"Choose at most {MAX_DAYS} days", field="from")
    allowed = tuple(mailbox_ids_for(user))
    mailbox_id = _id(params, "mailbox")
    if mailbox_id is not None and mailbox_id not in allowed:
        raise Http404("No such mailbox")
    label_id = _id(params, "label")
    if label_id is not None and not Label.objects.filter(pk=label_id).exists():
        raise InvalidFilter("No such label", field="label")
    agent_id = _id(params, "agent")
    if (
        agent_id is not None
        and not get_user_model().objects.filter(pk=agent_id).exists()
    ):
        raise InvalidFilter("No such agent", field="agent")
    template_id = _id(params, "template")
    if (
        template_id is not None
        and not CannedTemplate.objects.filter(pk=template_id).exists()
    ):
        raise InvalidFilter("No such canned reply", field="template")
    interval = params.get("interval", "day").strip() or "day"
    if interval not in INTERVALS:
        raise InvalidFilter("Choose day, week or month", field="interval")
    repeat_days = _id(params, "days")
    if repeat_days is None:
        repeat_days = DEFAULT_REPEAT_DAYS
    if not 1 <= repeat_days <= MAX_REPEAT_DAYS:
        raise InvalidFilter(
            f"Choose between 1 and {MAX_REPEAT_DAYS} days", field="days"
        )
    return ReportFilters(
        start=start,
        end=end,
        mailbox_ids=(mailbox_id,) if mailbox_id is not None else allowed,
        mailbox_id=mailbox_id,
        label_id=label_id,
        agent_id=agent_id,
        template_id=template_id,
        interval=interval,
        repeat_days=repeat_days,
    )


def filter_options(user: Any) -> dict[str, list[Any]]:
    """Choices for the filter form: only what the caller's mailboxes hold."""
    mailbox_ids = mailbox_ids_for(user)
    return {
        "mailboxes": member_mailboxes(user),
        "labels": list(labels()),
        "agents": list(
            get_user_model()
            .objects.filter(memberships__mailbox_id__in=mailbox_ids)
            .distinct()
            .order_by("username")
        ),
        "templates": list(CannedTemplate.objects.order_by("name")),
    }
