"""Signed reply tokens: `support+<token>@acme.test` threads a reply to its conversation.

A token is `<conversation id>-<HMAC>`; the HMAC uses SECRET_KEY, so tokens can be
verified without a lookup and cannot be guessed for another conversation. Hex
lower-case survives mail systems that fold the case of local parts.
"""

from __future__ import annotations

import re

from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "replypad.inbox.reply-token"
_TOKEN_RE = re.compile(r"^(?P<id>[1-9][0-9]{0,18})-(?P<mac>[0-9a-f]{20})$")
_ADDRESS_RE = re.compile(r"^[^@+\s]+\+(?P<token>[^@\s]+)@", re.IGNORECASE)


def _mac(conversation_id: int) -> str:
    return salted_hmac(_SALT, str(conversation_id), algorithm="sha256").hexdigest()[:20]


def make_reply_token(conversation_id: int) -> str:
    return f"{conversation_id}-{_mac(conversation_id)}"


def read_reply_token(token: str) -> int | None:
    """The conversation id a token was made for, or None if it is forged or malformed."""
    match = _TOKEN_RE.match(token.strip().lower())
    if not match:
        return None
    conversation_id = int(match["id"])
    if not constant_time_compare(match["mac"], _mac(conversation_id)):
        return None
    return conversation_id


def reply_address(mailbox_email: str, conversation_id: int) -> str:
    local, domain = mailbox_email.rsplit("@", 1)
    return f"{local}+{make_reply_token(conversation_id)}@{domain}"


def conversation_id_from_address(address: str) -> int | None:
    match = _ADDRESS_RE.match(address.strip())
    return read_reply_token(match["token"]) if match else None
