from __future__ import annotations

from celery import shared_task

from inbox import services
from inbox.imap import fetch_all_accounts


@shared_task
def wake_snoozed_conversations_task() -> int:
    return services.wake_snoozed_conversations()


@shared_task
def fetch_mail_task() -> int:
    """Poll every enabled IMAP account; returns how many messages were read."""
    return sum(result.fetched for result in fetch_all_accounts())
