"""The placeholders a canned reply may use, with a sample to preview against.

The context builder in `templates_app.services` fills exactly these names from
a conversation; validation rejects any other name so a typo is caught at save
time instead of reaching a customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ASK_PREFIX = "ask."
ASK_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Free-form customer attributes (plan, account id, ...) come from the CRM.
OPEN_PREFIXES = ("customer.attributes.",)


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    example: str


VARIABLES: tuple[Variable, ...] = (
    Variable("customer.name", "Customer's full name", "Jane Doe"),
    Variable("customer.first_name", "Customer's first name", "Jane"),
    Variable("customer.email", "Customer's email address", "jane@example.com"),
    Variable("customer.company", "Customer's company", "Example Ltd"),
    Variable("customer.timezone", "Customer's time zone", "Europe/London"),
    Variable("customer.attributes.<key>", "Any extra customer attribute", "Pro plan"),
    Variable("conversation.number", "Conversation number", "1042"),
    Variable("conversation.subject", "Conversation subject", "Parcel arrived damaged"),
    Variable("conversation.status", "open, pending, snoozed or resolved", "open"),
    Variable("conversation.created_at", "When the customer first wrote", "date"),
    Variable(
        "conversation.escalation_owner",
        "Named owner of an escalation",
        "Sam Rivera",
    ),
    Variable("conversation.milestone", "Next milestone", "Replacement dispatched"),
    Variable("conversation.milestone_due_at", "When the milestone is due", "date"),
    Variable("conversation.next_update_at", "Promised next update", "date"),
    Variable("agent.name", "Your full name", "Alex Morgan"),
    Variable("agent.first_name", "Your first name", "Alex"),
    Variable("agent.email", "Your email address", "alex@acme.test"),
    Variable("mailbox.name", "Mailbox name", "Acme Support"),
    Variable("mailbox.email", "Mailbox address", "support@acme.test"),
    Variable("mailbox.signature", "Mailbox signature", "The Acme team"),
    Variable("now", "The time of sending", "date"),
    Variable("ask.<name>", "A value the agent types in before sending", "A-1234"),
)

KNOWN_NAMES: frozenset[str] = frozenset(
    variable.name for variable in VARIABLES if "<" not in variable.name
)
GROUPS: frozenset[str] = frozenset(
    {"customer", "customer.attributes", "conversation", "agent", "mailbox", "ask"}
)


def is_known(path: str) -> bool:
    """True for a listed name, an `ask.<name>` value or an open attribute."""
    if path in KNOWN_NAMES:
        return True
    if path.startswith(ASK_PREFIX):
        return bool(ASK_NAME_RE.match(path.removeprefix(ASK_PREFIX)))
    return any(
        path.startswith(prefix) and "." not in path.removeprefix(prefix)
        for prefix in OPEN_PREFIXES
    )


def sample_context() -> dict[str, Any]:
    """A realistic conversation, used for save-time trial renders and previews."""
    return {
        "customer": {
            "name": "Jane Doe",
            "first_name": "Jane",
            "email": "jane@example.com",
            "company": "Example Ltd",
            "timezone": "Europe/London",
            "attributes": {"plan": "Pro"},
        },
        "conversation": {
            "number": 1042,
            "subject": "Parcel arrived damaged",
            "status": "open",
            "created_at": datetime(2026, 3, 2, 9, 15, tzinfo=UTC),
            "escalation_owner": "Sam Rivera",
            "milestone": "Replacement dispatched",
            "milestone_due_at": datetime(2026, 3, 3, 16, 0, tzinfo=UTC),
            "next_update_at": datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
        },
        "agent": {
            "name": "Alex Morgan",
            "first_name": "Alex",
            "email": "alex@acme.test",
        },
        "mailbox": {
            "name": "Acme Support",
            "email": "support@acme.test",
            "signature": "The Acme Support team",
        },
        "now": datetime(2026, 3, 2, 11, 30, tzinfo=UTC),
    }


def ask_label(name: str) -> str:
    """`order_number` -> `Order number`, for the composer's input labels."""
    return name.replace("_", " ").strip().capitalize()
