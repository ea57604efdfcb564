from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from anymail.signals import inbound

        from inbox import hooks, tasks
        from inbox.ingest.pipeline import forget_mailbox_addresses
        from inbox.ingest.webhooks import handle_inbound
        from inbox.outbound import receivers  # noqa: F401  (connects tracking)
        from inbox.roles import ensure_roles

        # Groups need the permissions, which exist only after migrate finishes.
        post_migrate.connect(
            ensure_roles, sender=self, dispatch_uid="inbox.ensure_roles"
        )
        # Anymail inbound webhooks (/anymail/<esp>/inbound/) feed the ingest pipeline.
        inbound.connect(handle_inbound, dispatch_uid="inbox.ingest.inbound")
        # A new conversation from a person (not a robot, list or bounce) gets
        # the mailbox's auto-reply, on a worker rather than in the webhook.
        hooks.subscribe(
            hooks.INBOUND_RECEIVED,
            tasks.send_auto_reply_task,
            when=lambda p: p["created_conversation"] and p["auto_reply_allowed"],
        )
        # The pipeline caches support addresses for 10 s; a change drops the cache.
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                forget_mailbox_addresses,
                sender="inbox.Mailbox",
                dispatch_uid=f"inbox.ingest.mailbox-{name}",
            )
