"""Email for notifications, batched: everything pending for one teammate in one email.

The first pending notification opens a window (REPLYPAD_NOTIFY_DIGEST_SECONDS,
default 120); when it has passed, one email carries every pending row. Rows are
claimed with SKIP LOCKED and committed before the ESP call, then finished with a
conditional update, so any number of workers can run this with no double sends.
Notification emails name what happened and link to it; they never quote a note.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from inbox.selectors import mailbox_ids_for
from notes.models import Notification

logger = logging.getLogger(__name__)
Status = Notification.EmailStatus
BATCH_USERS = 200


def digest_window() -> timedelta:
    return timedelta(seconds=getattr(settings, "REPLYPAD_NOTIFY_DIGEST_SECONDS", 120))


def send_due_digests(*, now: datetime | None = None) -> int:
    """Send one email to every teammate whose oldest pending notification is due.

    Returns the number of emails sent.
    """
    now = now or timezone.now()
    due_users = list(
        Notification.objects.filter(email_status=Status.PENDING)
        .values("recipient_id")
        .annotate(first=Min("created_at"))
        .filter(first__lte=now - digest_window())
        .order_by("first")
        .values_list("recipient_id", flat=True)[:BATCH_USERS]
    )
    return sum(1 for user_id in due_users if send_digest(user_id, now=now))


def _claim(user_id: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient_id=user_id, email_status=Status.PENDING)
            .values_list("id", flat=True)
        )
        Notification.objects.filter(id__in=ids).update(email_status=Status.CLAIMED)
    return ids


def send_digest(user_id: int, *, now: datetime | None = None) -> bool:
    """Email the user's pending notifications in one message; True if one was sent.

    Rows on conversations the user can no longer see are skipped, not sent.
    """
    now = now or timezone.now()
    ids = _claim(user_id)
    if not ids:
        return False
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    visible = set(mailbox_ids_for(user)) if user is not None else set()
    rows = list(
        Notification.objects.filter(id__in=ids)
        .select_related("conversation", "conversation__mailbox")
        .order_by("created_at", "id")
    )
    sendable = [row for row in rows if row.conversation.mailbox_id in visible]
    skipped = [row.pk for row in rows if row not in sendable]
    if skipped:
        Notification.objects.filter(id__in=skipped).update(email_status=Status.SKIPPED)
    if not sendable or user is None or not user.email:
        Notification.objects.filter(id__in=ids, email_status=Status.CLAIMED).update(
            email_status=Status.SKIPPED
        )
        return False
    try:
        build_digest(user, sendable).send()
    except Exception:
        # Back to pending: the next run retries the whole batch.
        Notification.objects.filter(id__in=ids, email_status=Status.CLAIMED).update(
            email_status=Status.PENDING
        )
        logger.exception("Notification digest for user %s failed", user_id)
        return False
    finished = Notification.objects.filter(
        id__in=[row.pk for row in sendable], email_status=Status.CLAIMED
    ).update(email_status=Status.SENT, emailed_at=now)
    if finished != len(sendable):
        logger.warning(
            "Digest for user %s finished %s of %s rows",
            user_id,
            finished,
            len(sendable),
        )
    return True


def build_digest(user: Any, rows: list[Notification]) -> EmailMultiAlternatives:
    """The email for these notifications: one section per conversation."""
    base = settings.REPLYPAD_BASE_URL.rstrip("/")
    groups: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for row in rows:
        group = groups.setdefault(
            row.conversation_id,
            {
                "conversation": row.conversation,
                "url": base
                + reverse("frontend:conversation-detail", args=[row.conversation_id]),
                "items": [],
            },
        )
        group["items"].append({"summary": row.summary, "at": row.created_at})
    context = {
        "user": user,
        "count": len(rows),
        "groups": list(groups.values()),
        "single": rows[0] if len(rows) == 1 else None,
        "settings_url": base + reverse("frontend:notification-settings"),
        "notifications_url": base + reverse("frontend:notifications"),
    }
    subject = " ".join(
        render_to_string("notes/emails/digest-subject.txt", context).split()
    )
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notes/emails/digest-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "Message-ID": make_msgid(
                domain=settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
            ),
            # RFC 3834: machine-generated, so autoresponders stay quiet.
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(
        render_to_string("notes/emails/digest-body.html", context), "text/html"
    )
    email.tags = ["notification-digest"]  # type: ignore[attr-defined]
    return email
