"""`GET /api/v1/reports/<name>/` (stable interface) and `GET /api/v1/reports/`."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights.csv_export import table_csv
from insights.filters import parse_filters
from insights.reports import NAMES, build_report

FILTER_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First day (default: 29 days before `to`)",
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description="Last day, included (default: today)"
    ),
    OpenApiParameter("mailbox", OpenApiTypes.INT),
    OpenApiParameter("label", OpenApiTypes.INT),
    OpenApiParameter("agent", OpenApiTypes.INT),
    OpenApiParameter("template", OpenApiTypes.INT),
    OpenApiParameter("interval", OpenApiTypes.STR, enum=["day", "week", "month"]),
    OpenApiParameter("days", OpenApiTypes.INT, description="Repeat-contact window"),
]


class CsvRenderer(BaseRenderer):
    """Lets `format=csv` through content negotiation; the view writes the body."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ReportApi(APIView):
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
            OpenApiParameter(
                "table",
                OpenApiTypes.STR,
                description="CSV: which table (default: rows)",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, name: str) -> Response | HttpResponse:
        filters = parse_filters(request.user, request.query_params)
        report = build_report(name, filters)
        if request.accepted_renderer.format == "csv":
            table = report.table(
                request.query_params.get("table") or report.tables[0].name
            )
            return csv_response(
                table_csv(table), f"{table.name}-{filters.start}-{filters.end}.csv"
            )
        return Response(report.as_json())


class ReportListApi(APIView):
    @extend_schema(
        operation_id="reports_all",
        parameters=FILTER_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        filters = parse_filters(request.user, request.query_params)
        return Response({name: build_report(name, filters).as_json() for name in NAMES})


urlpatterns = [
    path("reports/", ReportListApi.as_view(), name="reports"),
    path("reports/<str:name>/", ReportApi.as_view(), name="report"),
]
