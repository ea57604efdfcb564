"""Drafts made the way production makes them: through review.services."""

from __future__ import annotations

from typing import Any

import pytest

from review import services
from review.models import Draft
from tests.factories import ConversationFactory, CustomerFactory, MessageFactory
from tests.inbox.outbound_support import esp_fixture  # noqa: F401

State = Draft.State


@pytest.fixture
def conversation(mailbox: Any) -> Any:
    conversation = ConversationFactory(
        mailbox=mailbox,
        customer=CustomerFactory(email="dana@example.test", name="Dana Scully"),
        subject="Order 1234 never arrived",
    )
    MessageFactory(conversation=conversation, text="Where is my order? I am upset.")
    conversation.refresh_from_db()
    return conversation


BODY = "I am so sorry, Dana. Your order ships today and I will update you by 17:00."


@pytest.fixture
def make_draft(conversation: Any, agent: Any, lead: Any) -> Any:
    """make_draft(state=..., body=...) walks the services to reach `state`."""

    def _make(state: str = State.EDITING, body: str = BODY, by: Any = None) -> Draft:
        author = by or agent
        draft = services.create_draft(conversation, by=author, body=body)
        if state == State.CANCELLED:
            return services.cancel_draft(draft, by=author)
        if state == State.EDITING:
            return draft
        draft = services.submit_for_review(draft, by=author)
        if state == State.CHANGES_REQUESTED:
            return services.request_changes(draft, by=lead, comment="Add a timeline")
        if state in (State.APPROVED, State.SENT):
            return services.approve_draft(draft, by=lead, send=state == State.SENT)
        return draft

    return _make
