from __future__ import annotations

from celery import shared_task

from inbox import services


@shared_task
def wake_snoozed_conversations_task() -> int:
    return services.wake_snoozed_conversations()
