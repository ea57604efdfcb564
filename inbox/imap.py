"""IMAP polling: new mail in each enabled `ImapAccount` goes through the ingest pipeline.

Messages are read with `BODY.PEEK[]` from a folder opened read-only (EXAMINE),
so the mailbox on the server is left exactly as it was: no flags, no deletes.
Progress is the highest UID ingested, saved after every message, so a crash
mid-batch resumes where it stopped. When the server's UIDVALIDITY changes the
UIDs mean nothing any more (RFC 3501 2.3.1.1): the whole folder is read again
and the (mailbox, Message-ID) dedupe turns the old mail into duplicates.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from inbox.ingest.pipeline import ingest_raw_email
from inbox.models import ImapAccount, RawEmail

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
BATCH_LIMIT = 500
LOCK_SECONDS = 15 * 60
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


@dataclass
class FetchResult:
    account_id: int
    counts: Counter[str] = field(default_factory=Counter)
    error: str = ""
    skipped: bool = False

    @property
    def fetched(self) -> int:
        return sum(self.counts.values())


def _connect(account: ImapAccount) -> imaplib.IMAP4:
    if account.use_ssl:
        return imaplib.IMAP4_SSL(
            account.host,
            account.port,
            ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT_SECONDS,
        )
    return imaplib.IMAP4(account.host, account.port, timeout=TIMEOUT_SECONDS)


def _uidvalidity(client: imaplib.IMAP4) -> int | None:
    _, data = client.response("UIDVALIDITY")
    values = [value for value in data if value]
    if values:
        return int(values[-1])
    _, status = client.status("INBOX", "(UIDVALIDITY)")
    match = _UIDVALIDITY.search(status[0] or b"")
    return int(match.group(1)) if match else None


def _message_bytes(data: list) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def fetch_account(account: ImapAccount, *, limit: int = BATCH_LIMIT) -> FetchResult:
    """Ingest up to `limit` new messages from one account; never raises for IMAP trouble.

    A cache lock keeps two workers off the same account; the loser returns at once
    with `skipped=True`.
    """
    result = FetchResult(account.pk)
    lock = f"replypad:imap-fetch:{account.pk}"
    if not cache.add(lock, "1", timeout=LOCK_SECONDS):
        result.skipped = True
        return result
    try:
        _fetch(account, result, limit=limit)
    except (imaplib.IMAP4.error, OSError, ValueError) as error:
        result.error = f"{type(error).__name__}: {error}"[:1000]
        logger.warning("IMAP fetch for %s failed: %s", account, result.error)
    finally:
        cache.delete(lock)
        ImapAccount.objects.filter(pk=account.pk).update(
            last_error=result.error, last_polled_at=timezone.now()
        )
    return result


def _fetch(account: ImapAccount, result: FetchResult, *, limit: int) -> None:
    client = _connect(account)
    try:
        client.login(account.username, account.password)
        status, _ = client.select(_quoted(account.folder), readonly=True)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {account.folder!r}")
        uidvalidity = _uidvalidity(client)
        last_uid = account.last_uid
        if uidvalidity is not None and uidvalidity != account.uidvalidity:
            last_uid = 0
            ImapAccount.objects.filter(pk=account.pk).update(
                uidvalidity=uidvalidity, last_uid=0
            )
            account.uidvalidity, account.last_uid = uidvalidity, 0
        status, data = client.uid("SEARCH", None, f"UID {last_uid + 1}:*")
        if status != "OK":
            raise imaplib.IMAP4.error("UID SEARCH failed")
        # "N:*" always matches the highest UID, even when it is below N (RFC 3501 6.4.8).
        uids = sorted(
            int(uid) for uid in (data[0] or b"").split() if int(uid) > last_uid
        )
        for uid in uids[:limit]:
            status, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = _message_bytes(data) if status == "OK" else None
            if raw is not None:
                outcome = ingest_raw_email(
                    raw, source=RawEmail.Source.IMAP, mailbox=account.mailbox
                )
                result.counts[outcome.status] += 1
            ImapAccount.objects.filter(pk=account.pk).update(last_uid=uid)
            account.last_uid = uid
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_all_accounts(*, mailbox_email: str | None = None) -> list[FetchResult]:
    """Poll every enabled account (or the one of `mailbox_email`), one after another."""
    accounts = (
        ImapAccount.objects.filter(enabled=True)
        .select_related("mailbox")
        .order_by("pk")
    )
    if mailbox_email:
        accounts = accounts.filter(mailbox__email__iexact=mailbox_email)
    return [fetch_account(account) for account in accounts]
