"""/api/v1/conversations/{id}/scheduled/, /api/v1/scheduled/{id}/ and the
escalation fields of a conversation; the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox import selectors as inbox_selectors
from inbox.models import Conversation
from scheduler import selectors, services
from scheduler.models import ScheduledEmail


class ScheduledEmailSerializer(serializers.ModelSerializer):
    every = serializers.SerializerMethodField()
    send_at_local = serializers.SerializerMethodField()
    template = serializers.IntegerField(source="template_id", allow_null=True)

    class Meta:
        model = ScheduledEmail
        fields = [
            "id",
            "conversation",
            "kind",
            "status",
            "send_at",
            "send_at_local",
            "every",
            "until",
            "timezone",
            "body",
            "template",
            "ask",
            "author",
            "run_count",
            "last_error",
            "created_at",
        ]
        read_only_fields = fields

    def get_every(self, scheduled: ScheduledEmail) -> str | None:
        return scheduled.cadence or None

    def get_send_at_local(self, scheduled: ScheduledEmail) -> str:
        zone = services.zone_named(scheduled.timezone)
        return scheduled.send_at.astimezone(zone).isoformat()


class ScheduledInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ScheduledEmail.Kind.choices, required=False)
    body = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False
    )
    template = serializers.IntegerField(required=False, allow_null=True)
    ask = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False
    )
    send_at = serializers.DateTimeField(required=False, allow_null=True)
    every = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    until = serializers.DateTimeField(required=False, allow_null=True)
    timezone = serializers.CharField(required=False, allow_blank=True)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "template" in data:
            data["template_id"] = data.pop("template")
        if "timezone" in data:
            data["zone"] = data.pop("timezone")
        return data


def _answer(scheduled: ScheduledEmail, *, code: int = status.HTTP_200_OK) -> Response:
    return Response(ScheduledEmailSerializer(scheduled).data, status=code)


class ConversationScheduledApi(APIView):
    @extend_schema(responses=ScheduledEmailSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        rows = selectors.scheduled_on(conversation)
        return Response(ScheduledEmailSerializer(rows, many=True).data)

    @extend_schema(request=ScheduledInput, responses={201: ScheduledEmailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        serializer = ScheduledInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        scheduled = services.schedule(
            conversation, by=request.user, **serializer.service_kwargs()
        )
        return _answer(scheduled, code=status.HTTP_201_CREATED)


class ScheduledDetailApi(APIView):
    @extend_schema(responses=ScheduledEmailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _answer(selectors.get_scheduled_for(request.user, pk))

    @extend_schema(request=ScheduledInput, responses=ScheduledEmailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        scheduled = selectors.get_scheduled_for(request.user, pk)
        serializer = ScheduledInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        kwargs = serializer.service_kwargs()
        kwargs.pop("kind", None)
        return _answer(services.edit(scheduled, by=request.user, **kwargs))

    @extend_schema(responses=ScheduledEmailSerializer)
    def delete(self, request: Request, pk: int) -> Response:
        scheduled = selectors.get_scheduled_for(request.user, pk)
        return _answer(services.cancel(scheduled, by=request.user))


class EscalationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = [
            "id",
            "escalation_owner",
            "milestone",
            "milestone_due_at",
            "next_update_at",
        ]
        read_only_fields = fields


class ConversationEscalationApi(APIView):
    @extend_schema_serializer(component_name="EscalationInput")
    class InputSerializer(serializers.Serializer):
        # A user id, "me", or null; membership is checked by the service.
        owner = serializers.CharField(required=False, allow_null=True, allow_blank=True)
        milestone = serializers.CharField(
            required=False, allow_blank=True, max_length=255
        )
        milestone_due_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(responses=EscalationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        return Response(EscalationSerializer(conversation).data)

    @extend_schema(request=InputSerializer, responses=EscalationSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        conversation = services.set_escalation(
            conversation, by=request.user, **serializer.validated_data
        )
        return Response(EscalationSerializer(conversation).data)


urlpatterns = [
    path(
        "conversations/<int:pk>/scheduled/",
        ConversationScheduledApi.as_view(),
        name="conversation-scheduled",
    ),
    path(
        "conversations/<int:pk>/escalation/",
        ConversationEscalationApi.as_view(),
        name="conversation-escalation",
    ),
    path("scheduled/<int:pk>/", ScheduledDetailApi.as_view(), name="scheduled-detail"),
]
