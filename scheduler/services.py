"""Writes for scheduled emails and escalations, and the dispatcher that sends them.

Exactly once: `claim_due` takes due rows with FOR UPDATE SKIP LOCKED and
leases them; `send_scheduled` re-reads the row locked, sends only the run it
was handed (`run_count` still equal), and records that run as a ScheduledRun
whose (scheduled email, number) is unique, in the same transaction as the
queued message. A worker that dies before commit leaves nothing behind; its
lease runs out and the next tick claims the row again for the same run.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from inbox import selectors as inbox_selectors
from inbox import services as inbox_services
from inbox.models import Conversation, Message
from inbox.outbound import compose
from inbox.outbound.replies import MAX_BODY_CHARS, queue_automatic_message, send_reply
from notes.models import Notification
from notes.services import notify_followers
from replypad.errors import ReplypadError
from scheduler.errors import (
    InvalidCadence,
    InvalidTimezone,
    InvalidUntil,
    MilestoneInPast,
    NoSendTime,
    NothingToSend,
    NotPending,
    SendTimeInPast,
)
from scheduler.models import MailboxPolicy, MilestoneAlert, ScheduledEmail, ScheduledRun
from scheduler.selectors import milestones_due
from templates_app import services as template_services
from templates_app.errors import MissingValues, PromisedTimeInPast
from templates_app.selectors import template_for_reply

logger = logging.getLogger(__name__)
Status = ScheduledEmail.Status
Kind = ScheduledEmail.Kind

# A worker holds a claimed row this long; after it, another worker may take it.
LEASE = timedelta(minutes=5)
# "every 1 minute" would flood a customer; a day-long ceiling keeps typos out.
MIN_CADENCE = timedelta(hours=1)
MAX_CADENCE = timedelta(days=90)
CLAIM_BATCH = 500
_EVERY_RE = re.compile(r"^\s*(\d{1,4})\s*(m|min|h|hours?|d|days?)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_UNSET: Any = object()


def parse_every(value: Any) -> timedelta | None:
    """A cadence from "24h", "2d", "90m" or a timedelta; None/"" means once.

    InvalidCadence below one hour or above 90 days.
    """
    if value in (None, ""):
        return None
    if isinstance(value, timedelta):
        every = value
    else:
        match = _EVERY_RE.match(str(value))
        if match is None:
            raise InvalidCadence(
                'Write the cadence as hours or days, e.g. "24h" or "2d"'
            )
        unit = _UNITS[match.group(2)[0].lower()]
        every = timedelta(**{unit: int(match.group(1))})
    if every < MIN_CADENCE:
        raise InvalidCadence("Updates can repeat at most once an hour")
    if every > MAX_CADENCE:
        raise InvalidCadence("Updates must repeat at least every 90 days")
    return every


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone; InvalidTimezone for a name that does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTimezone(f"Unknown time zone {name!r}") from None


def default_zone(conversation: Conversation) -> str:
    """The customer's zone when it exists, else the server's."""
    try:
        return zone_named(conversation.customer.timezone).key
    except InvalidTimezone:
        return settings.TIME_ZONE


def next_run(
    after: datetime, *, every: timedelta, zone: str, now: datetime
) -> datetime:
    """The first run after `after` that is later than `now`.

    Whole-day cadences keep the wall-clock time in `zone` (10:00 stays 10:00
    across a DST change); hour cadences add real time.
    """
    tz = zone_named(zone)
    candidate = after
    while candidate <= now:
        if every % timedelta(days=1):
            candidate = candidate + every
        else:
            wall = candidate.astimezone(tz).replace(tzinfo=None) + every
            candidate = wall.replace(tzinfo=tz)
    return candidate


def _check_content(
    conversation: Conversation,
    *,
    body: str,
    template_id: Any,
    ask: Mapping[str, Any],
    by: Any,
) -> int | None:
    """The template id to store, once it renders now without gaps or past promises."""
    if template_id in (None, ""):
        if not body:
            raise NothingToSend("Write the email or choose a canned reply")
        if len(body) > MAX_BODY_CHARS:
            raise NothingToSend(
                f"An email can be at most {MAX_BODY_CHARS:,} characters"
            )
        return None
    template = template_for_reply(conversation, template_id)
    rendered = template_services.render_for_conversation(
        template, conversation, ask=ask, agent=by
    )
    # Conversation facts (a milestone) may be filled in before it goes; the
    # values only the agent can type must be given now.
    missing_asks = [name for name in rendered.missing if name.startswith("ask.")]
    if missing_asks:
        raise MissingValues(missing_asks)
    if rendered.warnings:
        warning = rendered.warnings[0]
        raise PromisedTimeInPast(warning.message, field=warning.field)
    return template.pk


def _check_times(
    *, send_at: datetime | None, every: timedelta | None, until: datetime | None
) -> datetime:
    now = timezone.now()
    if send_at is None:
        if every is None:
            raise NoSendTime("Choose when to send it, or how often")
        send_at = now + every
    if send_at <= now:
        raise SendTimeInPast("That time has already passed; choose a later one")
    if until is not None and until < send_at:
        raise InvalidUntil("The end must come after the first send")
    return send_at


def refresh_next_update(conversation_id: int) -> None:
    """Keep Conversation.next_update_at equal to the earliest pending promised update."""
    earliest = ScheduledEmail.objects.filter(
        conversation_id=conversation_id, kind=Kind.UPDATE, status=Status.PENDING
    ).aggregate(at=Min("send_at"))["at"]
    Conversation.objects.filter(pk=conversation_id).exclude(
        next_update_at=earliest
    ).update(next_update_at=earliest)


@transaction.atomic
def schedule(
    conversation: Conversation,
    *,
    by: Any,
    kind: str | None = None,
    body: str = "",
    template_id: Any = None,
    ask: Mapping[str, Any] | None = None,
    send_at: datetime | None = None,
    every: Any = None,
    until: datetime | None = None,
    zone: str = "",
) -> ScheduledEmail:
    """Schedule a send-later reply or a promised update on a conversation.

    `kind` defaults to a promised update when it repeats, else send later.
    Refuses a time in the past, a cadence under an hour, an unknown zone, and
    a canned reply that would not render now. Sends nothing itself.
    """
    inbox_selectors.ensure_member(by, conversation.mailbox_id)
    cadence = parse_every(every)
    kind = kind or (Kind.UPDATE if cadence else Kind.SEND_LATER)
    if kind not in Kind.values:
        raise ReplypadError(f"Unknown kind {kind!r}", field="kind")
    zone = zone_named(zone).key if zone else default_zone(conversation)
    send_at = _check_times(send_at=send_at, every=cadence, until=until)
    ask = dict(ask or {})
    body = (body or "").strip()
    stored_template = _check_content(
        conversation, body=body, template_id=template_id, ask=ask, by=by
    )
    scheduled = ScheduledEmail.objects.create(
        conversation=conversation,
        author=by,
        kind=kind,
        body=body,
        template_id=stored_template,
        ask=ask,
        send_at=send_at,
        every=cadence,
        until=until,
        timezone=zone,
    )
    refresh_next_update(conversation.pk)
    return scheduled


def _locked_pending(scheduled: ScheduledEmail, *, by: Any) -> ScheduledEmail:
    locked = (
        ScheduledEmail.objects.select_for_update()
        .select_related("conversation__customer", "conversation__mailbox")
        .get(pk=scheduled.pk)
    )
    inbox_selectors.ensure_member(by, locked.conversation.mailbox_id)
    now = timezone.now()
    if locked.status != Status.PENDING:
        raise NotPending(
            f"This scheduled email is already {locked.get_status_display().lower()}"
        )
    if locked.claimed_until and locked.claimed_until > now:
        raise NotPending("This scheduled email is being sent right now")
    return locked


@transaction.atomic
def edit(
    scheduled: ScheduledEmail,
    *,
    by: Any,
    body: Any = _UNSET,
    template_id: Any = _UNSET,
    ask: Any = _UNSET,
    send_at: Any = _UNSET,
    every: Any = _UNSET,
    until: Any = _UNSET,
    zone: Any = _UNSET,
) -> ScheduledEmail:
    """Change what a pending scheduled email says or when it goes; the same checks
    as `schedule`. NotPending once it has gone, been cancelled or is being sent."""
    locked = _locked_pending(scheduled, by=by)
    conversation = locked.conversation
    if every is not _UNSET:
        locked.every = parse_every(every)
    if until is not _UNSET:
        locked.until = until
    if zone is not _UNSET:
        locked.timezone = zone_named(zone).key if zone else default_zone(conversation)
    if send_at is not _UNSET or every is not _UNSET or until is not _UNSET:
        locked.send_at = _check_times(
            send_at=locked.send_at if send_at is _UNSET else send_at,
            every=locked.every,
            until=locked.until,
        )
    if body is not _UNSET:
        locked.body = (body or "").strip()
    if template_id is not _UNSET:
        locked.template_id = template_id or None
    if ask is not _UNSET:
        locked.ask = dict(ask or {})
    locked.template_id = _check_content(
        conversation,
        body=locked.body,
        template_id=locked.template_id,
        ask=locked.ask,
        by=by,
    )
    locked.save()
    refresh_next_update(conversation.pk)
    return locked


@transaction.atomic
def cancel(scheduled: ScheduledEmail, *, by: Any) -> ScheduledEmail:
    """Stop a pending scheduled email; NotPending once it has gone or is being sent."""
    locked = _locked_pending(scheduled, by=by)
    locked.status = Status.CANCELLED
    locked.last_error = f"Cancelled by {by.get_full_name() or by.username}"
    locked.save(update_fields=["status", "last_error", "updated_at"])
    refresh_next_update(locked.conversation_id)
    return locked


@transaction.atomic
def cancel_pending_for(conversation_id: int, *, reason: str) -> int:
    """Cancel what a conversation still has pending (it was resolved); safe to repeat."""
    cancelled = ScheduledEmail.objects.filter(
        conversation_id=conversation_id, status=Status.PENDING
    ).update(status=Status.CANCELLED, last_error=reason, updated_at=timezone.now())
    refresh_next_update(conversation_id)
    return cancelled


def push_back_after_reply(conversation_id: int, *, replied_at: datetime) -> int:
    """A human reply went out first: each pending promised update on the
    conversation moves to `replied_at` plus its interval (the cadence, or for a
    one-off the time between promising and its due time). Off per mailbox with
    MailboxPolicy.push_back_on_reply; safe to repeat (only ever moves later).
    """
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return 0
    policy = MailboxPolicy.objects.filter(mailbox_id=conversation.mailbox_id).first()
    if policy is not None and not policy.push_back_on_reply:
        return 0
    moved = 0
    with transaction.atomic():
        rows = ScheduledEmail.objects.select_for_update(skip_locked=True).filter(
            conversation_id=conversation_id,
            kind=Kind.UPDATE,
            status=Status.PENDING,
            send_at__gt=replied_at,
            claimed_until__isnull=True,
        )
        for row in rows:
            interval = row.every or (row.send_at - row.created_at)
            later = replied_at + interval
            if later > row.send_at and (row.until is None or later <= row.until):
                row.send_at = later
                row.save(update_fields=["send_at", "updated_at"])
                moved += 1
        refresh_next_update(conversation_id)
    return moved


# --------------------------------------------------------------------------
# The dispatcher.


def claim_due(
    *, now: datetime | None = None, limit: int = CLAIM_BATCH
) -> list[tuple[int, int]]:
    """Lease up to `limit` due rows to the caller: (id, run number) pairs.

    Rows another worker holds are skipped (SKIP LOCKED) or still leased;
    rows whose lease ran out are due again, for the same run.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            ScheduledEmail.objects.filter(status=Status.PENDING, send_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("send_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", "run_count")[:limit]
        )
        ScheduledEmail.objects.filter(pk__in=[pk for pk, _ in claimed]).update(
            claimed_until=now + LEASE
        )
    return claimed


def _queue(scheduled: ScheduledEmail) -> Message:
    """Queue this run's message through inbox; templates render now, with today's facts."""
    conversation = scheduled.conversation
    author = scheduled.author
    if author is None:
        raise ReplypadError("The author of this scheduled email no longer exists")
    inbox_selectors.ensure_member(author, conversation.mailbox_id)
    if scheduled.kind == Kind.SEND_LATER:
        return send_reply(
            conversation,
            body=scheduled.body,
            by=author,
            template_id=scheduled.template_id,
            ask=scheduled.ask,
        )
    subject = compose.reply_subject(conversation.subject)
    body = scheduled.body
    if scheduled.template_id:
        template = template_for_reply(conversation, scheduled.template_id)
        rendered = template_services.render_for_send(
            template, conversation, ask=scheduled.ask, agent=author
        )
        body = body or rendered.body.strip()
        subject = rendered.subject
    return queue_automatic_message(
        conversation, kind=Message.Kind.SCHEDULED_UPDATE, subject=subject, body=body
    )


def send_scheduled(scheduled_id: int, *, run: int) -> str:
    """Send run number `run` of a scheduled email, once; returns what happened.

    "skipped" when the row is gone, no longer pending or already past this run
    (a second claim of the same run). A refusal (the author left the mailbox,
    a canned reply no longer renders) marks the row failed with the reason.
    """
    now = timezone.now()
    with transaction.atomic():
        scheduled = (
            ScheduledEmail.objects.select_for_update(of=("self",))
            .select_related("conversation__customer", "conversation__mailbox", "author")
            .filter(pk=scheduled_id)
            .first()
        )
        if scheduled is None or scheduled.status != Status.PENDING:
            return "skipped"
        if scheduled.run_count != run or scheduled.send_at > now:
            return "skipped"
        if scheduled.conversation.status == Conversation.Status.RESOLVED:
            scheduled.status = Status.CANCELLED
            scheduled.last_error = "The conversation was resolved"
            outcome = "cancelled"
        else:
            outcome = _send_run(scheduled, now=now)
        scheduled.claimed_until = None
        scheduled.save()
        if scheduled.kind == Kind.UPDATE:
            refresh_next_update(scheduled.conversation_id)
    return outcome


def _send_run(scheduled: ScheduledEmail, *, now: datetime) -> str:
    """Queue the message and record the run; the caller holds the row lock."""
    try:
        with transaction.atomic():
            # The run's unique key and its message commit together or not at all.
            ScheduledRun.objects.create(
                scheduled_email=scheduled,
                number=scheduled.run_count,
                message=_queue(scheduled),
            )
    except IntegrityError:
        # Another transaction recorded this run: it has been sent.
        logger.warning(
            "Run %s of scheduled email %s already sent",
            scheduled.run_count,
            scheduled.pk,
        )
        scheduled.run_count += 1
        return "skipped"
    except ReplypadError as exc:
        scheduled.status = Status.FAILED
        scheduled.last_error = exc.message
        logger.info("Scheduled email %s failed: %s", scheduled.pk, exc.message)
        return "failed"
    scheduled.run_count += 1
    scheduled.last_error = ""
    if scheduled.every is None:
        scheduled.status = Status.SENT
        return "sent"
    following = next_run(
        scheduled.send_at, every=scheduled.every, zone=scheduled.timezone, now=now
    )
    if scheduled.until is not None and following > scheduled.until:
        scheduled.status = Status.SENT
    else:
        scheduled.send_at = following
    return "sent"


def dispatch_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> int:
    """Claim a batch of due rows and send each here; returns how many were sent."""
    return sum(
        send_scheduled(pk, run=run) == "sent"
        for pk, run in claim_due(now=now, limit=limit)
    )


# --------------------------------------------------------------------------
# Escalations.


@transaction.atomic
def set_escalation(
    conversation: Conversation,
    *,
    by: Any,
    owner: Any = _UNSET,
    milestone: Any = _UNSET,
    milestone_due_at: Any = _UNSET,
) -> Conversation:
    """Change the escalation owner (a member of the mailbox, or nobody), the
    milestone text and its due time; a due time in the past is refused."""
    inbox_selectors.ensure_member(by, conversation.mailbox_id)
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    changed = []
    if owner is not _UNSET:
        user = inbox_services.assignee_from(owner, by=by)
        if user is not None:
            inbox_selectors.ensure_member(user, locked.mailbox_id)
        locked.escalation_owner = user
        changed.append("escalation_owner")
    if milestone is not _UNSET:
        inbox_services.check_header_value(milestone or "", field="milestone")
        locked.milestone = (milestone or "").strip()[:255]
        changed.append("milestone")
    if milestone_due_at is not _UNSET:
        # An overdue time may stay while other fields change; a new one must be ahead.
        if (
            milestone_due_at is not None
            and milestone_due_at != locked.milestone_due_at
            and milestone_due_at <= timezone.now()
        ):
            raise MilestoneInPast("The milestone due time has already passed")
        locked.milestone_due_at = milestone_due_at
        changed.append("milestone_due_at")
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return locked


def alert_due_milestones(*, now: datetime | None = None) -> int:
    """Tell the owner and followers of each milestone falling due; once per due time.

    The MilestoneAlert row's unique (conversation, due_at) is the once: a
    changed due time alerts again, a repeated tick does not.
    """
    alerted = 0
    not_yet_told = ~Exists(
        MilestoneAlert.objects.filter(
            conversation=OuterRef("pk"), due_at=OuterRef("milestone_due_at")
        )
    )
    for conversation in milestones_due(now=now).filter(not_yet_told):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    MilestoneAlert.objects.create(
                        conversation=conversation, due_at=conversation.milestone_due_at
                    )
            except IntegrityError:
                continue
            notify_followers(
                conversation,
                verb=Notification.Verb.MILESTONE_DUE,
                actor=None,
                also=[conversation.escalation_owner],
                data={
                    "milestone": conversation.milestone or "Next step",
                    "due_at": conversation.milestone_due_at.isoformat(),
                },
            )
            alerted += 1
    return alerted
