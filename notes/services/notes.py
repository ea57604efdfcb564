"""Writing, editing and pinning internal notes, and the @mentions in them."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from inbox.models import Conversation
from inbox.selectors import ensure_member
from notes import selectors
from notes.errors import BadAttachment, EmptyNote, NoteTooLong, NotTheAuthor
from notes.markdown import MentionTarget, render_note
from notes.models import Follower, Note, NoteAttachment, NoteMention, NoteRevision
from notes.models import Notification as _Notification
from notes.services.notifications import notify_followers, notify_users

Verb = _Notification.Verb
MAX_BODY_CHARS = 20_000
MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class MentionProblem:
    """A mentioned teammate who was not notified, and the sentence saying why."""

    username: str
    display: str
    mailbox: str

    @property
    def message(self) -> str:
        return (
            f"{self.display} (@{self.username}) cannot see the {self.mailbox} "
            "mailbox, so was not notified."
        )


@dataclass
class NoteResult:
    note: Note
    not_notified: list[MentionProblem] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [problem.message for problem in self.not_notified]


def _display(user: Any) -> str:
    return user.get_full_name() or user.username


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise EmptyNote("Write something before saving the note")
    if len(body) > MAX_BODY_CHARS:
        raise NoteTooLong(
            f"A note can be at most {MAX_BODY_CHARS} characters ({len(body)} given)"
        )
    return body


class _Mentions:
    """Resolves @names against users once, remembering who they were."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.users: dict[str, Any] = {}
        self.with_access: set[int] = set()

    def __call__(self, names: list[str]) -> Mapping[str, MentionTarget]:
        users = selectors.users_by_username(names)
        self.users = {user.username.lower(): user for user in users}
        self.with_access = selectors.member_ids(
            self.conversation.mailbox_id, [user.pk for user in users]
        )
        return {
            name: MentionTarget(
                username=user.username,
                display=_display(user),
                has_access=user.pk in self.with_access,
            )
            for name, user in self.users.items()
        }


def _render(body: str, conversation: Conversation) -> tuple[str, list[Any], _Mentions]:
    mentions = _Mentions(conversation)
    rendered = render_note(body, resolve=mentions)
    return rendered.html, [mentions.users[name] for name in rendered.mentions], mentions


def _safe_filename(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return (name or "attachment")[:255]


def _save_attachments(note: Note, files: Iterable[UploadedFile]) -> None:
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise BadAttachment(f"Attach at most {MAX_ATTACHMENTS} files to one note")
    limit = getattr(settings, "REPLYPAD_NOTE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    for upload in files:
        if upload.size is None or upload.size > limit:
            raise BadAttachment(
                f"{_safe_filename(upload.name or '')} is larger than "
                f"{limit // (1024 * 1024)} MB"
            )
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        filename = _safe_filename(upload.name or "")
        attachment = NoteAttachment(
            note=note,
            filename=filename,
            content_type=(upload.content_type or "application/octet-stream")[:255],
            size=upload.size,
            sha256=digest.hexdigest(),
        )
        attachment.file.save(filename, upload, save=False)
        attachment.save()


def _apply_mentions(
    note: Note, users: list[Any], mentions: _Mentions, *, by: Any
) -> tuple[set[int], list[MentionProblem]]:
    """Record new mentions, follow and notify those with access; report the rest.

    Returns the ids notified and the problems to show the author.
    """
    conversation = note.conversation
    already = set(note.mentions.values_list("user_id", flat=True))
    notified: set[int] = set()
    problems: list[MentionProblem] = []
    for user in users:
        if user.pk in already or user.pk == getattr(by, "pk", None):
            continue
        has_access = user.pk in mentions.with_access
        NoteMention.objects.create(note=note, user=user, notified=has_access)
        if not has_access:
            problems.append(
                MentionProblem(
                    username=user.username,
                    display=_display(user),
                    mailbox=conversation.mailbox.name,
                )
            )
            continue
        Follower.objects.add(conversation, user, reason=Follower.Reason.MENTION, by=by)
        notified.add(user.pk)
    notify_users(conversation, notified, verb=Verb.MENTION, actor=by, note=note)
    return notified, problems


@transaction.atomic
def add_note(
    conversation: Conversation,
    *,
    body: str,
    by: Any,
    attachments: Iterable[UploadedFile] = (),
) -> NoteResult:
    """Write an internal note. Nothing here is ever sent to the customer.

    Mentioned teammates who can see the mailbox are notified and follow the
    conversation; others are listed in the result, not notified. The author
    follows when their rule says so; other followers hear of the note.
    """
    ensure_member(by, conversation.mailbox_id)
    body = _clean_body(body)
    html, mentioned, mentions = _render(body, conversation)
    note = Note.objects.create(
        conversation=conversation,
        author=by,
        body=body,
        body_html=html,
        created_at=timezone.now(),
    )
    _save_attachments(note, attachments)
    if by is not None:
        preference = selectors.preferences_of([by.pk], Verb.NOTE_ADDED)[by.pk]
        if preference.auto_follow:
            Follower.objects.add(conversation, by, reason=Follower.Reason.NOTE)
    notified, problems = _apply_mentions(note, mentioned, mentions, by=by)
    notify_followers(
        conversation, verb=Verb.NOTE_ADDED, actor=by, note=note, exclude=notified
    )
    return NoteResult(note=note, not_notified=problems)


@transaction.atomic
def edit_note(note: Note, *, body: str, by: Any) -> NoteResult:
    """Change a note's text, keeping the old text as a revision. Author only.

    Teammates newly mentioned by the edit are notified like in a new note.
    """
    note = (
        Note.objects.select_for_update(of=("self",))
        .select_related("conversation__mailbox")
        .get(pk=note.pk)
    )
    if note.author_id is None or note.author_id != by.pk:
        raise NotTheAuthor("Only the author can edit this note")
    body = _clean_body(body)
    if body == note.body:
        return NoteResult(note=note)
    now = timezone.now()
    NoteRevision.objects.create(note=note, body=note.body, edited_by=by, created_at=now)
    html, mentioned, mentions = _render(body, note.conversation)
    note.body, note.body_html, note.edited_at = body, html, now
    note.save(update_fields=["body", "body_html", "edited_at"])
    _, problems = _apply_mentions(note, mentioned, mentions, by=by)
    return NoteResult(note=note, not_notified=problems)


@transaction.atomic
def pin_note(note: Note, *, by: Any) -> Note:
    """Pin a note to the top of the conversation's sidebar; pinning twice is a no-op."""
    note = Note.objects.select_for_update().get(pk=note.pk)
    ensure_member(by, note.conversation.mailbox_id)
    if note.pinned_at is None:
        note.pinned_at, note.pinned_by = timezone.now(), by
        note.save(update_fields=["pinned_at", "pinned_by"])
    return note


@transaction.atomic
def unpin_note(note: Note, *, by: Any) -> Note:
    """Take the pin off; unpinning a note that is not pinned is a no-op."""
    note = Note.objects.select_for_update().get(pk=note.pk)
    ensure_member(by, note.conversation.mailbox_id)
    note.pinned_at, note.pinned_by = None, None
    note.save(update_fields=["pinned_at", "pinned_by"])
    return note
