from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class ApiDocsSwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar; its init script is a separate request,
    so the page runs under a CSP without inline scripts."""


class ApiDocsRedocView(SpectacularRedocView):
    """ReDoc from drf-spectacular-sidecar, with a template that loads no web fonts."""
