from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.health import healthz
from people.api.docs import ApiDocsRedocView, ApiDocsSwaggerView
from people.decorators import public

urlpatterns = [
    path("healthz", public(healthz), name="healthz"),
    # The admin site checks for staff itself; the access walk knows it by this prefix.
    path("admin/", admin.site.urls),
    # The schema and its viewers describe the API; they hold no organisation's data.
    path("api/schema/", public(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", public(ApiDocsSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/redoc/", public(ApiDocsRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("api/v1/", include("config.api_urls")),
    path("assessments/", include("assessments.urls")),
    path("360/", include("feedback360.urls")),
    path("", include("programs.urls")),
    path("", include("people.urls")),
]
