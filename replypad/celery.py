"""The Celery app `replypad`: `celery -A replypad worker --beat`."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "replypad.settings")

app = Celery("replypad", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The whole beat schedule lives here; each entry says why it runs so often.
app.conf.beat_schedule = {
    # Snoozed conversations wake within a minute of their time.
    "wake-snoozed-conversations": {
        "task": "inbox.tasks.wake_snoozed_conversations_task",
        "schedule": 60.0,
    },
    # Undo-send: replies wait as queued rows until send_after; a short tick
    # sends them within ~2 s of the window closing, with no long ETAs.
    "dispatch-due-messages": {
        "task": "inbox.tasks.dispatch_due_messages_task",
        "schedule": 2.0,
    },
    # IMAP mailboxes are polled every minute: new mail shows within a minute, and
    # the per-account cache lock stops a slow server from being polled twice.
    "fetch-mail": {
        "task": "inbox.tasks.fetch_mail_task",
        "schedule": 60.0,
    },
    # Notification emails batch for 2 minutes per teammate; 30 s keeps the
    # delay past the window short.
    "send-notification-digests": {
        "task": "notes.tasks.send_notification_digests_task",
        "schedule": 30.0,
    },
    # Scheduled emails (send later, promised updates) are rows: a 10 s tick
    # sends them within seconds of their time, and a lease lets any worker
    # take over a row whose worker died.
    "dispatch-scheduled-emails": {
        "task": "scheduler.tasks.dispatch_scheduled_emails_task",
        "schedule": 10.0,
    },
    # Milestone owners hear of a milestone an hour before it is due.
    "alert-due-milestones": {
        "task": "scheduler.tasks.alert_due_milestones_task",
        "schedule": 60.0,
    },
}
