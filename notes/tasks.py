from __future__ import annotations

from celery import shared_task

from notes import services


@shared_task
def send_notification_digests_task() -> int:
    """Beat runs this; each due teammate gets one email for all their pending rows."""
    return services.send_due_digests()


@shared_task
def notify_new_message_task(message_id: int) -> int:
    """Retry path for the message_added receiver; safe to run twice."""
    return len(services.message_received(message_id))
