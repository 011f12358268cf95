from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy header on every response.

    Lodestar's own pages carry no inline script or style, so their policy is strict.
    The third-party API pages under /api/ (Swagger UI, ReDoc, DRF's browsable API)
    inject inline styles and ReDoc starts a blob worker, so HTML there gets
    LODESTAR_CSP_API_DOCS instead. Scripts stay 'self' everywhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.LODESTAR_CSP
        if request.path.startswith("/api/") and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            policy = settings.LODESTAR_CSP_API_DOCS
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
