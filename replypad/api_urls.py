"""Everything under /api/v1/. Each app adds one include line."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

app_name = "api"

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("inbox.api")),
    path("", include("empathy.api")),
    path("", include("inbox.outbound.api")),
    path("", include("inbox.ingest.api")),
    path("", include("templates_app.api")),
    path("", include("notes.api")),
    path("", include("insights.api")),
    path("", include("review.api")),
    path("", include("scheduler.api")),
]
urlpatterns += [path("", include("inbox.api_presence"))]
