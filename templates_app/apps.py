from __future__ import annotations

from django.apps import AppConfig


class TemplatesAppConfig(AppConfig):
    name = "templates_app"
    verbose_name = "Canned replies"

    def ready(self) -> None:
        from inbox.outbound import steps
        from templates_app.services import compose_from_template

        # A reply naming a canned template is rendered from it before it is checked.
        steps.register(compose_from_template, stage=steps.COMPOSE)
