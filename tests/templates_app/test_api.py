from __future__ import annotations

import pytest

from templates_app.models import CannedTemplate
from tests.factories import CannedTemplateFactory, ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_admin_creates_a_template_and_gets_201(api_client, admin):
    api_client.force_authenticate(admin)

    response = api_client.post(
        "/api/v1/templates/",
        {
            "name": "Damaged parcel",
            "shortcut": "damaged",
            "subject": "Re: {{ conversation.subject }}",
            "body": "Hi {{ customer.first_name }}, order {{ ask.order_number }}.",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["shortcut"] == "damaged"
    assert response.json()["ask"] == ["order_number"]


def test_a_syntax_error_answers_400_under_body_with_the_line(api_client, admin):
    api_client.force_authenticate(admin)

    response = api_client.post(
        "/api/v1/templates/",
        {"name": "Broken", "shortcut": "broken", "body": "Hi\n{{ customer.name }"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"body": ["Line 2, column 18: Unexpected '}'"]}
    assert not CannedTemplate.objects.exists()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{{ ''.__class__.__mro__ }}", "not allowed"),
        ("{% include 'secrets' %}", "include"),
        ("{{ 'x' * 10000000 }}", "repetition is capped"),
        ("{{ customer.name | safe }}", "html escaping"),
    ],
    ids=["dunder", "include", "repetition", "safe-filter"],
)
def test_unsafe_bodies_answer_400_under_body(api_client, admin, body, fragment):
    api_client.force_authenticate(admin)

    response = api_client.post(
        "/api/v1/templates/",
        {"name": "Bad", "shortcut": "bad", "body": body},
        format="json",
    )

    assert response.status_code == 400
    assert fragment in response.json()["body"][0].lower()
    assert response.json()["body"][0].startswith("Line 1")


def test_a_missing_field_answers_400_under_its_name(api_client, admin):
    api_client.force_authenticate(admin)

    response = api_client.post(
        "/api/v1/templates/", {"name": "No body", "shortcut": "nobody"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["body"]


def test_an_agent_cannot_create_templates(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.post(
        "/api/v1/templates/",
        {"name": "x", "shortcut": "x", "body": "Hi"},
        format="json",
    )

    assert response.status_code == 403


def test_render_answers_subject_body_and_missing(api_client, mailbox, agent):
    customer = CustomerFactory(name="Maria Lopez", first_name="Maria")
    conversation = ConversationFactory(
        mailbox=mailbox, customer=customer, subject="Late parcel"
    )
    template = CannedTemplateFactory(
        subject="Re: {{ conversation.subject }} ({{ ask.order_number }})",
        body="Hi {{ customer.first_name }}, refund {{ ask.refund_amount }}.",
    )
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/templates/{template.pk}/render/",
        {"conversation": conversation.pk, "ask": {"order_number": "A-9"}},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "Re: Late parcel (A-9)"
    assert body["body"] == "Hi Maria, refund [ask.refund_amount]."
    assert body["missing"] == ["ask.refund_amount"]


def test_a_render_error_answers_400_with_detail(api_client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    template = CannedTemplateFactory(body="{{ ask.note }}")
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/templates/{template.pk}/render/",
        {"conversation": conversation.pk, "ask": {"note": "x" * 5000}},
        format="json",
    )

    assert response.status_code == 400
    assert "longer than 2000 characters" in response.json()["detail"]


def test_outsider_gets_404_rendering_into_a_foreign_conversation(
    api_client, mailbox, outsider
):
    conversation = ConversationFactory(mailbox=mailbox)
    template = CannedTemplateFactory()
    api_client.force_authenticate(outsider)

    response = api_client.post(
        f"/api/v1/templates/{template.pk}/render/",
        {"conversation": conversation.pk},
        format="json",
    )

    assert response.status_code == 404


def test_outsider_gets_404_for_a_template_of_another_mailbox(
    api_client, mailbox, outsider
):
    template = CannedTemplateFactory(mailboxes=[mailbox])
    api_client.force_authenticate(outsider)

    response = api_client.get(f"/api/v1/templates/{template.pk}/")

    assert response.status_code == 404


def test_list_is_paginated_and_searchable(
    api_client, agent, django_assert_max_num_queries
):
    CannedTemplateFactory.create_batch(5, body="Welcome aboard")
    CannedTemplateFactory(name="Refund issued", shortcut="refund")
    api_client.force_authenticate(agent)

    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/templates/", {"search": "refund"})

    assert response.json()["count"] == 1
    assert response.json()["results"][0]["shortcut"] == "refund"


def test_admin_updates_and_deletes_a_template(api_client, admin):
    template = CannedTemplateFactory()
    api_client.force_authenticate(admin)

    patched = api_client.patch(
        f"/api/v1/templates/{template.pk}/",
        {"body": "Thanks, {{ customer.first_name | default('there') }}!"},
        format="json",
    )
    deleted = api_client.delete(f"/api/v1/templates/{template.pk}/")

    assert patched.status_code == 200
    assert patched.json()["body"].startswith("Thanks")
    assert deleted.status_code == 204
    assert not CannedTemplate.objects.filter(pk=template.pk).exists()


def test_variables_are_listed(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.get("/api/v1/templates/variables/")

    names = [variable["name"] for variable in response.json()]
    assert "customer.first_name" in names
    assert "ask.<name>" in names
