"""Canned replies in the agent UI: library, editor, and the composer picker."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from frontend.helpers import HtmxHttpRequest, partial
from inbox import selectors as inbox_selectors
from replypad.errors import ReplypadError
from templates_app import selectors, services
from templates_app.errors import TemplateFieldsInvalid, TemplateInvalid
from templates_app.models import CannedTemplate
from templates_app.variables import VARIABLES, ask_label


@login_required
def template_list(request: HtmxHttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    search = request.GET.get("q", "")
    context = {
        "templates": selectors.templates_for(
            request.user, search=search, category=category, include_inactive=True
        ),
        "categories": selectors.categories_for(request.user),
        "category": category,
        "search": search,
        "can_edit": selectors.can_edit_templates(request.user),
    }
    return render(
        request,
        partial(request, "frontend/templates/list.html", "template-list"),
        context,
    )


def _form_fields(request: HtmxHttpRequest) -> dict[str, Any]:
    return {
        "name": request.POST.get("name", ""),
        "shortcut": request.POST.get("shortcut", ""),
        "subject": request.POST.get("subject", ""),
        "body": request.POST.get("body", ""),
        "category": request.POST.get("category", ""),
        "is_active": request.POST.get("is_active") == "on",
        "mailboxes": request.POST.getlist("mailboxes"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(
    request: HtmxHttpRequest, template_id: int | None = None
) -> HttpResponse:
    if not selectors.can_edit_templates(request.user):
        raise PermissionDenied
    template = (
        selectors.get_template_for(request.user, template_id) if template_id else None
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        fields = _form_fields(request)
        try:
            if template is None:
                template = services.create_template(by=request.user, **fields)
            else:
                template = services.update_template(template, by=request.user, **fields)
        except TemplateFieldsInvalid as exc:
            errors = exc.errors
        else:
            messages.success(request, f"Saved “{template.name}”.")
            return redirect("frontend:template-list")
        values = fields
    else:
        values = _initial(template)
    context = {
        "template": template,
        "values": values,
        "errors": errors,
        "mailboxes": inbox_selectors.mailboxes_for(request.user),
        "variables": VARIABLES,
        "preview": _sample_preview(request, values["subject"], values["body"]),
        "recent_conversations": inbox_selectors.conversations_for(request.user)
        .select_related(None)
        .prefetch_related(None)
        .order_by("-last_activity_at")[:10],
    }
    return render(
        request, "frontend/templates/edit.html", context, status=400 if errors else 200
    )


def _initial(template: CannedTemplate | None) -> dict[str, Any]:
    if template is None:
        return {
            "name": "",
            "shortcut": "",
            "subject": "",
            "body": "",
            "category": "",
            "is_active": True,
            "mailboxes": [],
        }
    return {
        "name": template.name,
        "shortcut": template.shortcut,
        "subject": template.subject,
        "body": template.body,
        "category": template.category,
        "is_active": template.is_active,
        "mailboxes": [
            str(pk) for pk in template.mailboxes.values_list("pk", flat=True)
        ],
    }


def _sample_preview(
    request: HtmxHttpRequest, subject: str, body: str
) -> dict[str, Any]:
    if not body.strip():
        return {"empty": True}
    conversation = None
    if conversation_id := request.POST.get("preview_conversation"):
        conversation = inbox_selectors.get_conversation_for(
            request.user, conversation_id
        )
    try:
        return {
            "reply": services.render_sample(
                subject=subject,
                body=body,
                conversation=conversation,
                agent=request.user,
            )
        }
    except TemplateInvalid as exc:
        return {"problems": exc.messages}
    except ReplypadError as exc:
        return {"problems": [exc.message]}


@login_required
@require_POST
def template_sample_preview(request: HtmxHttpRequest) -> HttpResponse:
    if not selectors.can_edit_templates(request.user):
        raise PermissionDenied
    context = {
        "preview": _sample_preview(
            request, request.POST.get("subject", ""), request.POST.get("body", "")
        )
    }
    return render(request, "frontend/templates/edit.html#sample-preview", context)


# --------------------------------------------------------------------------
# The composer's picker: search, insert by shortcut, live preview.


@login_required
def composer_search(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    templates = selectors.templates_for_conversation(
        request.user, conversation, search=request.GET.get("q", "")
    )
    context = {"conversation": conversation, "templates": templates}
    return render(
        request, "frontend/templates/_composer.html#template-results", context
    )


def _composer_preview(
    request: HtmxHttpRequest,
    conversation: Any,
    template: CannedTemplate | None,
    ask: dict[str, str],
    *,
    region: str,
) -> HttpResponse:
    context: dict[str, Any] = {"conversation": conversation, "chosen": template}
    if template is not None:
        context["ask_fields"] = [
            {
                "name": name,
                "field": f"{services.ASK_FIELD_PREFIX}{name}",
                "label": ask_label(name),
                "value": ask.get(name, ""),
            }
            for name in services.ask_names(template)
        ]
        try:
            reply = services.render_for_conversation(
                template, conversation, ask=ask, agent=request.user
            )
        except ReplypadError as exc:
            context["error"] = exc.message
        else:
            context["reply"] = reply
            context["missing_data"] = [
                name for name in reply.missing if not name.startswith("ask.")
            ]
            # Sending refuses missing values and warnings alike.
            context["ready"] = not reply.missing and not reply.warnings
    response = render(request, f"frontend/templates/_composer.html#{region}", context)
    missing = list(context["reply"].missing) if "reply" in context else []
    return trigger_client_event(
        response,
        "template-preview",
        {"missing": missing, "ready": context.get("ready", False)},
    )


@login_required
def composer_insert(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    template = None
    if template_id := request.GET.get("template"):
        template = selectors.get_template_for(request.user, template_id)
    elif query := request.GET.get("q", "").strip():
        # An exact /shortcut wins; otherwise the best suggestion for the search.
        best = selectors.templates_for_conversation(
            request.user, conversation, search=query, limit=1
        )
        template = selectors.template_by_shortcut(
            request.user, query, mailbox_id=conversation.mailbox_id
        ) or next(iter(best), None)
    return _composer_preview(
        request, conversation, template, {}, region="template-preview"
    )


@login_required
@require_POST
def composer_preview(
    request: HtmxHttpRequest, conversation_id: int, template_id: int
) -> HttpResponse:
    conversation = inbox_selectors.get_conversation_for(request.user, conversation_id)
    template = selectors.get_template_for(request.user, template_id)
    return _composer_preview(
        request,
        conversation,
        template,
        services.ask_values_from(request.POST),
        region="template-output",
    )
