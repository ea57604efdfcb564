from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from frontend import outbox as outbox_files
from inbox import selectors


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    addresses = {m.email.lower() for m in selectors.mailboxes_for(request.user)}
    entries = outbox_files.entries_for(addresses)
    return render(request, "frontend/outbox/list.html", {"entries": entries})


@login_required
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    addresses = {m.email.lower() for m in selectors.mailboxes_for(request.user)}
    entry = outbox_files.entry(name, addresses)
    if entry is None:
        raise Http404("No such email in the outbox")
    return render(request, "frontend/outbox/detail.html", {"entry": entry})
