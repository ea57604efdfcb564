"""Writes for canned replies, and the bridge from a conversation to a render.

`templates_app.rendering` works on plain dicts only; `build_context` is the one
place that reads a conversation (and its customer, mailbox, owner) and turns
it into such a dict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from inbox import selectors as inbox_selectors
from inbox.models import Conversation, Label, Mailbox
from inbox.outbound.steps import OutgoingReply
from replypad.errors import PermissionDeniedError
from templates_app import rendering
from templates_app.errors import (
    MissingValues,
    PromisedTimeInPast,
    TemplateFieldsInvalid,
    TemplateInactive,
    TemplateInvalid,
    TemplateNotForMailbox,
    TemplateRenderError,
)
from templates_app.models import CannedTemplate, TemplateRevision, TemplateUse
from templates_app.selectors import (
    ADD_PERMISSION,
    DELETE_PERMISSION,
    EDIT_PERMISSION,
    template_for_reply,
)
from templates_app.variables import sample_context

SHORTCUT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
# Form fields carrying ask values: `ask__order_number` -> ask.order_number.
# The composer's picker and the reply form share this naming.
ASK_FIELD_PREFIX = "ask__"
# Used when a template has no subject of its own: a reply keeps the thread's.
DEFAULT_SUBJECT = 'Re: {{ conversation.subject | default("your message") }}'
EDITABLE_FIELDS = ("name", "shortcut", "subject", "body", "category", "is_active")
# Times a reply promises the customer; once passed, rendering one misleads them.
PROMISED_TIMES = {
    "conversation.milestone_due_at": (
        "The milestone time is in the past; the customer would be promised a "
        "time that has gone."
    ),
}


def _person(user: Any) -> dict[str, str]:
    if user is None:
        return {}
    return {
        "name": user.get_full_name() or user.username,
        "first_name": user.first_name,
        "email": user.email,
    }


def build_context(conversation: Conversation, *, agent: Any) -> dict[str, Any]:
    """The plain dict a template sees for this conversation and agent.

    Expects customer, mailbox and escalation_owner to be loadable (one query
    each at most); reads nothing else.
    """
    customer = conversation.customer
    mailbox = conversation.mailbox
    owner = conversation.escalation_owner
    return {
        "customer": {
            "name": customer.name,
            "first_name": customer.first_name,
            "email": customer.email,
            "company": customer.company,
            "timezone": customer.timezone,
            "attributes": dict(customer.attributes or {}),
        },
        "conversation": {
            "number": conversation.number,
            "subject": conversation.subject,
            "status": conversation.status,
            "created_at": conversation.created_at,
            "escalation_owner": _person(owner).get("name"),
            "milestone": conversation.milestone,
            "milestone_due_at": conversation.milestone_due_at,
            "next_update_at": conversation.next_update_at,
        },
        "agent": _person(agent),
        "mailbox": {
            "name": mailbox.name,
            "email": mailbox.email,
            "signature": mailbox.signature,
        },
        "now": timezone.now(),
    }


# --------------------------------------------------------------------------
# Create / update with revisions.


def _check_fields(
    fields: Mapping[str, Any], *, instance: CannedTemplate | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "name" in fields and not str(fields["name"]).strip():
        errors["name"] = ["Give the canned reply a name."]
    if "shortcut" in fields:
        shortcut = str(fields["shortcut"])
        if not SHORTCUT_RE.match(shortcut):
            errors["shortcut"] = [
                "Use 1-50 lower-case letters, digits, '-' or '_' (typed as /shortcut)."
            ]
        elif (
            CannedTemplate.objects.filter(shortcut=shortcut)
            .exclude(pk=instance.pk if instance else None)
            .exists()
        ):
            errors["shortcut"] = [f"The shortcut /{shortcut} is already taken."]
    for name, limits, single_line in (
        ("subject", rendering.SUBJECT_LIMITS, True),
        ("body", rendering.BODY_LIMITS, False),
    ):
        if name not in fields:
            continue
        if name == "body" and not str(fields[name]).strip():
            errors[name] = ["The body cannot be empty."]
            continue
        try:
            rendering.validate_template(
                str(fields[name]), limits=limits, single_line=single_line
            )
        except TemplateInvalid as exc:
            errors[name] = exc.messages
    return errors


def _require(user: Any, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDeniedError("Only admins may manage canned replies.")


def scoped_mailboxes(by: Any, values: Iterable[Any]) -> list[Mailbox]:
    """The template scope rule: a canned reply may be limited only to mailboxes
    its editor is a member of. Takes mailboxes or raw ids (form, API); an
    unknown id and someone else's mailbox get the same answer.
    """
    wanted = set()
    for value in values:
        pk = value.pk if isinstance(value, Mailbox) else value
        try:
            wanted.add(int(pk))
        except (TypeError, ValueError):
            wanted.add(None)
    allowed = list(inbox_selectors.mailboxes_for(by).filter(pk__in=wanted - {None}))
    if len(allowed) != len(wanted):
        raise TemplateFieldsInvalid(
            {"mailboxes": ["Limit a canned reply only to mailboxes you belong to."]}
        )
    return allowed


def record_revision(template: CannedTemplate, *, by: Any) -> None:
    """Keep the current subject and body as a revision (editor, time)."""
    TemplateRevision.objects.create(
        template=template, subject=template.subject, body=template.body, edited_by=by
    )


def create_template(
    *,
    by: Any,
    name: str,
    shortcut: str,
    body: str,
    subject: str = "",
    category: str = "",
    is_active: bool = True,
    mailboxes: Iterable[Any] = (),
    labels: Iterable[Label] = (),
) -> CannedTemplate:
    """Validate (syntax, safety, names, limits, mailbox scope) and save, with
    revision 1. `mailboxes` takes mailboxes or ids; none means every mailbox.

    Raises TemplateFieldsInvalid naming every field at fault, or
    PermissionDeniedError for a user without the add permission.
    """
    _require(by, ADD_PERMISSION)
    mailboxes = scoped_mailboxes(by, mailboxes)
    fields = {
        "name": name.strip(),
        "shortcut": shortcut.strip().lstrip("/").lower(),
        "subject": rendering.normalise_source(subject).strip(),
        "body": rendering.normalise_source(body),
        "category": category.strip(),
        "is_active": is_active,
    }
    if errors := _check_fields(fields, instance=None):
        raise TemplateFieldsInvalid(errors)
    try:
        with transaction.atomic():
            template = CannedTemplate.objects.create(created_by=by, **fields)
            template.mailboxes.set(mailboxes)
            template.labels.set(labels)
            record_revision(template, by=by)
    except IntegrityError as exc:
        # Lost a race for the same shortcut.
        raise TemplateFieldsInvalid(
            {"shortcut": [f"The shortcut /{fields['shortcut']} is already taken."]}
        ) from exc
    return template


def update_template(
    template: CannedTemplate,
    *,
    by: Any,
    mailboxes: Iterable[Any] | None = None,
    labels: Iterable[Label] | None = None,
    **changes: Any,
) -> CannedTemplate:
    """Apply changes to EDITABLE_FIELDS; a new revision when subject or body change.

    Runs under the template row lock, so two editors cannot interleave.
    """
    _require(by, EDIT_PERMISSION)
    if mailboxes is not None:
        mailboxes = scoped_mailboxes(by, mailboxes)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    if "shortcut" in changes:
        changes["shortcut"] = str(changes["shortcut"]).strip().lstrip("/").lower()
    for text_field in ("subject", "body"):
        if text_field in changes:
            changes[text_field] = rendering.normalise_source(changes[text_field])
    if "subject" in changes:
        changes["subject"] = changes["subject"].strip()
    if errors := _check_fields(changes, instance=template):
        raise TemplateFieldsInvalid(errors)
    with transaction.atomic():
        locked = CannedTemplate.objects.select_for_update().get(pk=template.pk)
        text_changed = any(
            field in changes and changes[field] != getattr(locked, field)
            for field in ("subject", "body")
        )
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save()
        if mailboxes is not None:
            locked.mailboxes.set(mailboxes)
        if labels is not None:
            locked.labels.set(labels)
        if text_changed:
            record_revision(locked, by=by)
    return locked


def delete_template(template: CannedTemplate, *, by: Any) -> None:
    """Delete a canned reply; sent messages keep their text (FK is SET_NULL)."""
    _require(by, DELETE_PERMISSION)
    template.delete()


def record_usage(template: CannedTemplate) -> None:
    """Count one use; an UPDATE with F() so concurrent sends never lose a count."""
    CannedTemplate.objects.filter(pk=template.pk).update(
        usage_count=F("usage_count") + 1, last_used_at=timezone.now()
    )


# --------------------------------------------------------------------------
# Rendering against a conversation.


def _check_mailbox(template: CannedTemplate, conversation: Conversation) -> None:
    scoped = [mailbox.pk for mailbox in template.mailboxes.all()]
    if scoped and conversation.mailbox_id not in scoped:
        raise TemplateNotForMailbox(
            f"The canned reply '{template.name}' is not available in "
            f"{conversation.mailbox.name}."
        )


def _value_at(context: Mapping[str, Any], path: str) -> Any:
    value: Any = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _past_promises(
    *, subject: str, body: str, context: Mapping[str, Any]
) -> tuple[rendering.RenderWarning, ...]:
    """A warning for each promised time the template uses that is already past."""
    used = set(rendering.inspect_template(subject, rendering.SUBJECT_LIMITS).variables)
    used.update(rendering.inspect_template(body).variables)
    return tuple(
        rendering.RenderWarning(path, message)
        for path, message in PROMISED_TIMES.items()
        if path in used
        and (due := _value_at(context, path)) is not None
        and due < context["now"]
    )


def _render(
    *, subject: str, body: str, context: Mapping[str, Any], ask: Any, zone: str
) -> rendering.RenderedReply:
    rendered = rendering.render_reply(
        subject=subject, body=body, context=context, ask=ask, timezone=zone
    )
    return replace(
        rendered, warnings=_past_promises(subject=subject, body=body, context=context)
    )


def render_for_conversation(
    template: CannedTemplate,
    conversation: Conversation,
    *,
    ask: Mapping[str, Any] | None,
    agent: Any,
) -> rendering.RenderedReply:
    """Preview: subject, text and HTML bodies, the names still missing, and
    warnings (a promised time already past) that would stop a send.

    The subject falls back to "Re: <conversation subject>" when the template
    has none. Raises TemplateRenderError on a failing render.
    """
    _check_mailbox(template, conversation)
    try:
        return _render(
            subject=template.subject or DEFAULT_SUBJECT,
            body=template.body,
            context=build_context(conversation, agent=agent),
            ask=ask,
            zone=conversation.customer.timezone,
        )
    except TemplateInvalid as exc:
        # Saved before a rule tightened, or written around the services.
        raise TemplateRenderError(
            f"The canned reply '{template.name}' needs fixing: {exc.message}"
        ) from exc


def render_for_send(
    template: CannedTemplate,
    conversation: Conversation,
    *,
    ask: Mapping[str, Any] | None,
    agent: Any,
) -> rendering.RenderedReply:
    """The final text for sending; refuses while any placeholder is missing or
    any warning stands.

    Raises MissingValues (a ReplypadError, 400) listing every missing name, or
    PromisedTimeInPast naming the variable, so the reply service can call this
    at send time and stop. Counts one use of the template after commit of the
    caller's transaction.
    """
    if not template.is_active:
        raise TemplateInactive(f"The canned reply '{template.name}' is retired.")
    rendered = render_for_conversation(template, conversation, ask=ask, agent=agent)
    if rendered.missing:
        raise MissingValues(rendered.missing)
    if rendered.warnings:
        warning = rendered.warnings[0]
        raise PromisedTimeInPast(warning.message, field=warning.field)
    transaction.on_commit(lambda: record_usage(template))
    return rendered


def compose_from_template(reply: OutgoingReply) -> None:
    """send_reply's COMPOSE step (registered in TemplatesAppConfig.ready).

    With a template id on the reply: checks the mailbox may use it, renders it
    with the reply's ask values (MissingValues while any is missing), fills an
    empty body with the rendered text and the subject from the template's,
    and records which template the stored message came from.
    """
    if reply.template_id in (None, ""):
        return
    template = template_for_reply(reply.conversation, reply.template_id)
    rendered = render_for_send(
        template, reply.conversation, ask=reply.ask, agent=reply.by
    )
    # The agent may have tailored the inserted text; an empty box sends it as is.
    reply.body = reply.body or rendered.body.strip()
    if reply.subject is None and template.subject.strip():
        reply.subject = rendered.subject
    reply.on_stored(
        lambda message: TemplateUse.objects.create(
            message=message, template=template, used_at=message.created_at
        )
    )


def ask_values_from(data: Mapping[str, Any]) -> dict[str, str]:
    """The `ask` dict from posted form fields (`ask__<name>` -> `<name>`)."""
    return {
        key.removeprefix(ASK_FIELD_PREFIX): str(value)
        for key, value in data.items()
        if key.startswith(ASK_FIELD_PREFIX)
    }


def ask_names(template: CannedTemplate) -> list[str]:
    """The `ask.*` values the agent must type for this template, in order."""
    names: dict[str, None] = {}
    for source in (template.subject, template.body):
        try:
            names.update(dict.fromkeys(rendering.inspect_template(source).ask))
        except TemplateInvalid:
            continue
    return list(names)


def render_sample(
    *,
    subject: str,
    body: str,
    conversation: Conversation | None = None,
    agent: Any = None,
) -> rendering.RenderedReply:
    """The editor's preview of unsaved source text.

    Against `conversation` when given (the caller checked access), else the
    built-in sample conversation. Raises TemplateInvalid or
    TemplateRenderError like a real render.
    """
    if conversation is None:
        context, zone = sample_context(), "Europe/London"
    else:
        context = build_context(conversation, agent=agent)
        zone = conversation.customer.timezone
    return _render(
        subject=subject or DEFAULT_SUBJECT,
        body=body,
        context=context,
        ask=None,
        zone=zone,
    )
