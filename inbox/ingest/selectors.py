"""Reads for inbound mail that needs an admin: rejected, failed and stuck raw emails.

Only users allowed to manage inbound mail (`inbox.change_rawemail`, the admin
role) see them, and only for their own mailboxes plus mail that matched no
mailbox at all. Anything else is a 404, as everywhere in Replypad.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from inbox.models import RawEmail
from inbox.selectors import mailbox_ids_for

PERMISSION = "inbox.change_rawemail"
PROBLEM_STATUSES = (RawEmail.Status.REJECTED, RawEmail.Status.FAILED)
# A row still pending after this long was abandoned by a dead or killed worker.
STUCK_AFTER = timedelta(minutes=5)


def can_manage_inbound(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm(PERMISSION))


def _visible_raw_emails(user: Any) -> QuerySet[RawEmail]:
    if not can_manage_inbound(user):
        return RawEmail.objects.none()
    return RawEmail.objects.filter(
        Q(mailbox_id__in=mailbox_ids_for(user)) | Q(mailbox__isnull=True)
    )


def inbound_problems_for(user: Any, *, limit: int = 100) -> list[RawEmail]:
    """Newest rejected, failed or stuck mail the user may handle; served by `rawemail_problem_idx`."""
    stuck = Q(
        status=RawEmail.Status.PENDING,
        received_at__lt=timezone.now() - STUCK_AFTER,
    )
    return list(
        _visible_raw_emails(user)
        .filter(Q(status__in=PROBLEM_STATUSES) | stuck)
        .select_related("mailbox")
        .defer("raw")
        .order_by("-received_at", "-id")[:limit]
    )


def get_raw_email_for(user: Any, raw_email_id: int) -> RawEmail:
    """One raw email the user may handle; 404 if missing or not theirs."""
    raw_email = (
        _visible_raw_emails(user)
        .select_related("mailbox")
        .filter(pk=raw_email_id)
        .first()
    )
    if raw_email is None:
        raise Http404("No such email")
    return raw_email
