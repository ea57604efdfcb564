"""The reply composer: send (and resolve / set pending), undo, retry, delivery status.

Each action calls one inbox.outbound service and answers htmx with the fresh
composer (`_composer.html#composer`); without JavaScript it redirects back to
the conversation with a flash message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from frontend.helpers import HtmxHttpRequest, error_response
from inbox import outbound, selectors
from inbox.models import Conversation, Message
from inbox.outbound import selectors as outbound_selectors
from replypad.errors import ReplypadError
from templates_app.services import ask_values_from

COMPOSER = "frontend/conversation/_composer.html"


def _composer(
    request: HtmxHttpRequest,
    conversation: Conversation,
    *,
    draft: Message | None = None,
) -> HttpResponse:
    """The composer region, with the undone reply's text put back when there is one."""
    outgoing = outbound_selectors.outgoing_for_composer(conversation)
    context = {
        "conversation": conversation,
        "outgoing": outgoing,
        "outgoing_loaded": True,
        "in_flight": outbound_selectors.has_in_flight(outgoing),
        "reply_body": draft.visible_text if draft else "",
        "reply_cc": ", ".join(draft.cc) if draft else "",
    }
    response = render(request, f"{COMPOSER}#composer", context)
    return trigger_client_event(response, "conversation-changed")


def _typed_body(request: HtmxHttpRequest) -> str:
    """The composer's own text box comes first in the form; the canned-reply
    preview posts its rendered text as a later `body`, used only when the box
    is empty."""
    return next((b for b in request.POST.getlist("body") if b.strip()), "")


def _refused(
    request: HtmxHttpRequest, error: ReplypadError, conversation_id: int
) -> HttpResponse:
    if request.htmx:
        return error_response(error)
    messages.error(request, error.message)
    return redirect("frontend:conversation-detail", conversation_id)


@require_POST
@login_required
def reply_send(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    try:
        outbound.send_reply(
            conversation,
            body=_typed_body(request),
            by=request.user,
            cc=request.POST.get("cc", ""),
            status_after=request.POST.get("status") or None,
            template_id=request.POST.get("template") or None,
            ask=ask_values_from(request.POST),
            empathy_override_reason=request.POST.get("empathy_override_reason", ""),
        )
    except ReplypadError as error:
        return _refused(request, error, conversation.pk)
    if not request.htmx:
        messages.success(request, "Reply queued: it goes out in a few seconds.")
        return redirect("frontend:conversation-detail", conversation.pk)
    fresh = selectors.get_conversation_for(request.user, conversation.pk)
    return _composer(request, fresh)


@require_POST
@login_required
def reply_undo(request: HtmxHttpRequest, message_id: int) -> HttpResponse:
    message = outbound_selectors.get_message_for(request.user, message_id)
    try:
        message = outbound.cancel_reply(message, by=request.user)
    except ReplypadError as error:
        return _refused(request, error, message.conversation_id)
    if not request.htmx:
        messages.info(request, "Reply cancelled; it was not sent.")
        return redirect("frontend:conversation-detail", message.conversation_id)
    conversation = selectors.get_conversation_for(request.user, message.conversation_id)
    return _composer(request, conversation, draft=message)


@require_POST
@login_required
def reply_retry(request: HtmxHttpRequest, message_id: int) -> HttpResponse:
    message = outbound_selectors.get_message_for(request.user, message_id)
    try:
        outbound.retry_message(message, by=request.user)
    except ReplypadError as error:
        return _refused(request, error, message.conversation_id)
    if not request.htmx:
        messages.success(request, "Sending again.")
        return redirect("frontend:conversation-detail", message.conversation_id)
    conversation = selectors.get_conversation_for(request.user, message.conversation_id)
    return _composer(request, conversation)


@require_GET
@login_required
def reply_outgoing(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Mail on its way and delivery problems; polled while anything is in flight."""
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    outgoing = outbound_selectors.outgoing_for_composer(conversation)
    in_flight = outbound_selectors.has_in_flight(outgoing)
    context = {
        "conversation": conversation,
        "outgoing": outgoing,
        "outgoing_loaded": True,
        "in_flight": in_flight,
    }
    response = render(request, f"{COMPOSER}#outgoing", context)
    if request.GET.get("polling") and not in_flight:
        # Everything in flight has landed: the thread shows the new statuses.
        trigger_client_event(response, "conversation-changed")
    return response
