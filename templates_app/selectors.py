"""Reads of canned replies, scoped to what the user may see or edit."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from inbox.models import Conversation, ConversationLabel
from inbox.selectors import mailbox_ids_for
from templates_app.errors import TemplateNotForMailbox
from templates_app.models import CannedTemplate

EDIT_PERMISSION = "templates_app.change_cannedtemplate"
ADD_PERMISSION = "templates_app.add_cannedtemplate"
DELETE_PERMISSION = "templates_app.delete_cannedtemplate"


def can_edit_templates(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm(EDIT_PERMISSION))


def _in_mailboxes(mailbox_ids: list[int]) -> Q:
    scoped = CannedTemplate.mailboxes.through.objects.filter(
        cannedtemplate_id=OuterRef("pk")
    )
    return ~Exists(scoped) | Exists(scoped.filter(mailbox_id__in=mailbox_ids))


def templates_for(
    user: Any,
    *,
    search: str = "",
    category: str = "",
    mailbox_id: int | None = None,
    include_inactive: bool = False,
) -> QuerySet[CannedTemplate]:
    """Canned replies the user may use: unscoped ones plus their mailboxes'.

    With mailbox_id, only those usable in that mailbox. Inactive templates are
    listed only for editors who ask for them. Ordered by category, then name.
    """
    mailbox_ids = mailbox_ids_for(user)
    if mailbox_id is not None:
        mailbox_ids = [mailbox_id] if mailbox_id in mailbox_ids else []
    queryset = CannedTemplate.objects.filter(_in_mailboxes(mailbox_ids))
    if not (include_inactive and can_edit_templates(user)):
        queryset = queryset.filter(is_active=True)
    if category:
        queryset = queryset.filter(category=category)
    if search := search.strip().lstrip("/"):
        queryset = queryset.filter(
            Q(shortcut__istartswith=search)
            | Q(name__icontains=search)
            | Q(body__icontains=search)
        )
    return queryset.order_by("category", "name")


def templates_for_conversation(
    user: Any, conversation: Conversation, *, search: str = "", limit: int = 8
) -> list[CannedTemplate]:
    """The composer's picker: usable templates, best suggestions first.

    A template sharing a label the conversation currently carries comes
    first (marked `.suggested`), then the most used. One query.
    """
    current_labels = ConversationLabel.objects.filter(
        conversation_id=conversation.pk, removed_at__isnull=True
    ).values("label_id")
    shared_label = CannedTemplate.labels.through.objects.filter(
        cannedtemplate_id=OuterRef("pk"), label_id__in=current_labels
    )
    return list(
        templates_for(user, search=search, mailbox_id=conversation.mailbox_id)
        .annotate(suggested=Exists(shared_label))
        .order_by("-suggested", "-usage_count", "name")[:limit]
    )


def get_template_for(user: Any, template_id: Any) -> CannedTemplate:
    """The template if the user may see it; Http404 whether missing or not."""
    try:
        template_id = int(template_id)
    except (TypeError, ValueError):
        raise Http404("No such canned reply") from None
    queryset = templates_for(user, include_inactive=True)
    try:
        return queryset.get(pk=template_id)
    except CannedTemplate.DoesNotExist:
        raise Http404("No such canned reply") from None


def template_by_shortcut(
    user: Any, shortcut: str, *, mailbox_id: int
) -> CannedTemplate | None:
    """An exact `/shortcut` match usable in the mailbox, or None."""
    return (
        templates_for(user, mailbox_id=mailbox_id)
        .filter(shortcut__iexact=shortcut.strip().lstrip("/"))
        .first()
    )


def categories_for(user: Any) -> list[str]:
    return list(
        templates_for(user, include_inactive=True)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def template_for_reply(conversation: Conversation, template_id: Any) -> CannedTemplate:
    """The canned reply with this id, if the conversation's mailbox may use it.

    TemplateNotForMailbox when the id names nothing the mailbox may use (scoped
    to other mailboxes, or missing). Retired ones are found too, so the
    send-time render can say "retired".
    """
    try:
        template_id = int(template_id)
    except (TypeError, ValueError):
        raise TemplateNotForMailbox("Unknown canned reply") from None
    template = (
        CannedTemplate.objects.filter(pk=template_id)
        .filter(Q(mailboxes=None) | Q(mailboxes=conversation.mailbox_id))
        .first()
    )
    if template is None:
        raise TemplateNotForMailbox("This canned reply cannot be used in this mailbox")
    return template
