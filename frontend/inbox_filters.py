"""The inbox list's query string, parsed once and rebuilt for links."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, QueryDict

from inbox import selectors
from inbox.models import Conversation


@dataclass(frozen=True)
class InboxFilters:
    mailbox_id: int | None = None
    status: str = Conversation.Status.OPEN
    assignee: str = ""
    label_id: int | None = None
    sort: str = selectors.SORT_NEWEST
    query: str = ""
    after: str | None = None

    @classmethod
    def from_query(cls, params: QueryDict, mailboxes: list[Any]) -> InboxFilters:
        """Unknown values fall back to defaults; a mailbox not among the user's
        `mailboxes` is a 404, like any other forbidden id."""
        mailbox = params.get("mailbox", "")
        mailbox_id = None
        if mailbox.isdigit():
            if int(mailbox) not in {box.pk for box in mailboxes}:
                raise Http404("No such mailbox")
            mailbox_id = int(mailbox)
        status = params.get("status", Conversation.Status.OPEN)
        if status not in Conversation.Status.values:
            status = Conversation.Status.OPEN
        assignee = params.get("assignee", "")
        if assignee not in {"me", "none"} and not assignee.isdigit():
            assignee = ""
        label = params.get("label", "")
        sort = params.get("sort", selectors.SORT_NEWEST)
        return cls(
            mailbox_id=mailbox_id,
            status=status,
            assignee=assignee,
            label_id=int(label) if label.isdigit() else None,
            sort=sort if sort in selectors.SORTS else selectors.SORT_NEWEST,
            query=params.get("q", "").strip()[:200],
            after=params.get("after") or None,
        )

    def url(self, **changes: Any) -> str:
        """The inbox URL with these filters, some changed; the cursor always resets."""
        state = replace(self, after=None, **changes)
        params = {
            "mailbox": state.mailbox_id,
            "status": state.status,
            "assignee": state.assignee,
            "label": state.label_id,
            "sort": state.sort if state.sort != selectors.SORT_NEWEST else None,
            "q": state.query,
            "after": state.after,
        }
        return "?" + urlencode({k: v for k, v in params.items() if v})

    def next_url(self, cursor: str) -> str:
        return self.url() + "&" + urlencode({"after": cursor})

    def folder_url(self, status: str) -> str:
        return self.url(status=status, assignee="", query="")

    def mine_url(self) -> str:
        return self.url(status=Conversation.Status.OPEN, assignee="me", query="")

    def unassigned_url(self) -> str:
        return self.url(status=Conversation.Status.OPEN, assignee="none", query="")

    def mailbox_url(self, mailbox_id: int | None) -> str:
        return self.url(mailbox_id=mailbox_id, query="")

    @property
    def is_search(self) -> bool:
        return bool(self.query)
