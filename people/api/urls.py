from rest_framework.routers import DefaultRouter

from people.api import views


class ApiRootView(DefaultRouter.APIRootView):
    """Lodestar API v1. Everything here is scoped to your current organisation."""

    permissions = {"get": "member"}


# No `.json` format suffixes: every resource answers JSON anyway, and a suffix on a custom
# action reached the view as an unexpected `format` argument (a 500).
router = DefaultRouter()
router.include_format_suffixes = False
router.APIRootView = ApiRootView
router.register("me", views.MeViewSet, basename="me")
router.register("employees", views.EmployeeViewSet, basename="employee")
router.register("teams", views.TeamViewSet, basename="team")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("tokens", views.ApiTokenViewSet, basename="api-token")
router.register("jobs", views.JobViewSet, basename="job")
router.register("roster-imports", views.RosterImportViewSet, basename="roster-import")

urlpatterns = router.urls
