"""Reads and access checks for drafts. A draft outside the user's mailboxes is a
404, whether it exists or not (inbox.selectors.mailbox_ids_for)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from inbox.errors import InvalidCursor
from inbox.models import Membership
from inbox.selectors import is_member, mailbox_ids_for
from replypad.errors import ReplypadError
from review.models import Draft, DraftRevision, ReviewComment

State = Draft.State
OPEN_STATES = [
    State.EDITING,
    State.IN_REVIEW,
    State.CHANGES_REQUESTED,
    State.APPROVED,
]
WORDS = re.compile(r"\s+|[^\s]+")


def drafts_for(user: Any) -> QuerySet[Draft]:
    """Drafts in the user's mailboxes, with what a list row or the page shows."""
    return Draft.objects.filter(
        conversation__mailbox_id__in=mailbox_ids_for(user)
    ).select_related(
        "conversation",
        "conversation__customer",
        "conversation__mailbox",
        "author",
        "reviewer",
        "lock_holder",
    )


def get_draft_for(user: Any, draft_id: Any) -> Draft:
    """The draft if the user's mailboxes hold its conversation; Http404 otherwise."""
    try:
        draft_id = int(draft_id)
    except (TypeError, ValueError):
        raise Http404("No such draft") from None
    if not user.is_authenticated:
        raise Http404("No such draft")
    draft = drafts_for(user).filter(pk=draft_id).first()
    if draft is None:
        raise Http404("No such draft")
    return draft


def get_comment_for(user: Any, comment_id: Any) -> ReviewComment:
    try:
        comment_id = int(comment_id)
    except (TypeError, ValueError):
        raise Http404("No such comment") from None
    comment = (
        ReviewComment.objects.filter(
            pk=comment_id,
            draft__conversation__mailbox_id__in=mailbox_ids_for(user),
        )
        .select_related("draft", "draft__conversation")
        .first()
    )
    if comment is None:
        raise Http404("No such comment")
    return comment


def open_draft_of(conversation: Any, user: Any) -> Draft | None:
    """The user's own open draft in the conversation (the composer's autosave target)."""
    return (
        Draft.objects.filter(
            conversation_id=conversation.pk, author_id=user.pk, state__in=OPEN_STATES
        )
        .select_related("lock_holder", "reviewer")
        .first()
    )


OPEN_DRAFTS_CACHE_SECONDS = 300


def open_drafts_cache_key(conversation_id: int) -> str:
    return f"review:has-open-drafts:{conversation_id}"


def open_drafts_on(conversation: Any) -> list[Draft]:
    """Every open draft of the conversation, for the team to see on its page.

    Most conversations have none: a cached "none here" answers them without a
    query, keeping the conversation page within its query budget. Every draft
    write drops the key on commit (review.services); the TTL only bounds
    staleness should a delete be lost. The caller has already checked the user
    may see the conversation.
    """
    key = open_drafts_cache_key(conversation.pk)
    if cache.get(key) is False:
        return []
    drafts = list(
        Draft.objects.filter(conversation_id=conversation.pk, state__in=OPEN_STATES)
        .select_related("author", "reviewer", "lock_holder")
        .order_by("created_at", "id")
    )
    cache.set(key, bool(drafts), OPEN_DRAFTS_CACHE_SECONDS)
    return drafts


def lead_ids_of(mailbox_id: int) -> list[int]:
    """Members of the mailbox who may review any draft (inbox.review_draft)."""
    reviewers = (
        Q(groups__permissions__codename="review_draft")
        | Q(user_permissions__codename="review_draft")
        | Q(is_superuser=True)
    )
    return sorted(
        get_user_model()
        .objects.filter(reviewers, is_active=True, memberships__mailbox_id=mailbox_id)
        .values_list("pk", flat=True)
        .distinct()
    )


def ensure_can_be_asked(reviewer: Any, draft: Draft) -> None:
    """A reviewer named on submit is another member of the draft's mailbox."""
    if (
        reviewer.pk == draft.author_id
        or not Membership.objects.filter(
            mailbox_id=draft.conversation.mailbox_id, user_id=reviewer.pk
        ).exists()
    ):
        raise ReplypadError(
            "Ask a colleague who is a member of this mailbox.", field="reviewer"
        )


@dataclass(frozen=True)
class QueuePage:
    rows: list[Draft]
    next_cursor: str | None
    previous_cursor: str | None = None


def _queue(user: Any) -> QuerySet[Draft]:
    """Drafts in review waiting for `user`: asked by name, or for any lead when
    the user is one; never their own."""
    waiting = Q(reviewer_id=user.pk)
    if user.has_perm("inbox.review_draft"):
        waiting |= Q(reviewer__isnull=True)
    return (
        Draft.objects.filter(
            waiting,
            state=State.IN_REVIEW,
            conversation__mailbox_id__in=mailbox_ids_for(user),
        )
        .exclude(author_id=user.pk)
        .select_related("conversation", "conversation__customer", "author", "reviewer")
    )


def _encode(draft: Draft) -> str:
    return f"{draft.submitted_at.isoformat()}_{draft.pk}"


def _decode(cursor: str, *, field: str) -> tuple[datetime, int]:
    try:
        stamp, _, pk = cursor.rpartition("_")
        return datetime.fromisoformat(stamp.replace(" ", "+")), int(pk)
    except ValueError:
        raise InvalidCursor(
            "This page link is not valid; start again from the first page.",
            field=field,
        ) from None


def review_queue(
    user: Any,
    *,
    after: str | None = None,
    before: str | None = None,
    page_size: int = 25,
) -> QueuePage:
    """One keyset page of the drafts waiting for the user, oldest first.

    Each row carries the customer's sentiment (conversation.sentiment_last),
    `waiting` (a timedelta since submission) and `findings_count`; a fixed
    number of queries whatever the page size. Walks draft_review_queue_idx.
    """
    queryset = _queue(user)
    backwards = before is not None and after is None
    if backwards:
        stamp, pk = _decode(before, field="before")
        queryset = queryset.filter(
            Q(submitted_at__lt=stamp) | Q(submitted_at=stamp, pk__lt=pk)
        ).order_by("-submitted_at", "-id")
    elif after:
        stamp, pk = _decode(after, field="after")
        queryset = queryset.filter(
            Q(submitted_at__gt=stamp) | Q(submitted_at=stamp, pk__gt=pk)
        ).order_by("submitted_at", "id")
    else:
        queryset = queryset.order_by("submitted_at", "id")
    rows = list(queryset[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    now = timezone.now()
    for draft in rows:
        draft.waiting = now - draft.submitted_at
    if backwards:
        rows.reverse()
        return QueuePage(
            rows=rows,
            next_cursor=_encode(rows[-1]) if rows else None,
            previous_cursor=_encode(rows[0]) if more else None,
        )
    return QueuePage(
        rows=rows,
        next_cursor=_encode(rows[-1]) if more else None,
        previous_cursor=_encode(rows[0]) if after and rows else None,
    )


def review_queue_count(user: Any) -> int:
    return _queue(user).count()


def can_review(user: Any, draft: Draft) -> bool:
    return (
        user.pk != draft.author_id
        and is_member(user, draft.conversation.mailbox_id)
        and (draft.reviewer_id == user.pk or user.has_perm("inbox.review_draft"))
    )


def comments_of(draft: Draft) -> list[ReviewComment]:
    """Top-level comments, oldest first, each with `.thread` (its replies) and
    `.outdated` (the passage no longer reads as quoted). Two queries."""
    comments = list(
        ReviewComment.objects.filter(draft_id=draft.pk)
        .select_related("author", "resolved_by")
        .order_by("created_at", "id")
    )
    top = [c for c in comments if c.parent_id is None]
    by_parent: dict[int, list[ReviewComment]] = {c.pk: [] for c in top}
    for comment in comments:
        comment.outdated = comment.is_outdated(draft.body)
        if comment.parent_id in by_parent:
            by_parent[comment.parent_id].append(comment)
    for comment in top:
        comment.thread = by_parent[comment.pk]
    return top


def revisions_of(draft: Draft) -> list[DraftRevision]:
    return list(
        DraftRevision.objects.filter(draft_id=draft.pk)
        .select_related("by")
        .order_by("version")
    )


@dataclass(frozen=True)
class DiffPart:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """A word-level diff (whitespace kept as its own tokens), runs merged."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(DiffPart("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(DiffPart("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(DiffPart("insert", "".join(b[j1:j2])))
    return parts


@dataclass(frozen=True)
class RevisionDiff:
    old: DraftRevision
    new: DraftRevision
    parts: list[DiffPart]
    # Who saved each version after `old`, up to `new`.
    editors: list[str]


def revision_diff(draft: Draft, *, old: int, new: int) -> RevisionDiff:
    """The word diff between two saved versions of the draft (404 for unknown ones)."""
    revisions = {r.version: r for r in revisions_of(draft)}
    if old not in revisions or new not in revisions:
        raise Http404("No such version")
    low, high = sorted((old, new))
    editors = []
    for version in range(low + 1, high + 1):
        by = revisions[version].by if version in revisions else None
        name = (by.get_full_name() or by.username) if by else "Replypad"
        if name not in editors:
            editors.append(name)
    return RevisionDiff(
        old=revisions[old],
        new=revisions[new],
        parts=word_diff(revisions[old].body, revisions[new].body),
        editors=editors,
    )


def standing_approval(draft: Draft) -> Any:
    return draft.approvals.filter(voided_at__isnull=True).select_related("by").first()


def lock_holder_for(draft: Draft, user: Any) -> Any:
    """Who else holds the edit lock right now, or None (free, expired or the user's)."""
    if (
        draft.lock_holder_id in (None, user.pk)
        or draft.lock_expires_at is None
        or draft.lock_expires_at <= timezone.now()
    ):
        return None
    return draft.lock_holder
