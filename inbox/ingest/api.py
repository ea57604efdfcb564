"""REST API for inbound mail: upload a raw email, list and retry the ones refused.

`POST /api/v1/inbound/` takes the message as the request body
(`Content-Type: message/rfc822`) or as a `file` upload, optionally with
`?mailbox=<id>`; it answers what the pipeline did. Only users who manage
inbound mail (the admin role) may use these endpoints.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox import selectors
from inbox.ingest import ingest_raw_email, retry_raw_email
from inbox.ingest.pipeline import CREATED, THREADED, IngestResult
from inbox.ingest.selectors import (
    can_manage_inbound,
    get_raw_email_for,
    inbound_problems_for,
)
from inbox.models import RawEmail


class RawEmailParser(BaseParser):
    """The request body is the email itself, bytes untouched."""

    media_type = "message/rfc822"

    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        return {"raw": stream.read() if stream else b""}


class IngestResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    raw_email = serializers.IntegerField(source="raw_email_id", allow_null=True)
    message = serializers.IntegerField(source="message_id", allow_null=True)
    conversation = serializers.IntegerField(source="conversation_id", allow_null=True)
    reason = serializers.CharField()
    threaded_by = serializers.CharField()


class RawEmailSerializer(serializers.ModelSerializer):
    class Meta:
        model = RawEmail
        fields = [
            "id",
            "source",
            "mailbox",
            "status",
            "reason",
            "size",
            "envelope_recipient",
            "received_at",
        ]


def _check_may_manage(request: Request) -> None:
    if not can_manage_inbound(request.user):
        raise PermissionDenied("Only admins manage inbound mail")


def _answer(result: IngestResult) -> Response:
    status = 201 if result.status in {CREATED, THREADED} else 200
    return Response(IngestResultSerializer(result).data, status=status)


class InboundUploadApi(APIView):
    parser_classes = [RawEmailParser, MultiPartParser]

    @extend_schema(
        request={
            "message/rfc822": bytes,
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            },
        },
        parameters=[
            OpenApiParameter("mailbox", int, description="file under this mailbox")
        ],
        responses={201: IngestResultSerializer, 200: IngestResultSerializer},
    )
    def post(self, request: Request) -> Response:
        _check_may_manage(request)
        mailbox = None
        if request.query_params.get("mailbox"):
            try:
                mailbox = selectors.get_mailbox_for(
                    request.user, int(request.query_params["mailbox"])
                )
            except ValueError as error:
                raise ValidationError({"mailbox": ["must be a mailbox id"]}) from error
        upload = request.data.get("file")
        raw = upload.read() if upload is not None else request.data.get("raw", b"")
        if not raw:
            raise ValidationError(
                {"file": ["send the email as the body (message/rfc822) or as `file`"]}
            )
        if len(raw) > settings.REPLYPAD_MAX_MESSAGE_BYTES * 2:
            raise ValidationError({"file": ["email is far over the size limit"]})
        result = ingest_raw_email(raw, source=RawEmail.Source.API, mailbox=mailbox)
        return _answer(result)


class InboundProblemListApi(APIView):
    @extend_schema(responses=RawEmailSerializer(many=True))
    def get(self, request: Request) -> Response:
        _check_may_manage(request)
        return Response(
            RawEmailSerializer(inbound_problems_for(request.user), many=True).data
        )


class InboundRetryApi(APIView):
    @extend_schema(
        request=None,
        responses={201: IngestResultSerializer, 200: IngestResultSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        _check_may_manage(request)
        raw_email = get_raw_email_for(request.user, pk)
        return _answer(retry_raw_email(raw_email, by=request.user))


urlpatterns = [
    path("inbound/", InboundUploadApi.as_view(), name="inbound-upload"),
    path("inbound/problems/", InboundProblemListApi.as_view(), name="inbound-problems"),
    path("inbound/<int:pk>/retry/", InboundRetryApi.as_view(), name="inbound-retry"),
]
