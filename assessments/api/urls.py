from rest_framework.routers import SimpleRouter

from assessments.api import views

router = SimpleRouter()
router.register("assessment-templates", views.TemplateViewSet, basename="assessment-template")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("results", views.ResultsViewSet, basename="result")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("plan-goals", views.GoalViewSet, basename="plan-goal")
router.register("readiness", views.ReadinessViewSet, basename="readiness")

urlpatterns = router.urls
