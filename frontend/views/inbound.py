"""Inbound mail that needs an admin: rejected and failed emails, with a retry button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from inbox.ingest import NotRetryable, retry_raw_email
from inbox.ingest.selectors import (
    can_manage_inbound,
    get_raw_email_for,
    inbound_problems_for,
)


@login_required
def inbound_problems(request: HttpRequest) -> HttpResponse:
    if not can_manage_inbound(request.user):
        raise Http404("No such page")
    problems = inbound_problems_for(request.user)
    return render(request, "frontend/inbound/problems.html", {"problems": problems})


@require_POST
@login_required
def inbound_retry(request: HttpRequest, raw_email_id: int) -> HttpResponse:
    raw_email = get_raw_email_for(request.user, raw_email_id)
    try:
        result = retry_raw_email(raw_email, by=request.user)
    except NotRetryable as error:
        result, notice = None, error.message
    else:
        notice = f"Retried: {result.status}" + (
            f" ({result.reason})" if result.reason else ""
        )
    if request.htmx:
        raw_email.refresh_from_db()
        context = {"problem": raw_email, "notice": notice, "result": result}
        response = render(
            request, "frontend/inbound/problems.html#problem-row", context
        )
        return trigger_client_event(response, "inbound-changed")
    messages.info(request, notice)
    return redirect("frontend:inbound-problems")
