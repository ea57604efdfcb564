from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from frontend.helpers import HtmxHttpRequest, error_response, partial
from inbox import presence, selectors, services
from inbox.errors import InvalidSnooze
from inbox.models import Conversation
from replypad.errors import ReplypadError
from review import selectors as review_selectors

# Sanitised email HTML still goes into a sandbox: no scripts, no forms, no plugins,
# nothing fetched but inline images, styles only inline.
MESSAGE_HTML_CSP = (
    "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; "
    "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
    "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox"
)
# Attachment types a browser would render or run; always downloaded, never shown.
SAFE_INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
SNOOZE_PRESETS = {
    "4h": ("In 4 hours", timedelta(hours=4)),
    "tomorrow": ("Tomorrow", timedelta(days=1)),
    "week": ("Next week", timedelta(days=7)),
}


def _header_context(request: HtmxHttpRequest, conversation: Conversation) -> dict:
    return {
        "conversation": conversation,
        "options": selectors.picker_options([conversation.mailbox_id]),
        "statuses": [
            (value, name)
            for value, name in Conversation.Status.choices
            if value != Conversation.Status.SNOOZED
        ],
        "snooze_presets": SNOOZE_PRESETS,
    }


def _page_context(request: HtmxHttpRequest, conversation: Conversation) -> dict:
    thread = selectors.thread_for(conversation)
    last_message = max(
        (item.obj.pk for item in thread if item.kind == "message"), default=0
    )
    return {
        **_header_context(request, conversation),
        "thread": thread,
        "last_message_id": last_message,
        "others": presence.others_on(conversation, user=request.user),
        "poll_seconds": presence.POLL_SECONDS,
        **_drafts(request, conversation),
    }


def _drafts(request: HtmxHttpRequest, conversation: Conversation) -> dict:
    """The open drafts for the team to see (one query); the user's own goes
    back into the composer, so a closed tab loses nothing."""
    drafts = review_selectors.open_drafts_on(conversation)
    mine = next((d for d in drafts if d.author_id == request.user.pk), None)
    if mine is None:
        return {"drafts": drafts}
    return {
        "drafts": drafts,
        "my_draft": mine,
        "reply_body": mine.body,
        "reply_cc": ", ".join(mine.cc),
    }


@login_required
def conversation_detail(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    presence.touch(conversation, user=request.user)
    context = _page_context(request, conversation)
    return render(
        request,
        partial(request, "frontend/conversation/detail.html", "thread"),
        context,
    )


def _after_action(
    request: HtmxHttpRequest, conversation: Conversation, done: str
) -> HttpResponse:
    """The refreshed header for htmx (and a thread refresh), a redirect otherwise."""
    selectors.forget_folder_counts(request.user)
    if not request.htmx:
        messages.success(request, done)
        return redirect("frontend:conversation-detail", conversation.pk)
    fresh = selectors.get_conversation_for(request.user, conversation.pk)
    response = render(
        request,
        "frontend/conversation/detail.html#conversation-header",
        {**_header_context(request, fresh), "flash": done},
    )
    return trigger_client_event(response, "conversation-changed")


def _refused(
    request: HtmxHttpRequest, conversation_id: int, error: ReplypadError
) -> HttpResponse:
    if request.htmx:
        return error_response(error)
    messages.error(request, error.message)
    return redirect("frontend:conversation-detail", conversation_id)


@require_POST
@login_required
def assign(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    try:
        conversation = services.assign(
            conversation, to=request.POST.get("assignee", ""), by=request.user
        )
    except ReplypadError as error:
        return _refused(request, conversation_id, error)
    to = conversation.assignee
    who = (to.get_full_name() or to.username) if to else "nobody"
    return _after_action(request, conversation, f"Assigned to {who}.")


@require_POST
@login_required
def label(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    remove = request.POST.get("remove") == "1"
    try:
        chosen = services.labels_from([request.POST.get("label", "")])
        conversation = services.change_labels(
            conversation,
            add=() if remove else chosen,
            remove=chosen if remove else (),
            by=request.user,
        )
    except ReplypadError as error:
        return _refused(request, conversation_id, error)
    verb = "Removed" if remove else "Added"
    return _after_action(request, conversation, f"{verb} label {chosen[0].name}.")


@require_POST
@login_required
def status(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    new = request.POST.get("status", "")
    try:
        conversation = services.change_status(conversation, status=new, by=request.user)
    except ReplypadError as error:
        return _refused(request, conversation_id, error)
    return _after_action(
        request, conversation, f"Marked {conversation.get_status_display().lower()}."
    )


def _snooze_until(request: HtmxHttpRequest) -> datetime:
    preset = SNOOZE_PRESETS.get(request.POST.get("preset", ""))
    if preset:
        return timezone.now() + preset[1]
    raw = request.POST.get("until", "")
    try:
        until = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidSnooze("Pick a snooze time") from None
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    return until


@require_POST
@login_required
def snooze(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    try:
        until = _snooze_until(request)
        conversation = services.snooze(conversation, until=until, by=request.user)
    except ReplypadError as error:
        return _refused(request, conversation_id, error)
    local = timezone.localtime(until).strftime("%a %d %b %H:%M")
    return _after_action(request, conversation, f"Snoozed until {local}.")


@require_GET
@login_required
def customer_history(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """The customer's other conversations, loaded into the sidebar after the page."""
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    history = selectors.other_conversations_of(conversation, user=request.user)
    return render(
        request,
        "frontend/conversation/_history.html",
        {"conversation": conversation, "history": history},
    )


@require_POST
@login_required
def presence_poll(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Polled by the open page: records the user, answers who else is here and
    whether new messages arrived since the page loaded."""
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    if request.POST.get("state") == "left":
        presence.leave(conversation, user=request.user)
        return HttpResponse(status=204)
    presence.touch(conversation, user=request.user, state=request.POST.get("state", ""))
    after = request.POST.get("after", "0")
    arrived = presence.messages_since(
        conversation, after_message_id=int(after) if after.isdigit() else 0
    )
    return render(
        request,
        "frontend/conversation/_presence.html",
        {
            "conversation": conversation,
            "others": presence.others_on(conversation, user=request.user),
            "arrived": arrived,
        },
    )


@require_GET
@login_required
def new_messages(request: HtmxHttpRequest, conversation_id: int) -> JsonResponse:
    """For the composer's held send: what arrived after the page's newest message."""
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    after = request.GET.get("after", "0")
    arrived = presence.messages_since(
        conversation, after_message_id=int(after) if after.isdigit() else 0
    )
    return JsonResponse({"new_messages": [_message_summary(m) for m in arrived]})


def _message_summary(message: Any) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.kind,
        "from": message.author.get_full_name()
        if message.author
        else message.from_email,
        "created_at": message.created_at.isoformat(),
        "preview": " ".join(message.visible_text.split())[:200],
    }


@require_GET
@login_required
def message_html(request: HtmxHttpRequest, message_id: int) -> HttpResponse:
    """The sanitised HTML of an email, for a sandboxed iframe under a strict CSP."""
    message = selectors.get_message_for(request.user, message_id)
    document = (
        '<!doctype html><meta charset="utf-8">'
        '<base target="_blank"><style>body{font:15px system-ui,sans-serif;'
        "margin:0;overflow-wrap:anywhere}img{max-width:100%}</style>"
        f"{message.html}"
    )
    response = HttpResponse(document, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = MESSAGE_HTML_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
@login_required
def attachment_download(request: HtmxHttpRequest, attachment_id: int) -> FileResponse:
    """Always a download: HTML or SVG from a customer must never render on our origin."""
    attachment = selectors.get_attachment_for(request.user, attachment_id)
    content_type = attachment.content_type.lower().split(";")[0].strip()
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=content_type
        if content_type in SAFE_INLINE_TYPES
        else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
