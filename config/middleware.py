from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy header on every response.

    Pages carry no inline script or style, so the policy stays strict. A view that
    serves third-party UI (the API docs) may set `response.csp_override` to relax it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(response, "csp_override", None) or settings.LODESTAR_CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
