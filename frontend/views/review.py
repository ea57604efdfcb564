"""Drafts and the review queue: autosave from the composer, the draft page
beside the conversation, and the lead's queue. Each action calls one
review.services function; refusals show in #flash (htmx) or as a flash message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from frontend.helpers import HtmxHttpRequest, error_response
from inbox import selectors as inbox_selectors
from replypad.errors import ReplypadError
from review import selectors, services
from review.errors import StaleDraft
from review.models import Draft


def _draft_url(draft: Draft) -> str:
    return reverse("frontend:draft-detail", args=[draft.pk])


def _done(
    request: HtmxHttpRequest, draft: Draft, text: str, *, to: str = ""
) -> HttpResponse:
    """Redirect (HX-Location for htmx) to the draft page, or `to`, with a flash."""
    messages.success(request, text)
    target = to or _draft_url(draft)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Location"] = target
        return response
    return redirect(target)


def _refused(request: HtmxHttpRequest, error: ReplypadError, back: str) -> HttpResponse:
    if request.htmx:
        return error_response(error)
    messages.error(request, error.message)
    return redirect(back)


def _saved_from_composer(request: HtmxHttpRequest, conversation_id: int) -> Draft:
    """Create the user's draft from the composer fields, or save onto it."""
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    body = request.POST.get("body", "")
    cc = request.POST.get("cc", "")
    draft = selectors.open_draft_of(conversation, request.user)
    if draft is None:
        return services.create_draft(conversation, by=request.user, body=body, cc=cc)
    version = request.POST.get("draft_version") or draft.version
    return services.save_draft(
        draft, by=request.user, body=body, cc=cc, version=int(version)
    )


@require_POST
@login_required
def draft_autosave(request: HtmxHttpRequest, conversation_id: int) -> JsonResponse:
    """The composer's debounced autosave: answers the draft's id and version, or
    409 with the current text (`current`) when someone saved in between."""
    try:
        draft = _saved_from_composer(request, conversation_id)
    except StaleDraft as error:
        return JsonResponse(error.as_dict(), status=409)
    except ReplypadError as error:
        return JsonResponse(error.as_dict(), status=error.status_code)
    return JsonResponse(
        {
            "id": draft.pk,
            "version": draft.version,
            "state": draft.state,
            "url": _draft_url(draft),
        }
    )


@require_POST
@login_required
def draft_from_composer(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """ "Save as draft" or "Ask for review" (ask=1) from the conversation composer."""
    back = reverse("frontend:conversation-detail", args=[conversation_id])
    try:
        draft = _saved_from_composer(request, conversation_id)
        if request.POST.get("ask"):
            if draft.state in (Draft.State.EDITING, Draft.State.CHANGES_REQUESTED):
                draft = services.submit_for_review(draft, by=request.user)
            return _done(request, draft, "Draft sent for review.")
    except ReplypadError as error:
        return _refused(request, error, back)
    return _done(request, draft, "Draft saved.")


def _draft_context(request: HtmxHttpRequest, draft: Draft) -> dict[str, Any]:
    conversation = inbox_selectors.get_conversation_for(
        request.user, draft.conversation_id
    )
    revisions = selectors.revisions_of(draft)
    old = request.GET.get("old", "")
    new = request.GET.get("new", "")
    diff = None
    if old.isdigit() and new.isdigit():
        diff = selectors.revision_diff(draft, old=int(old), new=int(new))
    is_author = draft.author_id == request.user.pk
    return {
        "draft": draft,
        "conversation": conversation,
        "thread": [
            item
            for item in inbox_selectors.thread_for(conversation)
            if item.kind == "message"
        ],
        "comments": selectors.comments_of(draft),
        "revisions": revisions,
        "diff": diff,
        "approval": selectors.standing_approval(draft),
        "locked_by": selectors.lock_holder_for(draft, request.user),
        "can_review": draft.state == Draft.State.IN_REVIEW
        and selectors.can_review(request.user, draft),
        "can_submit": draft.state
        in (Draft.State.EDITING, Draft.State.CHANGES_REQUESTED),
        "can_send": draft.state == Draft.State.APPROVED
        or (draft.state == Draft.State.EDITING and is_author),
        "is_author": is_author,
    }


@login_required
def draft_detail(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    """The draft beside the conversation: text, comments, diff and the actions."""
    draft = selectors.get_draft_for(request.user, draft_id)
    return render(request, "frontend/review/draft.html", _draft_context(request, draft))


def _action(
    request: HtmxHttpRequest, draft_id: int, call: Any, done: str
) -> HttpResponse:
    draft = selectors.get_draft_for(request.user, draft_id)
    try:
        draft = call(draft)
    except ReplypadError as error:
        return _refused(request, error, _draft_url(draft))
    return _done(request, draft, done)


@require_POST
@login_required
def draft_save(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    return _action(
        request,
        draft_id,
        lambda d: services.save_draft(
            d,
            by=request.user,
            body=request.POST.get("body", ""),
            version=int(request.POST.get("version") or 0),
        ),
        "Draft saved.",
    )


@require_POST
@login_required
def draft_take_over(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    return _action(
        request,
        draft_id,
        lambda d: services.take_over_lock(d, by=request.user),
        "You are editing this draft now.",
    )


@require_POST
@login_required
def draft_submit(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    return _action(
        request,
        draft_id,
        lambda d: services.submit_for_review(d, by=request.user),
        "Draft sent for review.",
    )


@require_POST
@login_required
def draft_approve(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.get_draft_for(request.user, draft_id)
    try:
        services.approve_draft(
            draft, by=request.user, comment=request.POST.get("comment", "")
        )
    except ReplypadError as error:
        return _refused(request, error, request.POST.get("back") or _draft_url(draft))
    return _done(
        request,
        draft,
        "Approved: the reply is on its way.",
        to=reverse("frontend:review-queue"),
    )


@require_POST
@login_required
def draft_request_changes(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    return _action(
        request,
        draft_id,
        lambda d: services.request_changes(
            d, by=request.user, comment=request.POST.get("comment", "")
        ),
        "Changes requested; the author has been told.",
    )


@require_POST
@login_required
def draft_send(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    return _action(
        request,
        draft_id,
        lambda d: services.send_draft(d, by=request.user),
        "Reply queued: it goes out in a few seconds.",
    )


@require_POST
@login_required
def draft_cancel(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    return _action(
        request,
        draft_id,
        lambda d: services.cancel_draft(d, by=request.user),
        "Draft cancelled.",
    )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_POST
@login_required
def draft_comment(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    def comment(draft: Draft) -> Draft:
        services.add_comment(
            draft,
            by=request.user,
            body=request.POST.get("body", ""),
            start=_int_or_none(request.POST.get("start")),
            end=_int_or_none(request.POST.get("end")),
            parent_id=_int_or_none(request.POST.get("parent")),
        )
        return draft

    return _action(request, draft_id, comment, "Comment added.")


@require_POST
@login_required
def comment_resolve(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    comment = selectors.get_comment_for(request.user, comment_id)
    services.resolve_comment(
        comment, by=request.user, resolved=request.POST.get("resolved") != "0"
    )
    return _done(request, comment.draft, "Comment updated.")


@require_GET
@login_required
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    """Drafts waiting for the user, oldest first; j/k, Enter, a and c."""
    try:
        page = selectors.review_queue(request.user, after=request.GET.get("after"))
    except ReplypadError as error:
        return _refused(request, error, reverse("frontend:review-queue"))
    return render(
        request,
        "frontend/review/queue.html",
        {"page": page, "count": selectors.review_queue_count(request.user)},
    )
