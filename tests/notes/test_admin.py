from __future__ import annotations

import pytest

from inbox import services as inbox_services
from notes import services
from notes.models import Follower, Note, Notification, NotificationPreference
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(mailbox, agent, teammate):
    conversation = ConversationFactory(mailbox=mailbox)
    note = services.add_note(conversation, body="@bob look", by=agent).note
    services.edit_note(note, body="@bob look again", by=agent)
    inbox_services.change_status(conversation, status="pending", by=agent)
    services.set_preference(teammate, event="mention", email=False, auto_follow=True)
    return conversation


@pytest.mark.parametrize(
    "model",
    [Note, Follower, Notification, NotificationPreference],
    ids=["note", "follower", "notification", "preference"],
)
def test_admin_lists_and_opens_every_notes_model(client, admin, filled, model):
    client.force_login(admin)
    opts = model._meta
    row = model.objects.first()

    listed = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
    opened = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{row.pk}/change/")

    assert listed.status_code == 200
    assert opened.status_code == 200


def test_an_agent_cannot_open_the_notes_admin(client, agent, filled):
    client.force_login(agent)

    response = client.get("/admin/notes/note/")

    assert response.status_code == 302
