"""Send later, promised updates and escalation upkeep: the conversation sidebar
panel, its actions, and the Scheduled page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from frontend.helpers import HtmxHttpRequest, error_response, partial
from inbox import selectors as inbox_selectors
from replypad.errors import ReplypadError
from scheduler import selectors, services
from scheduler.errors import InvalidUntil, MilestoneInPast, SendTimeInPast
from templates_app.services import ask_values_from

PANEL = "frontend/scheduled/_panel_page.html"


def _local(value: str, zone: str, *, error: type[ReplypadError]) -> datetime | None:
    """A datetime-local field read on the wall clock of `zone`."""
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise error("Enter a date and time") from None
    return naive.replace(tzinfo=services.zone_named(zone))


def _form_times(post: Any, zone: str) -> dict[str, Any]:
    return {
        "send_at": _local(post.get("send_at", ""), zone, error=SendTimeInPast),
        "every": post.get("every") or None,
        "until": _local(post.get("until", ""), zone, error=InvalidUntil),
    }


def _panel(request: HtmxHttpRequest, conversation_id: int, done: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, done)
        return redirect("frontend:conversation-scheduled", conversation_id)
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    response = render(
        request,
        f"{PANEL}#scheduled-panel",
        {"conversation": conversation, "flash": done},
    )
    return trigger_client_event(response, "conversation-changed")


def _refused(
    request: HtmxHttpRequest, conversation_id: int, error: ReplypadError
) -> HttpResponse:
    if request.htmx:
        return error_response(error)
    messages.error(request, error.message)
    return redirect("frontend:conversation-scheduled", conversation_id)


@login_required
def conversation_scheduled(
    request: HtmxHttpRequest, conversation_id: int
) -> HttpResponse:
    """The conversation page's sidebar panel (htmx loads it after the page, which
    keeps the page's query budget); a page of its own without JavaScript."""
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    return render(
        request,
        partial(request, PANEL, "scheduled-panel"),
        {"conversation": conversation},
    )


@require_POST
@login_required
def scheduled_create(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    zone = request.POST.get("timezone") or services.default_zone(conversation)
    try:
        scheduled = services.schedule(
            conversation,
            by=request.user,
            kind=request.POST.get("kind") or None,
            body=request.POST.get("body", ""),
            template_id=request.POST.get("template") or None,
            ask=ask_values_from(request.POST),
            zone=zone,
            **_form_times(request.POST, zone),
        )
    except ReplypadError as error:
        return _refused(request, conversation_id, error)
    when = scheduled.send_at_local.strftime("%a %d %b, %H:%M")
    return _panel(request, conversation_id, f"Scheduled for {when} ({zone}).")


@require_POST
@login_required
def scheduled_edit(request: HtmxHttpRequest, scheduled_id: int) -> HttpResponse:
    scheduled = selectors.get_scheduled_for(request.user, scheduled_id)
    changes: dict[str, Any] = {}
    if "body" in request.POST:
        changes["body"] = request.POST["body"]
    try:
        if request.POST.get("send_at"):
            changes["send_at"] = _local(
                request.POST["send_at"], scheduled.timezone, error=SendTimeInPast
            )
        services.edit(scheduled, by=request.user, **changes)
    except ReplypadError as error:
        return _refused(request, scheduled.conversation_id, error)
    return _after(request, scheduled, "Scheduled email changed.")


@require_POST
@login_required
def scheduled_cancel(request: HtmxHttpRequest, scheduled_id: int) -> HttpResponse:
    scheduled = selectors.get_scheduled_for(request.user, scheduled_id)
    try:
        services.cancel(scheduled, by=request.user)
    except ReplypadError as error:
        return _refused(request, scheduled.conversation_id, error)
    return _after(request, scheduled, "Scheduled email cancelled.")


def _after(request: HtmxHttpRequest, scheduled: Any, done: str) -> HttpResponse:
    """Back to where the action came from: the Scheduled page or the conversation."""
    if request.POST.get("next") == "list":
        if request.htmx:
            return HttpResponse("")
        messages.success(request, done)
        return redirect("frontend:scheduled-list")
    return _panel(request, scheduled.conversation_id, done)


@require_POST
@login_required
def escalation_update(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    zone = services.default_zone(conversation)
    try:
        services.set_escalation(
            conversation,
            by=request.user,
            owner=request.POST.get("owner", ""),
            milestone=request.POST.get("milestone", ""),
            milestone_due_at=_local(
                request.POST.get("milestone_due_at", ""), zone, error=MilestoneInPast
            ),
        )
    except ReplypadError as error:
        return _refused(request, conversation_id, error)
    return _panel(request, conversation_id, "Escalation saved.")


@login_required
def scheduled_list(request: HtmxHttpRequest) -> HttpResponse:
    """Pending scheduled emails by next run: mine, or the whole team's."""
    who = "team" if request.GET.get("who") == "team" else "mine"
    rows = selectors.scheduled_list(request.user, mine=who == "mine")[:200]
    milestones = selectors.milestones_due_for(request.user)
    return render(
        request,
        "frontend/scheduled/list.html",
        {"rows": rows, "who": who, "milestones": milestones},
    )
