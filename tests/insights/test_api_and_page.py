from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from insights.csv_export import safe_cell, table_csv
from insights.reports import NAMES, Table
from tests.factories import ConversationFactory

PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


def march(day):
    return datetime(2026, 3, day, 12, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def history(mailbox, other_mailbox):
    ConversationFactory(mailbox=mailbox, created_at=march(3), last_activity_at=march(3))
    ConversationFactory(mailbox=mailbox, created_at=march(4), last_activity_at=march(4))
    ConversationFactory(
        mailbox=other_mailbox, created_at=march(4), last_activity_at=march(4)
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_report_answers_json_with_rows(api_client, lead, history, name):
    api_client.force_authenticate(lead)

    response = api_client.get(f"/api/v1/reports/{name}/", PERIOD)

    assert response.status_code == 200
    assert response.json()["from"] == "2026-03-01"
    assert isinstance(response.json()["rows"], list)


def test_volume_total_counts_only_the_callers_mailboxes(api_client, lead, history):
    api_client.force_authenticate(lead)

    response = api_client.get("/api/v1/reports/volume/", PERIOD)

    assert response.json()["total"] == 2


def test_an_agent_without_view_reports_gets_403(api_client, agent, history):
    api_client.force_authenticate(agent)

    response = api_client.get("/api/v1/reports/volume/", PERIOD)

    assert response.status_code == 403


def test_a_mailbox_the_lead_is_not_in_is_404(api_client, lead, other_mailbox):
    api_client.force_authenticate(lead)

    response = api_client.get(
        "/api/v1/reports/volume/", {**PERIOD, "mailbox": other_mailbox.pk}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "March"}, "from"),
        ({"from": "2026-04-01", "to": "2026-03-01"}, "from"),
        ({"label": "abc"}, "label"),
        ({"label": "999999"}, "label"),
        ({"interval": "hour"}, "interval"),
        ({"days": "0"}, "days"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "from"),
    ],
    ids=[
        "bad-date",
        "reversed",
        "label-not-a-number",
        "unknown-label",
        "interval",
        "days",
        "too-long",
    ],
)
def test_bad_filters_get_400_naming_the_field(api_client, lead, params, field):
    api_client.force_authenticate(lead)

    response = api_client.get("/api/v1/reports/volume/", params)

    assert response.status_code == 400
    assert field in response.json()


def test_unknown_report_name_is_400(api_client, lead):
    api_client.force_authenticate(lead)

    response = api_client.get("/api/v1/reports/nonsense/", PERIOD)

    assert response.status_code == 400


def test_format_csv_answers_text_csv_equal_to_the_table(api_client, lead, history):
    api_client.force_authenticate(lead)

    response = api_client.get("/api/v1/reports/volume/", {**PERIOD, "format": "csv"})
    json_rows = api_client.get("/api/v1/reports/volume/", PERIOD).json()["rows"]

    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["Period from", "New", "Reopened"]
    assert lines[1:] == [
        [r["period"], str(r["new"]), str(r["reopened"])] for r in json_rows
    ]


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"],
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return"],
)
def test_csv_cells_that_could_run_as_formulas_are_neutralised(value):
    table = Table("t", "T", [("name", "Name")], [{"name": value}])

    text = table_csv(table)

    assert list(csv.reader(io.StringIO(text)))[1] == [f"'{value}"]
    assert safe_cell("plain") == "plain"


def test_the_page_renders_every_report_with_links_to_conversations(
    client, lead, history
):
    client.force_login(lead)

    response = client.get("/reports/", PERIOD)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Labels rising fastest" in body
    assert "no data" in body
    assert reverse("frontend:report-conversations") + "?from=2026-03-01" in body
    assert "<svg" in body


def test_the_page_and_the_api_show_the_same_total(client, api_client, lead, history):
    client.force_login(lead)
    api_client.force_authenticate(lead)

    page = client.get("/reports/", PERIOD)
    api = api_client.get("/api/v1/reports/volume/", PERIOD).json()

    assert page.context["reports"][0]["summary"][0][1] == api["total"]


def test_an_agent_without_view_reports_gets_403_on_the_page(client, agent):
    client.force_login(agent)

    response = client.get("/reports/")

    assert response.status_code == 403


def test_the_nav_shows_reports_only_to_those_who_may_read_them(client, lead, agent):
    client.force_login(agent)
    hidden = client.get("/").content.decode()
    client.force_login(lead)
    shown = client.get("/").content.decode()

    assert 'href="/reports/"' not in hidden
    assert 'href="/reports/"' in shown


def test_a_figure_opens_the_conversations_behind_it(client, lead, history, mailbox):
    client.force_login(lead)

    response = client.get("/reports/conversations/", {**PERIOD, "metric": "new"})

    assert response.status_code == 200
    assert len(response.context["conversations"]) == 2


def test_a_bad_filter_on_the_page_is_a_clear_400(client, lead):
    client.force_login(lead)

    response = client.get("/reports/", {"from": "yesterday"})

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_the_csv_download_neutralises_a_hostile_label_name(client, lead, mailbox):
    from inbox import services
    from tests.factories import LabelFactory

    LabelFactory(name="=cmd|' /C calc'!A0")
    conversation = ConversationFactory(mailbox=mailbox)
    services.change_labels(conversation, add=["=cmd|' /C calc'!A0"], by=lead)
    client.force_login(lead)

    response = client.get(reverse("frontend:report-csv", args=["labels"]))

    assert "'=cmd" in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(
    client, lead, history, django_assert_max_num_queries
):
    client.force_login(lead)

    with django_assert_max_num_queries(45):
        client.get("/reports/", PERIOD)
