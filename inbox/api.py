"""REST API for mailboxes, customers, conversations, messages and labels.

Every queryset goes through inbox.selectors, so another mailbox's rows are 404.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from inbox import selectors, services
from inbox.models import Conversation, Customer, Label, Mailbox, Message


class MailboxSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mailbox
        fields = [
            "id",
            "name",
            "email",
            "review_policy",
            "empathy_mode",
            "auto_reply_enabled",
        ]


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "email",
            "name",
            "first_name",
            "company",
            "timezone",
            "attributes",
        ]


class CustomerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email", "name"]


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "colour"]


class ConversationSerializer(serializers.ModelSerializer):
    customer = CustomerBriefSerializer(read_only=True)
    labels = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "number",
            "subject",
            "status",
            "mailbox",
            "customer",
            "assignee",
            "labels",
            "sentiment_first",
            "sentiment_last",
            "snippet",
            "message_count",
            "snoozed_until",
            "created_at",
            "last_activity_at",
            "last_customer_message_at",
            "first_response_at",
            "resolved_at",
            "reopen_count",
            "next_update_at",
        ]
        read_only_fields = fields

    def get_labels(self, conversation: Conversation) -> list[str]:
        return [link.label.name for link in conversation.current_labels]


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "kind",
            "from_email",
            "from_name",
            "to",
            "cc",
            "subject",
            "text",
            "visible_text",
            "html",
            "message_id",
            "in_reply_to",
            "created_at",
            "sent_at",
            "delivery_status",
            "delivery_detail",
            "sentiment",
            "sentiment_label",
        ]
        read_only_fields = fields


class ConversationFilter(django_filters.FilterSet):
    mailbox = django_filters.NumberFilter(field_name="mailbox_id")
    status = django_filters.ChoiceFilter(choices=Conversation.Status.choices)
    label = django_filters.CharFilter(method="filter_label")
    assignee = django_filters.CharFilter(method="filter_assignee")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Conversation
        fields = ["mailbox", "status", "label", "assignee", "search"]

    def filter_label(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            label_links__label__name__iexact=value, label_links__removed_at__isnull=True
        )

    def filter_assignee(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value in {"none", "null", ""}:
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        if not value.isdigit():
            raise serializers.ValidationError(
                {"assignee": "Use a user id, 'me' or 'none'."}
            )
        return queryset.filter(assignee_id=int(value))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(subject__icontains=value)
            | Q(customer__email__icontains=value)
            | Q(customer__name__icontains=value)
        )


class MailboxViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MailboxSerializer

    def get_queryset(self) -> QuerySet[Mailbox]:
        return selectors.mailboxes_for(self.request.user)


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CustomerSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.customers_for(self.request.user).order_by("email")


class LabelViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LabelSerializer
    queryset = Label.objects.order_by("name")


class ConversationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConversationSerializer
    filterset_class = ConversationFilter

    def get_queryset(self) -> QuerySet[Conversation]:
        return (
            selectors.conversations_for(self.request.user)
            .order_by("-last_activity_at", "-id")
            .distinct()
        )

    @extend_schema(responses=MessageSerializer(many=True))
    @action(detail=True, methods=["get"])
    def messages(self, request: Request, pk: str | None = None) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        queryset = Message.objects.filter(conversation=conversation).defer(
            "search_vector"
        )
        page = self.paginate_queryset(queryset.order_by("created_at", "id"))
        return self.get_paginated_response(MessageSerializer(page, many=True).data)


def _conversation_answer(request: Request, conversation: Conversation) -> Response:
    fresh = selectors.get_conversation_for(request.user, conversation.pk)
    return Response(ConversationSerializer(fresh).data)


def _validated(
    serializer_class: type[serializers.Serializer], request: Request
) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ConversationAssignApi(APIView):
    @extend_schema_serializer(component_name="ConversationAssignInput")
    class InputSerializer(serializers.Serializer):
        assignee = serializers.IntegerField(allow_null=True)

    @extend_schema(request=InputSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        to = None
        if data["assignee"] is not None:
            to = get_object_or_404(get_user_model(), pk=data["assignee"])
        conversation = services.assign(conversation, to=to, by=request.user)
        return _conversation_answer(request, conversation)


class ConversationStatusApi(APIView):
    @extend_schema_serializer(component_name="ConversationStatusInput")
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["open", "pending", "resolved"])

    @extend_schema(request=InputSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        conversation = services.change_status(
            conversation, status=data["status"], by=request.user
        )
        return _conversation_answer(request, conversation)


class ConversationSnoozeApi(APIView):
    @extend_schema_serializer(component_name="ConversationSnoozeInput")
    class InputSerializer(serializers.Serializer):
        until = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        conversation = services.snooze(
            conversation, until=data["until"], by=request.user
        )
        return _conversation_answer(request, conversation)


class ConversationLabelsApi(APIView):
    @extend_schema_serializer(component_name="ConversationLabelsInput")
    class InputSerializer(serializers.Serializer):
        add = serializers.ListField(
            child=serializers.CharField(max_length=50), default=list
        )
        remove = serializers.ListField(
            child=serializers.CharField(max_length=50), default=list
        )

    @extend_schema(request=InputSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        for name in data["add"]:
            label = get_object_or_404(Label, name__iexact=name)
            conversation = services.add_label(
                conversation, label=label, by=request.user
            )
        for name in data["remove"]:
            label = get_object_or_404(Label, name__iexact=name)
            conversation = services.remove_label(
                conversation, label=label, by=request.user
            )
        return _conversation_answer(request, conversation)


router = DefaultRouter()
router.register("mailboxes", MailboxViewSet, basename="mailbox")
router.register("customers", CustomerViewSet, basename="customer")
router.register("labels", LabelViewSet, basename="label")
router.register("conversations", ConversationViewSet, basename="conversation")

urlpatterns = [
    path(
        "conversations/<int:pk>/assign/",
        ConversationAssignApi.as_view(),
        name="conversation-assign",
    ),
    path(
        "conversations/<int:pk>/status/",
        ConversationStatusApi.as_view(),
        name="conversation-status",
    ),
    path(
        "conversations/<int:pk>/snooze/",
        ConversationSnoozeApi.as_view(),
        name="conversation-snooze",
    ),
    path(
        "conversations/<int:pk>/labels/",
        ConversationLabelsApi.as_view(),
        name="conversation-labels",
    ),
    *router.urls,
]
