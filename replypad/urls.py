from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from replypad.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("replypad.api_urls")),
    path("anymail/", include("anymail.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("frontend.urls")),
]
