from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

# Swagger UI and ReDoc are served from drf-spectacular-sidecar (no CDN). Both inject
# inline styles, and ReDoc starts a blob worker, so these two pages relax the CSP.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; object-src 'none'"
)


class ApiDocsSwaggerView(SpectacularSwaggerSplitView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.csp_override = DOCS_CSP
        return response


class ApiDocsRedocView(SpectacularRedocView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.csp_override = DOCS_CSP
        return response
