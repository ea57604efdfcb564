"""Fixtures and fakes for the outbound tests (imported by name, not a conftest).

The only fake is at the real boundary: Anymail's test ESP backend, and a
subclass of it that fails the way an ESP does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import requests
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError
from django.core import mail

from tests.factories import ConversationFactory, CustomerFactory, MessageFactory


class FlakyEsp(AnymailTestBackend):
    """Anymail's test ESP that first raises the queued errors, one per send."""

    failures: ClassVar[list[Exception]] = []

    def post_to_esp(self, payload: Any, message: Any) -> Any:
        if FlakyEsp.failures:
            raise FlakyEsp.failures.pop(0)
        return super().post_to_esp(payload, message)


def esp_error(status: int | None, text: str = "") -> AnymailAPIError:
    """The error Anymail raises for an ESP answer with this HTTP status (None: no answer)."""
    if status is None:
        return AnymailAPIError(text or "Connection reset by peer")
    response = requests.Response()
    response.status_code = status
    response.reason = text or "Error"
    response._content = f'{{"message": "{text}"}}'.encode()
    response.encoding = "utf-8"
    return AnymailAPIError(
        f"ESP API response {status}", status_code=status, response=response
    )


@pytest.fixture(name="esp")
def esp_fixture(settings: Any) -> Iterator[list[Any]]:
    """Outgoing mail goes to Anymail's test ESP; yields the list of sent emails.

    Tasks enqueued on commit run inline (eager, the test default), so no test
    leaves work in Redis.
    """
    settings.EMAIL_BACKEND = "tests.inbox.outbound_support.FlakyEsp"
    FlakyEsp.failures = []
    mail.outbox = []
    yield mail.outbox
    FlakyEsp.failures = []


@pytest.fixture(name="conversation")
def conversation_fixture(mailbox: Any) -> Any:
    customer = CustomerFactory(
        email="dana@example.test", name="Dana Scully", first_name="Dana"
    )
    conversation = ConversationFactory(
        mailbox=mailbox, customer=customer, subject="Order 1234 never arrived"
    )
    MessageFactory(
        conversation=conversation,
        text="My order never arrived and nobody answers. I am really upset.",
        message_id="<first@example.test>",
    )
    return conversation
