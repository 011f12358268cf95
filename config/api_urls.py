from django.urls import include, path

# Each app registers its own resources; this file only mounts them under /api/v1/.
urlpatterns = [
    path("", include("people.api.urls")),
    path("", include("programs.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("feedback360.api.urls")),
]
