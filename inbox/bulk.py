"""Bulk actions from the inbox list: one service call per conversation.

Each conversation is changed in its own transaction by the ordinary service, so
a bulk action records the same timeline events and checks the same rules as
doing it one by one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from inbox import selectors, services
from inbox.errors import BulkActionInvalid
from inbox.models import Conversation, Label

ASSIGN, LABEL, RESOLVE, MOVE = "assign", "label", "resolve", "move"
ACTIONS = {
    ASSIGN: "Assign to…",
    LABEL: "Add label…",
    RESOLVE: "Resolve",
    MOVE: "Move to mailbox…",
}
MAX_BULK = 200


def _ids(raw_ids: list[str]) -> list[int]:
    ids = sorted({int(i) for i in raw_ids if str(i).isdigit()})
    if not ids:
        raise BulkActionInvalid(
            "Select at least one conversation", field="conversation"
        )
    if len(ids) > MAX_BULK:
        raise BulkActionInvalid(
            f"Select at most {MAX_BULK} conversations at a time", field="conversation"
        )
    return ids


def _target(user: Any, action: str, value: str) -> Any:
    if action == RESOLVE:
        return Conversation.Status.RESOLVED
    if action == ASSIGN:
        if value in {"", "none"}:
            return None
        if value == "me":
            return user
        model = get_user_model()
        assignee = (
            model.objects.filter(pk=int(value)).first() if value.isdigit() else None
        )
        if assignee is None:
            raise BulkActionInvalid("Choose whom to assign to", field="value")
        return assignee
    if action == LABEL:
        label = Label.objects.filter(pk=int(value)).first() if value.isdigit() else None
        if label is None:
            raise BulkActionInvalid("Choose a label", field="value")
        return label
    if action == MOVE:
        if not value.isdigit():
            raise BulkActionInvalid("Choose a mailbox", field="value")
        return selectors.get_mailbox_for(user, int(value))
    raise BulkActionInvalid("Choose an action", field="action")


def apply_bulk_action(raw_ids: list[str], *, action: str, value: str, by: Any) -> int:
    """Apply one action to many conversations; returns how many were changed.

    Conversations outside `by`'s mailboxes are skipped as if they did not exist.
    Validation errors (no selection, unknown action or target) raise before any
    change.
    """
    ids = _ids(raw_ids)
    target = _target(by, action, value)
    done = 0
    for conversation in Conversation.objects.filter(
        pk__in=ids, mailbox_id__in=selectors.mailbox_ids_for(by)
    ).only("id", "mailbox_id"):
        if action == ASSIGN:
            services.assign(conversation, to=target, by=by)
        elif action == LABEL:
            services.add_label(conversation, label=target, by=by)
        elif action == RESOLVE:
            services.change_status(conversation, status=target, by=by)
        else:
            services.move_to_mailbox(conversation, mailbox=target, by=by)
        done += 1
    return done
