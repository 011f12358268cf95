"""360 API resources under /api/v1/, joined from each area's own module."""

from feedback360.api import cycles, nomination, reviewer

urlpatterns = [*cycles.urlpatterns, *nomination.urlpatterns, *reviewer.urlpatterns]
