"""Turning a Message row into the email an ESP receives.

The reply service renders the bodies once and stores them on the row, so the
thread shows exactly what the customer got; `build_email` only assembles headers
and parts from the row and refuses anything that could inject a header.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from email.utils import formataddr
from typing import Any

import nh3
from anymail.message import AnymailMessage
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from markdown_it import MarkdownIt

from inbox.models import Conversation, Message
from inbox.outbound.errors import InvalidRecipient
from inbox.services import check_header_value
from inbox.tokens import reply_address

# Everything an agent's Markdown can produce, and nothing that runs or tracks.
ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# RFC 5322 recommends keeping References short; the first id plus the latest
# ones keep the thread root and the recent parents.
MAX_REFERENCES = 20
AUTOMATIC_KINDS = {
    Message.Kind.AUTO_REPLY,
    Message.Kind.SCHEDULED_UPDATE,
    Message.Kind.CHECK_IN,
    Message.Kind.POST_MORTEM,
}
_RE_PREFIX = re.compile(r"^\s*(re|aw|sv|antw)\s*:", re.IGNORECASE)
SIGNATURE_DELIMITER = "-- "

# Raw HTML in Markdown is off: an agent pasting <script> gets it as text.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True})


def render_markdown(text: str) -> str:
    """Markdown → sanitised HTML (no scripts, styles, event handlers or odd URLs)."""
    return nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


def compose_bodies(body: str, *, signature: str = "") -> tuple[str, str]:
    """The plain-text and HTML parts of a reply: the body, then the signature.

    The signature follows the "-- " delimiter (RFC 3676 §4.3), which mail
    clients and our own quote stripper recognise.
    """
    body = body.strip()
    signature = signature.strip()
    text = body
    body_html = render_markdown(body)
    if signature:
        text = f"{body}\n\n{SIGNATURE_DELIMITER}\n{signature}"
        signature_html = html.escape(signature).replace("\n", "<br>\n")
        body_html += f'\n<p class="signature">{signature_html}</p>'
    return text + "\n", body_html


def html_document(fragment: str) -> str:
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"></head>'
        f'<body style="font-family: sans-serif; line-height: 1.5">\n'
        f"{fragment}\n</body></html>\n"
    )


def reply_subject(subject: str) -> str:
    subject = subject.strip() or "Your message"
    return subject if _RE_PREFIX.match(subject) else f"Re: {subject}"


def clean_addresses(addresses: Iterable[str] | str, *, field: str) -> list[str]:
    """Normalise a list (or comma-separated string) of bare addresses.

    CR/LF anywhere is refused as header injection before anything else is checked.
    """
    if isinstance(addresses, str):
        addresses = addresses.split(",")
    cleaned: list[str] = []
    for raw in addresses:
        check_header_value(str(raw), field=field)
        address = str(raw).strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidRecipient(
                f"{address!r} is not an email address", field=field
            ) from None
        if address.lower() not in {a.lower() for a in cleaned}:
            cleaned.append(address)
    return cleaned


def thread_headers(conversation: Conversation) -> tuple[str, str]:
    """In-Reply-To and References for the next outgoing message.

    The parent is the latest customer message (what the customer's client
    threads on); References is the parent's chain plus the parent, as RFC 5322
    §3.6.4 asks, trimmed to the root and the newest ids.
    """
    messages = list(
        conversation.messages.exclude(
            delivery_status__in=[
                Message.DeliveryStatus.QUEUED,
                Message.DeliveryStatus.CANCELLED,
                Message.DeliveryStatus.FAILED,
            ]
        )
        .exclude(kind=Message.Kind.INBOUND, auto_submitted=True)
        .order_by("-created_at", "-id")
        .only("kind", "message_id", "references")[:50]
    )
    parent = next((m for m in messages if m.kind == Message.Kind.INBOUND), None)
    if parent is None and messages:
        parent = messages[0]
    if parent is None:
        return "", ""
    chain = [ref for ref in parent.references.split() if ref.startswith("<")]
    chain.append(parent.message_id)
    deduped = list(dict.fromkeys(chain))
    if len(deduped) > MAX_REFERENCES:
        deduped = [deduped[0], *deduped[-(MAX_REFERENCES - 1) :]]
    return parent.message_id, " ".join(deduped)


def sender_name(user: Any, mailbox_name: str) -> str:
    """'Alice Agent at Acme Support' for a person; the mailbox name for automatic mail."""
    if user is None:
        return mailbox_name
    name = user.get_full_name() or user.username
    return f"{name} at {mailbox_name}"


def build_email(message: Message) -> AnymailMessage:
    """The email for a stored outgoing message, with our headers and both parts.

    Raises UnsafeHeaderValue / InvalidRecipient when a stored value would inject
    a header; the caller marks the message failed and sends nothing.
    """
    conversation = message.conversation
    mailbox = message.mailbox
    for field, value in [
        ("subject", message.subject),
        ("from_name", message.from_name),
        ("message_id", message.message_id),
        ("in_reply_to", message.in_reply_to),
        ("references", message.references),
    ]:
        check_header_value(value, field=field)
    to = clean_addresses(message.to, field="to")
    cc = clean_addresses(message.cc, field="cc")
    bcc = clean_addresses(message.bcc, field="bcc")
    if not to:
        raise InvalidRecipient("The message has no recipient", field="to")
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    if message.kind in AUTOMATIC_KINDS or message.auto_submitted:
        # RFC 3834 §5: automatic responses say so, so other robots stay quiet.
        headers["Auto-Submitted"] = "auto-replied"
        # Exchange/Outlook out-of-office rules honour this instead.
        headers["X-Auto-Response-Suppress"] = "All"
        # Our own mark: a copy that comes back is recognised as a loop.
        headers["X-Loop"] = mailbox.email
    email = AnymailMessage(
        subject=message.subject,
        body=message.text,
        from_email=formataddr((message.from_name, message.from_email)),
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=[reply_address(mailbox.email, conversation.pk)],
        headers=headers,
    )
    if message.html:
        email.attach_alternative(html_document(message.html), "text/html")
    email.tags = ["replypad", message.kind]
    email.metadata = {
        "replypad_message": str(message.pk),
        "replypad_conversation": str(conversation.pk),
    }
    return email
