"""Writes for drafts: every state change of the draft state machine, one function each.

Each service locks the draft row first (then, when sending, send_reply locks
the conversation), so two leads approving at once, or a send racing an edit,
are decided by the database: one wins, the other gets a 409.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from empathy.services import check_reply_for
from inbox import events, outbound, selectors
from inbox.models import Conversation, Event, Message
from inbox.outbound import compose
from notes.models import Notification
from notes.services import notify_users
from review import selectors as review_selectors
from review.errors import (
    DraftHeld,
    DraftLocked,
    DraftNotEditable,
    DraftTooLong,
    EmptyComment,
    IllegalTransition,
    InvalidAnchor,
    NotAReviewer,
    SelfApproval,
    StaleDraft,
)
from review.models import (
    TRANSITIONS,
    Draft,
    DraftApproval,
    DraftRevision,
    ReviewComment,
)
from templates_app.selectors import template_for_reply
from templates_app.services import render_for_conversation

State = Draft.State
Verb = Notification.Verb
# Same ceiling as a reply (inbox.outbound.replies.MAX_BODY_CHARS): a draft that
# could never be sent is refused while it is being written.
MAX_BODY_CHARS = 100_000
MAX_COMMENT_CHARS = 10_000
LOCK_SECONDS = 120
ACTIONS = {
    State.IN_REVIEW: "submitted for review",
    State.APPROVED: "approved",
    State.CHANGES_REQUESTED: "sent back for changes",
    State.SENT: "sent",
    State.CANCELLED: "cancelled",
    State.EDITING: "reopened for editing",
}


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else "Replypad"


def _check_body(body: str) -> str:
    if len(body) > MAX_BODY_CHARS:
        raise DraftTooLong(
            f"A draft can be at most {MAX_BODY_CHARS:,} characters; "
            f"this one has {len(body):,}."
        )
    return body


def _locked(draft: Draft) -> Draft:
    """The draft re-read under a row lock; the caller is inside atomic()."""
    return (
        Draft.objects.select_for_update(of=("self",))
        .select_related("conversation", "conversation__mailbox")
        .get(pk=draft.pk)
    )


def _check_move(draft: Draft, to: str) -> None:
    """Refuse with IllegalTransition (409) unless TRANSITIONS has this edge."""
    if to not in TRANSITIONS[draft.state]:
        raise IllegalTransition(
            f"A draft that is {draft.get_state_display().lower()} cannot be "
            f"{ACTIONS[to]}."
        )


def _require_state(draft: Draft, allowed: tuple[str, ...], action: str) -> None:
    """For an action that is only one of the ways into its target state."""
    if draft.state not in allowed:
        raise IllegalTransition(
            f"A draft that is {draft.get_state_display().lower()} cannot be {action}."
        )


def _move(draft: Draft, to: str) -> None:
    _check_move(draft, to)
    draft.state = to


def _findings(body: str, conversation: Conversation) -> list[dict[str, str]]:
    return [
        {"rule": finding.rule, "severity": finding.severity}
        for finding in check_reply_for(body, conversation=conversation)
    ]


def _holds_lock(draft: Draft, user: Any, now: Any) -> bool:
    """True unless someone else holds a lock that has not expired."""
    return (
        draft.lock_holder_id in (None, user.pk)
        or draft.lock_expires_at is None
        or draft.lock_expires_at <= now
    )


def _take_lock(draft: Draft, user: Any, now: Any) -> None:
    draft.lock_holder = user
    draft.lock_expires_at = now + timedelta(seconds=LOCK_SECONDS)


def _release_lock(draft: Draft) -> None:
    draft.lock_holder = None
    draft.lock_expires_at = None


def _ensure_reviewer(draft: Draft, user: Any) -> None:
    """Leads review any draft of their mailboxes, a named colleague the one they
    were asked to; nobody reviews their own."""
    if draft.author_id == user.pk:
        raise SelfApproval("You cannot review your own draft; ask a colleague.")
    if draft.reviewer_id != user.pk and not user.has_perm("inbox.review_draft"):
        raise NotAReviewer("Only a team lead or the person asked may review a draft.")


def _void_approval(draft: Draft, now: Any) -> DraftApproval | None:
    approval = draft.approvals.filter(voided_at__isnull=True).first()
    if approval is not None:
        approval.voided_at = now
        approval.save(update_fields=["voided_at"])
    return approval


def _notify(draft: Draft, user_ids: Iterable[int], *, verb: str, by: Any) -> None:
    notify_users(
        draft.conversation,
        [user_id for user_id in user_ids if user_id],
        verb=verb,
        actor=by,
        data={"draft": draft.pk},
    )


def _record(draft: Draft, kind: str, *, by: Any, **data: Any) -> None:
    events.record(draft.conversation, kind, actor=by, draft=draft.pk, **data)


def _forget_open_drafts(conversation_id: int) -> None:
    key = review_selectors.open_drafts_cache_key(conversation_id)
    transaction.on_commit(lambda: cache.delete(key))


def _save_fields(draft: Draft, *fields: str) -> None:
    draft.save(update_fields=[*fields, "updated_at"])
    _forget_open_drafts(draft.conversation_id)


def create_draft(
    conversation: Conversation,
    *,
    by: Any,
    body: str = "",
    cc: Iterable[str] | str = (),
    subject: str = "",
    template_id: int | None = None,
    ask: Mapping[str, Any] | None = None,
) -> Draft:
    """Start a draft in `conversation`, held (edit lock) by its author.

    With a template and no body, the body is the canned reply rendered with
    `ask`. An author has one open draft per conversation: a second is a 409
    naming the first.
    """
    selectors.ensure_member(by, conversation.mailbox_id)
    _check_body(body)
    cc = compose.clean_addresses(cc, field="cc")
    template = None
    if template_id not in (None, ""):
        template = template_for_reply(conversation, template_id)
        if not body.strip():
            body = render_for_conversation(
                template, conversation, ask=ask, agent=by
            ).body.strip()
    now = timezone.now()
    with transaction.atomic():
        Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
        existing = review_selectors.open_draft_of(conversation, by)
        if existing is not None:
            raise IllegalTransition(
                f"You already have an open draft here (draft {existing.pk}); "
                "edit that one."
            )
        draft = Draft.objects.create(
            conversation=conversation,
            author=by,
            body=body,
            cc=cc,
            subject=subject,
            template=template,
            ask=dict(ask or {}),
            findings=_findings(body, conversation),
            lock_holder=by,
            lock_expires_at=now + timedelta(seconds=LOCK_SECONDS),
        )
        DraftRevision.objects.create(
            draft=draft, version=draft.version, body=body, by=by, created_at=now
        )
        _forget_open_drafts(conversation.pk)
    return draft


def save_draft(
    draft: Draft,
    *,
    by: Any,
    body: str,
    version: int,
    cc: Iterable[str] | str | None = None,
    subject: str | None = None,
) -> Draft:
    """Save an edit made on top of `version`; each change is a new revision.

    Refuses a sent or cancelled draft (409), an edit while someone else holds
    the lock (DraftLocked, 409) and an edit on a stale version (StaleDraft, 409
    with the current text). Saving takes or renews the lock. Changing the body
    of an approved draft voids the approval and puts it back in review.
    """
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    _check_body(body)
    new_cc = None if cc is None else compose.clean_addresses(cc, field="cc")
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(draft)
        if not locked.is_open:
            raise DraftNotEditable(
                f"This draft is {locked.get_state_display().lower()}; "
                "it can no longer be edited."
            )
        if not _holds_lock(locked, by, now):
            raise DraftLocked(
                f"{_name(locked.lock_holder)} is editing this draft; "
                "take over to edit it."
            )
        if int(version) != locked.version:
            last = locked.revisions.order_by("-version").select_related("by").first()
            raise StaleDraft(
                "Someone saved this draft since you opened it; merge your "
                "changes into the current text.",
                current={
                    "version": locked.version,
                    "body": locked.body,
                    "by": _name(last.by) if last else "",
                },
            )
        _take_lock(locked, by, now)
        fields = ["lock_holder", "lock_expires_at"]
        if new_cc is not None and new_cc != locked.cc:
            locked.cc = new_cc
            fields.append("cc")
        if subject is not None and subject != locked.subject:
            locked.subject = subject
            fields.append("subject")
        if body != locked.body:
            locked.body = body
            locked.version += 1
            locked.findings = _findings(body, locked.conversation)
            fields += ["body", "version", "findings"]
            DraftRevision.objects.create(
                draft=locked, version=locked.version, body=body, by=by, created_at=now
            )
            if locked.state == State.APPROVED:
                _move(locked, State.IN_REVIEW)
                locked.submitted_at = now
                approval = _void_approval(locked, now)
                fields += ["state", "submitted_at"]
                _record(
                    locked,
                    Event.Kind.DRAFT_APPROVAL_VOIDED,
                    by=by,
                    approved_by=_name(approval.by) if approval else "",
                )
        _save_fields(locked, *fields)
    return locked


def take_over_lock(draft: Draft, *, by: Any) -> Draft:
    """Take the edit lock from whoever holds it (visible to them on next save)."""
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    with transaction.atomic():
        locked = _locked(draft)
        if not locked.is_open:
            raise DraftNotEditable("This draft can no longer be edited.")
        _take_lock(locked, by, timezone.now())
        _save_fields(locked, "lock_holder", "lock_expires_at")
    return locked


def submit_for_review(draft: Draft, *, by: Any, reviewer: Any = None) -> Draft:
    """editing / changes_requested → in_review; asks `reviewer` or, when None,
    any lead of the mailbox (they are notified). Releases the edit lock."""
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    with transaction.atomic():
        locked = _locked(draft)
        _require_state(locked, (State.EDITING, State.CHANGES_REQUESTED), "submitted")
        _move(locked, State.IN_REVIEW)
        if reviewer is not None:
            review_selectors.ensure_can_be_asked(reviewer, locked)
        locked.reviewer = reviewer
        locked.submitted_at = timezone.now()
        _release_lock(locked)
        _save_fields(
            locked,
            "state",
            "reviewer",
            "submitted_at",
            "lock_holder",
            "lock_expires_at",
        )
        _record(
            locked,
            Event.Kind.DRAFT_SUBMITTED,
            by=by,
            reviewer=_name(reviewer) if reviewer else "any lead",
        )
        recipients = (
            [reviewer.pk]
            if reviewer is not None
            else review_selectors.lead_ids_of(locked.conversation.mailbox_id)
        )
        _notify(
            locked,
            [user_id for user_id in recipients if user_id != locked.author_id],
            verb=Verb.REVIEW_REQUESTED,
            by=by,
        )
    return locked


def approve_draft(
    draft: Draft, *, by: Any, comment: str = "", send: bool = True
) -> Draft:
    """in_review → approved, recording who approved which version and body;
    with `send` (the default) the reply is queued in the same transaction.

    The author is notified. Refuses the author (SelfApproval, 403), a
    non-reviewer (403) and any state but in_review (409).
    """
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    with transaction.atomic():
        locked = _locked(draft)
        _ensure_reviewer(locked, by)
        _move(locked, State.APPROVED)
        now = timezone.now()
        DraftApproval.objects.create(
            draft=locked,
            by=by,
            version=locked.version,
            body=locked.body,
            comment=comment.strip(),
            approved_at=now,
        )
        if comment.strip():
            _comment(locked, by=by, body=comment)
        _save_fields(locked, "state")
        _record(locked, Event.Kind.DRAFT_APPROVED, by=by, version=locked.version)
        _notify(locked, [locked.author_id], verb=Verb.DRAFT_APPROVED, by=by)
        if send:
            _send(locked, by=by)
    return locked


def request_changes(draft: Draft, *, by: Any, comment: str) -> Draft:
    """in_review → changes_requested with a comment the author is notified of."""
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    if not comment.strip():
        raise EmptyComment("Say what should change.")
    with transaction.atomic():
        locked = _locked(draft)
        _ensure_reviewer(locked, by)
        _move(locked, State.CHANGES_REQUESTED)
        _comment(locked, by=by, body=comment)
        _save_fields(locked, "state")
        _record(locked, Event.Kind.DRAFT_CHANGES_REQUESTED, by=by)
        _notify(locked, [locked.author_id], verb=Verb.CHANGES_REQUESTED, by=by)
    return locked


def withdraw_draft(draft: Draft, *, by: Any) -> Draft:
    """in_review / changes_requested → editing: the author takes it back."""
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    with transaction.atomic():
        locked = _locked(draft)
        _require_state(locked, (State.IN_REVIEW, State.CHANGES_REQUESTED), "withdrawn")
        _move(locked, State.EDITING)
        _save_fields(locked, "state")
        _record(locked, Event.Kind.DRAFT_WITHDRAWN, by=by)
    return locked


def cancel_draft(draft: Draft, *, by: Any) -> Draft:
    """Any open state → cancelled; the draft is kept, read-only."""
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    with transaction.atomic():
        locked = _locked(draft)
        _move(locked, State.CANCELLED)
        _void_approval(locked, timezone.now())
        _release_lock(locked)
        _save_fields(locked, "state", "lock_holder", "lock_expires_at")
        _record(locked, Event.Kind.DRAFT_CANCELLED, by=by)
    return locked


def _send(locked: Draft, *, by: Any) -> Message:
    """Queue the reply through send_reply (whose review step checks the
    approval) and mark the draft sent; the timeline shows who approved it."""
    message = outbound.send_reply(
        locked.conversation,
        body=locked.body,
        by=locked.author,
        cc=locked.cc,
        subject=locked.subject or None,
        template_id=locked.template_id,
        ask=locked.ask,
        draft_id=locked.pk,
    )
    _move(locked, State.SENT)
    locked.message = message
    _release_lock(locked)
    _save_fields(locked, "state", "message", "lock_holder", "lock_expires_at")
    approval = locked.approvals.filter(voided_at__isnull=True).first()
    _record(
        locked,
        Event.Kind.DRAFT_SENT,
        by=by,
        message=message.pk,
        approved_by=_name(approval.by) if approval else "",
        approved_by_id=approval.by_id if approval else None,
        approved_at=approval.approved_at.isoformat() if approval else None,
        approved_version=approval.version if approval else None,
    )
    return message


def send_draft(draft: Draft, *, by: Any) -> Draft:
    """approved (or editing, where no review is needed) → sent.

    An approved draft is held instead when the customer wrote after the
    approval: back to in_review, the approver notified, DraftHeld (409) raised
    once that is committed. The review policy is checked by send_reply itself.
    """
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    held = False
    with transaction.atomic():
        locked = _locked(draft)
        if by.pk != locked.author_id and not by.has_perm("inbox.review_draft"):
            raise NotAReviewer("Only the author or a team lead may send a draft.")
        _check_move(locked, State.SENT)
        approval = locked.approvals.filter(voided_at__isnull=True).first()
        customer_at = locked.conversation.last_customer_message_at
        if (
            locked.state == State.APPROVED
            and approval is not None
            and customer_at is not None
            and customer_at > approval.approved_at
        ):
            now = timezone.now()
            _move(locked, State.IN_REVIEW)
            locked.submitted_at = now
            locked.reviewer = approval.by
            _void_approval(locked, now)
            _save_fields(locked, "state", "submitted_at", "reviewer")
            _record(
                locked, Event.Kind.DRAFT_HELD, by=by, approved_by=_name(approval.by)
            )
            _notify(locked, [approval.by_id], verb=Verb.DRAFT_HELD, by=by)
            held = True
        else:
            _send(locked, by=by)
    if held:
        raise DraftHeld(
            "The customer wrote again after the approval; the draft is back in "
            "review so the reviewer can check it still fits."
        )
    return locked


def close_as_sent(draft: Draft, message: Message) -> Draft:
    """editing → sent for a draft whose text went out as a plain reply; runs
    inside send_reply's transaction (review.policy registers it)."""
    locked = _locked(draft)
    if locked.state != State.EDITING:
        return locked
    _move(locked, State.SENT)
    locked.message = message
    _release_lock(locked)
    _save_fields(locked, "state", "message", "lock_holder", "lock_expires_at")
    return locked


def return_to_draft(message_id: int) -> Draft | None:
    """Undo-send of a draft's reply: the draft is editable again (sent → editing),
    its approval void. Called by the REPLY_CANCELLED hook task; safe to repeat."""
    with transaction.atomic():
        draft = (
            Draft.objects.select_for_update(of=("self",))
            .select_related("conversation")
            .filter(message_id=message_id, state=State.SENT)
            .first()
        )
        if draft is None:
            return None
        _move(draft, State.EDITING)
        draft.message = None
        _void_approval(draft, timezone.now())
        _save_fields(draft, "state", "message")
        _record(draft, Event.Kind.DRAFT_REOPENED, by=None)
    return draft


def _comment(
    draft: Draft,
    *,
    by: Any,
    body: str,
    start: int | None = None,
    end: int | None = None,
    parent: ReviewComment | None = None,
) -> ReviewComment:
    body = body.strip()
    if not body:
        raise EmptyComment("Write a comment.")
    if len(body) > MAX_COMMENT_CHARS:
        raise EmptyComment(
            f"A comment can be at most {MAX_COMMENT_CHARS:,} characters."
        )
    quote = ""
    if parent is not None:
        start = end = None
    elif start is not None or end is not None:
        if start is None or end is None or not 0 <= start < end <= len(draft.body):
            raise InvalidAnchor(
                f"Pick a passage inside the draft (0 to {len(draft.body)})."
            )
        quote = draft.body[start:end]
    return ReviewComment.objects.create(
        draft=draft,
        parent=parent,
        author=by,
        body=body,
        start=start,
        end=end,
        quote=quote,
        version=draft.version,
        created_at=timezone.now(),
    )


def add_comment(
    draft: Draft,
    *,
    by: Any,
    body: str,
    start: int | None = None,
    end: int | None = None,
    parent_id: int | None = None,
) -> ReviewComment:
    """A comment on the passage [start, end) of the current text (its quote is
    kept, so an edit later marks it outdated, never loses it), on the whole
    draft, or a reply to another comment of the same draft."""
    selectors.ensure_member(by, draft.conversation.mailbox_id)
    with transaction.atomic():
        locked = _locked(draft)
        if not locked.is_open:
            raise DraftNotEditable("This draft is closed to comments.")
        parent = None
        if parent_id is not None:
            parent = ReviewComment.objects.filter(pk=parent_id, draft=locked).first()
            if parent is None:
                raise InvalidAnchor("No such comment on this draft.", field="parent")
            parent = parent.parent or parent
        comment = _comment(
            locked, by=by, body=body, start=start, end=end, parent=parent
        )
        _notify(
            locked,
            {locked.author_id, parent.author_id if parent else None},
            verb=Verb.DRAFT_COMMENT,
            by=by,
        )
    return comment


def resolve_comment(
    comment: ReviewComment, *, by: Any, resolved: bool = True
) -> ReviewComment:
    """Mark a comment thread resolved (or open again)."""
    selectors.ensure_member(by, comment.draft.conversation.mailbox_id)
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = by if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment
