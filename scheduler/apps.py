from __future__ import annotations

from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "scheduler"
    verbose_name = "Scheduler"

    def ready(self) -> None:
        from inbox import hooks
        from inbox.models import Conversation
        from scheduler import tasks

        # Resolving a conversation cancels the updates still promised on it.
        hooks.subscribe(
            hooks.STATUS_CHANGED,
            tasks.cancel_on_resolve_task,
            when=lambda payload: payload["new"] == Conversation.Status.RESOLVED,
        )
