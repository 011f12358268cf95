from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.my_assessments, name="mine"),
    path("plan/", views.my_plan, name="my_plan"),
    path("<int:pk>/", views.take, name="take"),
    path("<int:pk>/draft/", views.take_draft, name="take_draft"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("results/<int:enrollment>/", views.results, name="results"),
    path("results/<int:enrollment>/draft/", views.plan_draft, name="plan_draft"),
    path("results/<int:enrollment>/agree/", views.plan_agree, name="plan_agree"),
    path("results/<int:enrollment>/share/", views.plan_share, name="plan_share"),
    path("goals/<int:pk>/", views.goal_update, name="goal_update"),
    path("cohorts/<int:cohort>/", views.cohort_round, name="cohort_round"),
    path("programs/<int:program>/targets/", views.program_targets, name="targets"),
    path("checks/modules/<int:module>/", views.check_edit, name="check_edit"),
    path("readiness/", views.readiness, name="readiness"),
    path("readiness/<int:pk>/", views.readiness_detail, name="readiness_detail"),
    path("checks/<int:enrollment>/<int:module>/", views.check_take, name="check_take"),
]
