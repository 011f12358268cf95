from rest_framework.routers import SimpleRouter

from programs.api import views

router = SimpleRouter()
router.register("competencies", views.CompetencyViewSet, basename="competency")
router.register("programs", views.ProgramViewSet, basename="program")
router.register("scenarios", views.ScenarioViewSet, basename="scenario")
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("enrollments", views.EnrollmentViewSet, basename="enrollment")
router.register("modules", views.ModuleViewSet, basename="module")
router.register("enrollment-imports", views.EnrollmentImportViewSet, basename="enrollment-import")

urlpatterns = router.urls
