from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from frontend.helpers import HtmxHttpRequest, error_response, partial
from frontend.inbox_filters import InboxFilters
from inbox import bulk, presence, selectors
from inbox.models import Conversation
from replypad.errors import ReplypadError

FOLDERS = [
    (Conversation.Status.OPEN, "Open"),
    (Conversation.Status.PENDING, "Pending"),
    (Conversation.Status.SNOOZED, "Snoozed"),
    (Conversation.Status.RESOLVED, "Resolved"),
]


@login_required
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    mailboxes = selectors.member_mailboxes(request.user)
    filters = InboxFilters.from_query(request.GET, mailboxes)
    try:
        page = selectors.conversations_for_inbox(
            request.user,
            mailbox_id=filters.mailbox_id,
            # A search looks through every folder; the other filters narrow it.
            status=None if filters.query else filters.status,
            assignee=filters.assignee,
            label=filters.label_id,
            query=filters.query,
            sort=filters.sort,
            after=filters.after,
        )
    except ReplypadError as error:
        return HttpResponseBadRequest(error.message)
    rows, results, next_cursor = page.rows, page.search, page.next_cursor
    options = selectors.picker_options(
        [filters.mailbox_id] if filters.mailbox_id else [m.pk for m in mailboxes]
    )
    context = {
        "mailboxes": mailboxes,
        "filters": filters,
        "folders": FOLDERS,
        "counts": selectors.folder_counts(request.user, mailbox_id=filters.mailbox_id),
        "rows": rows,
        "results": results,
        "next_cursor": next_cursor,
        "presence": presence.others_on_many([c.pk for c in rows], user=request.user),
        "options": options,
        "bulk_actions": bulk.ACTIONS,
        "sorts": selectors.SORTS,
    }
    return render(
        request,
        partial(request, "frontend/inbox/list.html", "conversation-list"),
        context,
    )


@require_POST
@login_required
def bulk_action(request: HtmxHttpRequest) -> HttpResponse:
    back = request.POST.get("next") or reverse("frontend:inbox")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("frontend:inbox")
    action, _, value = request.POST.get("do", "").partition(":")
    try:
        done = bulk.apply_bulk_action(
            request.POST.getlist("conversation"),
            action=action,
            value=value,
            by=request.user,
        )
    except ReplypadError as error:
        if request.htmx:
            return error_response(error)
        messages.error(request, error.message)
        return redirect(back)
    selectors.forget_folder_counts(request.user)
    messages.success(request, f"Updated {done} conversation{'s' * (done != 1)}.")
    response = redirect(back)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Location"] = back
    return trigger_client_event(response, "conversation-changed")
