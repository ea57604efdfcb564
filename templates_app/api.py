"""REST API for canned replies: CRUD, variables, and render against a conversation.

`POST /templates/` answers 201, or 400 with each error under its field name
(`body` messages carry the line and column). `POST /templates/{id}/render/`
answers `{"subject", "body", "html", "missing", "warnings"}`, render errors 400
`detail`; each warning (`{"field", "message"}`) would make a send answer 400.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox import selectors as inbox_selectors
from inbox.models import Label
from templates_app import selectors, services
from templates_app.models import CannedTemplate
from templates_app.variables import VARIABLES


class TemplateOutputSerializer(serializers.ModelSerializer):
    mailboxes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    labels = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    ask = serializers.SerializerMethodField()

    class Meta:
        model = CannedTemplate
        fields = [
            "id",
            "name",
            "shortcut",
            "subject",
            "body",
            "category",
            "is_active",
            "mailboxes",
            "labels",
            "ask",
            "usage_count",
            "last_used_at",
            "created_at",
            "updated_at",
        ]

    def get_ask(self, template: CannedTemplate) -> list[str]:
        return services.ask_names(template)


class TemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    shortcut = serializers.CharField(max_length=51)
    subject = serializers.CharField(
        max_length=998, allow_blank=True, required=False, default=""
    )
    body = serializers.CharField(trim_whitespace=False)
    category = serializers.CharField(
        max_length=100, allow_blank=True, required=False, default=""
    )
    is_active = serializers.BooleanField(required=False, default=True)
    # Ids are checked by the service's scope rule, as for the page.
    mailboxes = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    labels = serializers.SlugRelatedField(
        many=True,
        slug_field="name",
        queryset=Label.objects.all(),
        required=False,
        default=list,
    )


def _validated(serializer: serializers.Serializer) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _output(template: CannedTemplate) -> dict[str, Any]:
    fresh = CannedTemplate.objects.prefetch_related("mailboxes", "labels").get(
        pk=template.pk
    )
    return TemplateOutputSerializer(fresh).data


class TemplateListApi(APIView):
    @extend_schema(responses=TemplateOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        mailbox = request.query_params.get("mailbox")
        queryset = selectors.templates_for(
            request.user,
            search=request.query_params.get("search", ""),
            category=request.query_params.get("category", ""),
            mailbox_id=int(mailbox) if mailbox and mailbox.isdigit() else None,
            include_inactive=request.query_params.get("inactive") == "1",
        ).prefetch_related("mailboxes", "labels")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(
            TemplateOutputSerializer(page, many=True).data
        )

    @extend_schema(
        request=TemplateInputSerializer, responses={201: TemplateOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = _validated(TemplateInputSerializer(data=request.data))
        template = services.create_template(by=request.user, **data)
        return Response(_output(template), status=status.HTTP_201_CREATED)


class TemplateDetailApi(APIView):
    @extend_schema(responses=TemplateOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        template = selectors.get_template_for(request.user, pk)
        return Response(_output(template))

    @extend_schema(request=TemplateInputSerializer, responses=TemplateOutputSerializer)
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(request=TemplateInputSerializer, responses=TemplateOutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        template = selectors.get_template_for(request.user, pk)
        serializer = TemplateInputSerializer(data=request.data, partial=partial)
        data = _validated(serializer)
        if partial:
            data = {key: value for key, value in data.items() if key in request.data}
        template = services.update_template(template, by=request.user, **data)
        return Response(_output(template))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        template = selectors.get_template_for(request.user, pk)
        services.delete_template(template, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RenderWarningSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The template variable at fault")
    message = serializers.CharField()


class TemplateRenderApi(APIView):
    class InputSerializer(serializers.Serializer):
        conversation = serializers.IntegerField()
        ask = serializers.DictField(
            child=serializers.CharField(allow_blank=True, trim_whitespace=False),
            required=False,
            default=dict,
        )

        class Meta:
            ref_name = "TemplateRenderInput"

    class OutputSerializer(serializers.Serializer):
        subject = serializers.CharField()
        body = serializers.CharField()
        html = serializers.CharField()
        missing = serializers.ListField(child=serializers.CharField())
        warnings = RenderWarningSerializer(many=True)

        class Meta:
            ref_name = "TemplateRender"

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        template = selectors.get_template_for(request.user, pk)
        data = _validated(self.InputSerializer(data=request.data))
        conversation = inbox_selectors.get_conversation_for(
            request.user, data["conversation"]
        )
        rendered = services.render_for_conversation(
            template, conversation, ask=data["ask"], agent=request.user
        )
        return Response(
            {
                "subject": rendered.subject,
                "body": rendered.body,
                "html": rendered.html,
                "missing": list(rendered.missing),
                "warnings": [warning.as_dict() for warning in rendered.warnings],
            }
        )


class TemplateVariablesApi(APIView):
    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        description = serializers.CharField()
        example = serializers.CharField()

        class Meta:
            ref_name = "TemplateVariable"

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "name": variable.name,
                    "description": variable.description,
                    "example": variable.example,
                }
                for variable in VARIABLES
            ]
        )


urlpatterns = [
    path("templates/", TemplateListApi.as_view(), name="template-list"),
    path(
        "templates/variables/",
        TemplateVariablesApi.as_view(),
        name="template-variables",
    ),
    path("templates/<int:pk>/", TemplateDetailApi.as_view(), name="template-detail"),
    path(
        "templates/<int:pk>/render/",
        TemplateRenderApi.as_view(),
        name="template-render",
    ),
]
