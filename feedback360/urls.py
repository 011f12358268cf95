"""360 pages, joined from each area's own module so areas grow independently."""

from feedback360.views import cycles, nomination, reviewer

app_name = "feedback360"
urlpatterns = [*cycles.urlpatterns, *nomination.urlpatterns, *reviewer.urlpatterns]
