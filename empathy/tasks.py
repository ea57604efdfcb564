from __future__ import annotations

from celery import shared_task

from empathy import services


@shared_task
def rescore_sentiment_task(mailbox_id: int | None = None) -> int:
    return services.rescore_sentiment(mailbox_id=mailbox_id)
