from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.health import healthz
from people.api.docs import ApiDocsRedocView, ApiDocsSwaggerView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", ApiDocsRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("config.api_urls")),
    path("assessments/", include("assessments.urls")),
    path("", include("programs.urls")),
    path("", include("people.urls")),
]
