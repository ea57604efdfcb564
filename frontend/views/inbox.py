from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from frontend.helpers import HtmxHttpRequest, partial
from inbox import selectors
from inbox.models import Conversation

FOLDERS = [
    (Conversation.Status.OPEN, "Open"),
    (Conversation.Status.PENDING, "Pending"),
    (Conversation.Status.SNOOZED, "Snoozed"),
    (Conversation.Status.RESOLVED, "Resolved"),
]


@login_required
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    mailboxes = list(selectors.mailboxes_for(request.user))
    mailbox_id = request.GET.get("mailbox")
    mailbox = (
        selectors.get_mailbox_for(request.user, mailbox_id) if mailbox_id else None
    )
    status = request.GET.get("status", Conversation.Status.OPEN)
    if status not in Conversation.Status.values:
        status = Conversation.Status.OPEN
    page = selectors.conversations_for_inbox(
        request.user,
        mailbox_id=mailbox.pk if mailbox else None,
        status=status,
        after=request.GET.get("after"),
    )
    context = {
        "mailboxes": mailboxes,
        "mailbox": mailbox,
        "status": status,
        "folders": FOLDERS,
        "page": page,
    }
    return render(
        request,
        partial(request, "frontend/inbox/list.html", "conversation-list"),
        context,
    )
