from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from inbox.roles import ensure_roles

        # Groups need the permissions, which exist only after migrate finishes.
        post_migrate.connect(
            ensure_roles, sender=self, dispatch_uid="inbox.ensure_roles"
        )
