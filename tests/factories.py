from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from inbox import roles, services
from inbox.models import Conversation, Customer, Label, Mailbox, Membership, Message

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@team.test")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(user: Any, create: bool, extracted: str | None, **kwargs: Any) -> None:
        roles.ensure_roles()
        user.groups.add(Group.objects.get(name=extracted or roles.AGENT))
        if extracted == roles.ADMIN:
            user.is_staff = user.is_superuser = True
        user.save()

    @factory.post_generation
    def mailboxes(
        user: Any, create: bool, extracted: list | None, **kwargs: Any
    ) -> None:
        for mailbox in extracted or []:
            Membership.objects.get_or_create(mailbox=mailbox, user=user)


class MailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailbox
        django_get_or_create = ("email",)

    name = factory.Sequence(lambda n: f"Support {n}")
    email = factory.Sequence(lambda n: f"support{n}@acme.test")
    signature = "— The Acme team"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    email = factory.Sequence(lambda n: f"customer{n}@example.test")
    name = factory.Faker("name")
    first_name = factory.LazyAttribute(lambda c: services.guess_first_name(c.name))


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"label-{n}")
    colour = "#0b5cad"


class ConversationFactory(factory.django.DjangoModelFactory):
    """Made through the service, as production makes them (number, event)."""

    class Meta:
        model = Conversation

    mailbox = factory.SubFactory(MailboxFactory)
    customer = factory.SubFactory(CustomerFactory)
    subject = factory.Faker("sentence", nb_words=5)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Conversation:
        conversation = services.create_conversation(
            mailbox=kwargs.pop("mailbox"),
            customer=kwargs.pop("customer"),
            subject=kwargs.pop("subject"),
        )
        # Anything else (status, milestone, ...) is set afterwards, as later
        # services would.
        if kwargs:
            Conversation.objects.filter(pk=conversation.pk).update(**kwargs)
            conversation.refresh_from_db()
        return conversation


class MessageFactory(factory.django.DjangoModelFactory):
    """An inbound customer message unless `kind` says otherwise; made through the service."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    kind = Message.Kind.INBOUND
    text = factory.Faker("paragraph")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Message:
        conversation = kwargs.pop("conversation")
        kind = kwargs.pop("kind")
        from_email = kwargs.pop(
            "from_email",
            conversation.customer.email
            if kind == Message.Kind.INBOUND
            else conversation.mailbox.email,
        )
        kwargs.setdefault("at", timezone.now())
        return services.append_message(
            conversation, kind=kind, from_email=from_email, **kwargs
        )


class ImapAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inbox.ImapAccount"

    mailbox = factory.SubFactory(MailboxFactory)
    host = "127.0.0.1"
    port = 993
    use_ssl = False
    username = "support"
    password = "imap-secret"
    folder = "INBOX"


class RawEmailFactory(factory.django.DjangoModelFactory):
    """A raw email as stored on arrival, before any worker processed it."""

    class Meta:
        model = "inbox.RawEmail"

    source = "webhook"
    raw = b"From: dana@customer.test\r\nTo: support@acme.test\r\n\r\nHello\r\n"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    size = factory.LazyAttribute(lambda raw_email: len(raw_email.raw))


class CannedTemplateFactory(factory.django.DjangoModelFactory):
    """A valid canned reply; `mailboxes=[...]` scopes it (empty = every mailbox)."""

    class Meta:
        model = "templates_app.CannedTemplate"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Canned reply {n}")
    shortcut = factory.Sequence(lambda n: f"reply-{n}")
    subject = "Re: {{ conversation.subject }}"
    body = 'Hi {{ customer.first_name | default("there") }},\n\nThanks for writing.'
    category = "General"

    @factory.post_generation
    def mailboxes(
        template: Any, create: bool, extracted: list | None, **kwargs: Any
    ) -> None:
        if extracted:
            template.mailboxes.set(extracted)
