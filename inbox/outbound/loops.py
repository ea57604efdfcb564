"""When an automatic reply must not be sent (RFC 3834 §2 and common practice).

Pure functions over the inbound message's headers, so the rules are testable
without a database and the same for every entry point.
"""

from __future__ import annotations

from email import policy
from email.message import Message as EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

# Senders that are robots by convention (RFC 3834 §3.1.2, RFC 2142).
_ROBOT_LOCAL_PARTS = {
    "mailer-daemon",
    "postmaster",
    "noreply",
    "no-reply",
    "do-not-reply",
    "donotreply",
    "bounce",
    "bounces",
    "listserv",
    "majordomo",
}
_BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}


def parse_headers(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)


def auto_reply_refusal(
    headers: EmailMessage | None, *, from_email: str, mailbox_email: str
) -> str | None:
    """Why this message must get no auto-reply, or None when one is allowed."""
    address = parseaddr(from_email)[1].lower()
    if not address or "@" not in address:
        return "no sender address"
    if address == mailbox_email.lower():
        return "sent from the mailbox itself (loop)"
    local = address.split("@", 1)[0].split("+", 1)[0]
    if local in _ROBOT_LOCAL_PARTS or local.startswith("owner-"):
        return f"robot sender {address}"
    if headers is None:
        return None
    # RFC 3834 §2 loop detection: X-Loop names a system the mail passed through.
    for loop in headers.get_all("X-Loop") or []:
        if mailbox_email.lower() in str(loop).lower():
            return "X-Loop names this mailbox"
    auto_submitted = str(headers.get("Auto-Submitted", "no")).strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    if str(headers.get("Precedence", "")).strip().lower() in _BULK_PRECEDENCE:
        return "bulk or list precedence"
    if any(headers.get(name) for name in ("List-Id", "List-Unsubscribe", "List-Post")):
        return "mailing-list mail"
    if headers.get("X-Auto-Response-Suppress", "").strip():
        suppress = str(headers["X-Auto-Response-Suppress"]).lower()
        if "all" in suppress or "autoreply" in suppress or "oof" in suppress:
            return f"X-Auto-Response-Suppress: {suppress}"
    if headers.get("X-Autoreply") or headers.get("X-Autorespond"):
        return "another auto-responder"
    return_path = str(headers.get("Return-Path", "")).strip()
    if return_path in {"<>", ""} and "Return-Path" in headers:
        # A null reverse-path is how bounces (DSNs) are sent (RFC 5321 §4.5.5).
        return "null Return-Path (bounce)"
    content_type = str(headers.get("Content-Type", "")).lower()
    if "multipart/report" in content_type:
        return "delivery or read report"
    return None
