"""Notes, followers and notifications pages and their htmx partials."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import trigger_client_event

from frontend.helpers import HtmxHttpRequest, error_response
from inbox import selectors as inbox_selectors
from notes import selectors, services
from notes.models import Notification
from replypad.errors import ReplypadError


def _conversation_url(conversation_id: int, anchor: str = "") -> str:
    url = reverse("frontend:conversation-detail", args=[conversation_id])
    return f"{url}#{anchor}" if anchor else url


@require_POST
@login_required
def note_create(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    try:
        result = services.add_note(
            conversation,
            body=request.POST.get("body", ""),
            by=request.user,
            attachments=request.FILES.getlist("attachments"),
        )
    except ReplypadError as error:
        if request.htmx:
            return error_response(error)
        messages.error(request, error.message)
        return redirect(_conversation_url(conversation.pk, "note-form"))
    if not request.htmx:
        for warning in result.warnings:
            messages.warning(request, warning)
        return redirect(_conversation_url(conversation.pk, f"note-{result.note.pk}"))
    context = {
        "note": selectors.note_with_details(result.note.pk),
        "conversation": conversation,
        "warnings": result.warnings,
        "note_target": "#thread"
        if request.POST.get("note_target") == "#thread"
        else "#note-list",
    }
    response = render(request, "notes/_note_created.html", context)
    return trigger_client_event(response, "conversation-changed")


@require_http_methods(["GET", "POST"])
@login_required
def note_edit(request: HtmxHttpRequest, note_id: int) -> HttpResponse:
    note = selectors.get_note_for(request.user, note_id)
    if request.method == "GET":
        template = (
            "notes/_note.html" if request.GET.get("cancel") else "notes/_note_edit.html"
        )
        return render(request, template, {"note": selectors.note_with_details(note.pk)})
    try:
        result = services.edit_note(
            note, body=request.POST.get("body", ""), by=request.user
        )
    except ReplypadError as error:
        if request.htmx:
            return error_response(error)
        messages.error(request, error.message)
        return redirect(_conversation_url(note.conversation_id, f"note-{note.pk}"))
    if not request.htmx:
        for warning in result.warnings:
            messages.warning(request, warning)
        return redirect(_conversation_url(note.conversation_id, f"note-{note.pk}"))
    context = {
        "note": selectors.note_with_details(note.pk),
        "warnings": result.warnings,
    }
    return render(request, "notes/_note_created.html#edited", context)


def _pin_answer(request: HtmxHttpRequest, note_id: int) -> HttpResponse:
    note = selectors.note_with_details(note_id)
    if not request.htmx:
        return redirect(_conversation_url(note.conversation_id, f"note-{note.pk}"))
    context = {"note": note, "pinned": selectors.pinned_notes_for(note.conversation)}
    return render(request, "notes/_note_created.html#pinned-changed", context)


@require_POST
@login_required
def note_pin(request: HtmxHttpRequest, note_id: int) -> HttpResponse:
    note = selectors.get_note_for(request.user, note_id)
    services.pin_note(note, by=request.user)
    return _pin_answer(request, note.pk)


@require_POST
@login_required
def note_unpin(request: HtmxHttpRequest, note_id: int) -> HttpResponse:
    note = selectors.get_note_for(request.user, note_id)
    services.unpin_note(note, by=request.user)
    return _pin_answer(request, note.pk)


@require_GET
@login_required
def note_history(request: HtmxHttpRequest, note_id: int) -> HttpResponse:
    note = selectors.get_note_for(request.user, note_id)
    context = {"note": note, "revisions": selectors.revisions_for(note)}
    return render(request, "notes/_note_history.html", context)


@require_GET
@login_required
def note_attachment(request: HtmxHttpRequest, attachment_id: int) -> FileResponse:
    attachment = selectors.get_note_attachment_for(request.user, attachment_id)
    # Always a download: an uploaded HTML or SVG file must never render here.
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def mention_suggestions(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    users = selectors.mention_candidates(conversation, request.GET.get("q", ""))
    return render(request, "notes/_mention_suggestions.html", {"users": users})


def _followers_answer(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    if not request.htmx:
        return redirect(_conversation_url(conversation_id, "followers"))
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    box = selectors.follower_box(conversation, request.user)
    context = {"box": box, "conversation": conversation}
    return render(request, "notes/_followers.html", context)


@require_GET
@login_required
def followers(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """The followers box; the conversation page loads it after the page itself."""
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    box = selectors.follower_box(conversation, request.user)
    template = (
        "notes/_followers.html"
        if request.htmx
        else "frontend/conversation/followers.html"
    )
    return render(request, template, {"box": box, "conversation": conversation})


def _chosen_user(request: HtmxHttpRequest) -> object:
    user_id = request.POST.get("user")
    if not user_id:
        return request.user
    if not user_id.isdigit():
        raise ReplypadError("Choose a teammate", field="user")
    return get_object_or_404(get_user_model(), pk=int(user_id), is_active=True)


@require_POST
@login_required
def follow(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    try:
        services.follow(conversation, user=_chosen_user(request), by=request.user)
    except ReplypadError as error:
        return error_response(error)
    return _followers_answer(request, conversation.pk)


@require_POST
@login_required
def unfollow(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    try:
        services.unfollow(conversation, user=_chosen_user(request), by=request.user)
    except ReplypadError as error:
        return error_response(error)
    return _followers_answer(request, conversation.pk)


@require_GET
@login_required
def notifications(request: HtmxHttpRequest) -> HttpResponse:
    return _notification_list(request, unread_only=request.GET.get("show") == "unread")


def _notification_list(request: HtmxHttpRequest, *, unread_only: bool) -> HttpResponse:
    rows, older = selectors.notification_page(
        request.user, unread_only=unread_only, before=request.GET.get("before")
    )
    context = {
        "notifications": rows,
        "older": older,
        "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),
    }
    template = "frontend/notifications/list.html"
    return render(
        request,
        f"{template}#notification-list" if request.htmx else template,
        context,
    )


@require_GET
@login_required
def notification_bell(request: HtmxHttpRequest) -> HttpResponse:
    context = {"unread": selectors.unread_count(request.user)}
    return render(request, "notes/_bell_button.html", context)


@require_GET
@login_required
def notification_open(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.get_notification_for(request.user, notification_id)
    services.mark_read(notification, by=request.user)
    anchor = f"note-{notification.note_id}" if notification.note_id else ""
    if notification.message_id:
        anchor = f"message-{notification.message_id}"
    return redirect(_conversation_url(notification.conversation_id, anchor))


@require_POST
@login_required
def notification_read(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.get_notification_for(request.user, notification_id)
    services.mark_read(notification, by=request.user)
    if not request.htmx:
        return redirect("frontend:notifications")
    context = {
        "notification": notification,
        "unread": selectors.unread_count(request.user),
    }
    response = render(request, "frontend/notifications/list.html#read-changed", context)
    return trigger_client_event(response, "notifications-changed")


@require_POST
@login_required
def notifications_read_all(request: HtmxHttpRequest) -> HttpResponse:
    marked = services.mark_all_read(request.user)
    if not request.htmx:
        messages.success(request, f"Marked {marked} notifications read.")
        return redirect("frontend:notifications")
    response = _notification_list(request, unread_only=False)
    return trigger_client_event(response, "notifications-changed")


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        for event in Notification.Verb.values:
            services.set_preference(
                request.user,
                event=event,
                email=request.POST.get(f"{event}-email") == "on",
                auto_follow=request.POST.get(f"{event}-auto_follow") == "on",
            )
        messages.success(request, "Notification settings saved.")
        return redirect("frontend:notification-settings")
    preferences = selectors.preferences_for(request.user)
    rows = [
        {
            "event": event,
            "label": Notification.Verb(event).label,
            "email": preferences[event].email,
            "auto_follow": preferences[event].auto_follow,
            "configurable": event in selectors.CONFIGURABLE_AUTO_FOLLOW,
            "help": AUTO_FOLLOW_HELP.get(event, ""),
        }
        for event in Notification.Verb.values
    ]
    return render(request, "frontend/notifications/settings.html", {"rows": rows})


AUTO_FOLLOW_HELP = {
    Notification.Verb.NEW_MESSAGE: "Follow every new conversation in my mailboxes",
    Notification.Verb.ASSIGNED: "Follow conversations assigned to me",
    Notification.Verb.MENTION: "Always follow conversations I am mentioned in",
    Notification.Verb.STATUS_CHANGED: "",
    Notification.Verb.NOTE_ADDED: "Follow conversations I write a note on",
    Notification.Verb.MILESTONE_DUE: "",
}
