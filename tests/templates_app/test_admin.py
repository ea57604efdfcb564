from __future__ import annotations

import pytest

from templates_app.models import CannedTemplate
from tests.factories import CannedTemplateFactory

pytestmark = pytest.mark.django_db


def admin_form(**overrides):
    data = {
        "name": "Welcome",
        "shortcut": "welcome",
        "subject": "",
        "body": "Hi {{ customer.first_name | default('there') }}",
        "category": "",
        "is_active": "on",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_site_saves_a_template_with_a_revision(client, admin):
    client.force_login(admin)

    response = client.post("/admin/templates_app/cannedtemplate/add/", admin_form())

    template = CannedTemplate.objects.get(shortcut="welcome")
    assert response.status_code == 302
    assert template.revisions.count() == 1
    assert template.created_by == admin


def test_admin_site_refuses_an_unsafe_body_with_the_line(client, admin):
    client.force_login(admin)

    response = client.post(
        "/admin/templates_app/cannedtemplate/add/",
        admin_form(body="Hi\n{{ cycler.__init__.__globals__ }}"),
    )

    assert response.status_code == 200
    assert "Line 2, column 20: Access to" in response.content.decode()
    assert not CannedTemplate.objects.exists()


def test_admin_site_edit_of_the_body_adds_a_revision(client, admin):
    template = CannedTemplateFactory(shortcut="hello")
    client.force_login(admin)

    client.post(
        f"/admin/templates_app/cannedtemplate/{template.pk}/change/",
        admin_form(shortcut="hello", body="Hello {{ agent.first_name }}"),
    )

    assert template.revisions.count() == 1
    assert (
        CannedTemplate.objects.get(pk=template.pk).body
        == "Hello {{ agent.first_name }}"
    )
