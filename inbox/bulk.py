"""Bulk actions from the inbox list: one service call per conversation.

Each conversation is changed by the ordinary service, so a bulk action records
the same timeline events and checks the same rules as doing it one by one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from inbox import selectors, services
from inbox.errors import BulkActionInvalid
from inbox.models import Conversation

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


def apply_bulk_action(raw_ids: list[str], *, action: str, value: str, by: Any) -> int:
    """Apply one action to many conversations; returns how many were changed.

    Conversations outside `by`'s mailboxes are skipped as if they did not exist.
    The whole action is one transaction: the first refusal (the same error the
    page and the API give for that input) leaves every conversation unchanged.
    """
    ids = _ids(raw_ids)
    if action not in ACTIONS:
        raise BulkActionInvalid("Choose an action", field="action")
    # The target is read before anything changes, by the services' own readers.
    if action == ASSIGN:
        assignee = services.assignee_from(value, by=by)
    elif action == LABEL:
        labels = services.labels_from([value])
    elif action == MOVE:
        if not value.isdigit():
            raise BulkActionInvalid("Choose a mailbox", field="value")
        mailbox = selectors.get_mailbox_for(by, int(value))
    done = 0
    with transaction.atomic():
        for conversation in Conversation.objects.filter(
            pk__in=ids, mailbox_id__in=selectors.mailbox_ids_for(by)
        ).only("id", "mailbox_id"):
            if action == ASSIGN:
                services.assign(conversation, to=assignee, by=by)
            elif action == LABEL:
                services.change_labels(conversation, add=labels, by=by)
            elif action == RESOLVE:
                services.change_status(
                    conversation, status=Conversation.Status.RESOLVED, by=by
                )
            else:
                services.move_to_mailbox(conversation, mailbox=mailbox, by=by)
            done += 1
    return done
