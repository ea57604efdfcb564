"""REST endpoints for replies: POST /api/v1/conversations/{id}/replies/ and undo.

Included from replypad/api_urls.py; names live in the `api` namespace.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox import outbound, selectors
from inbox.outbound import selectors as outbound_selectors


class AddressListField(serializers.ListField):
    """A list of addresses, or one comma-separated string; checked by the service."""

    child = serializers.CharField(max_length=320, trim_whitespace=False)

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            data = [part for part in data.split(",") if part.strip()]
        return super().to_internal_value(data)


@extend_schema_serializer(component_name="ReplyQueued")
class ReplyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delivery_status = serializers.CharField()


class ReplyCreateApi(APIView):
    @extend_schema_serializer(component_name="ReplyInput")
    class InputSerializer(serializers.Serializer):
        # Blank is fine with a template: the rendered canned reply is sent.
        body = serializers.CharField(
            trim_whitespace=False, allow_blank=True, required=False, default=""
        )
        cc = AddressListField(required=False, default=list)
        bcc = AddressListField(required=False, default=list)
        status = serializers.ChoiceField(
            choices=["open", "pending", "resolved"],
            required=False,
            allow_null=True,
            allow_blank=True,
        )
        template = serializers.IntegerField(required=False, allow_null=True)
        ask = serializers.DictField(
            child=serializers.CharField(allow_blank=True), required=False
        )
        empathy_override_reason = serializers.CharField(
            required=False, allow_blank=True, default=""
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: ReplyOutputSerializer},
        summary="Send a reply (after the undo-send delay)",
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message = outbound.send_reply(
            conversation,
            body=data["body"],
            by=request.user,
            cc=data["cc"],
            bcc=data["bcc"],
            status_after=data.get("status") or None,
            template_id=data.get("template"),
            ask=data.get("ask"),
            empathy_override_reason=data["empathy_override_reason"],
        )
        return Response(
            ReplyOutputSerializer(message).data, status=status.HTTP_201_CREATED
        )


class ReplyCancelApi(APIView):
    @extend_schema(
        request=None,
        responses={200: ReplyOutputSerializer},
        summary="Undo a reply still in its undo-send window (409 once sent)",
    )
    def post(self, request: Request, pk: int) -> Response:
        message = outbound_selectors.get_message_for(request.user, pk)
        message = outbound.cancel_reply(message, by=request.user)
        return Response(ReplyOutputSerializer(message).data)


urlpatterns = [
    path(
        "conversations/<int:pk>/replies/",
        ReplyCreateApi.as_view(),
        name="conversation-replies",
    ),
    path("replies/<int:pk>/cancel/", ReplyCancelApi.as_view(), name="reply-cancel"),
]
