from django.urls import include, path

from programs import learn_views, views

manage_patterns = (
    [
        path("", views.program_list, name="programs"),
        path("new/", views.program_edit, name="program_new"),
        path("<int:pk>/", views.program_detail, name="program_detail"),
        path("<int:pk>/edit/", views.program_edit, name="program_edit"),
        path("modules/<int:pk>/", views.module_edit, name="module_edit"),
        path("competencies/", views.competency_list, name="competencies"),
        path("competencies/<int:pk>/", views.competency_edit, name="competency_edit"),
        path("competencies/reviewed/", views.framework_reviewed, name="framework_reviewed"),
        path("scenarios/", views.scenario_list, name="scenarios"),
        path("scenarios/new/", views.scenario_new, name="scenario_new"),
        path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
        path("scenarios/<int:pk>/export.yaml", views.scenario_export, name="scenario_export"),
        path("cohorts/", views.cohort_list, name="cohorts"),
        path("cohorts/new/", views.cohort_edit, name="cohort_new"),
        path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
        path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
        path(
            "cohorts/<int:pk>/progress.csv", views.cohort_progress_csv, name="cohort_progress_csv"
        ),
        path("cohorts/<int:pk>/nudge/", views.cohort_nudge, name="cohort_nudge"),
        path("cohorts/<int:pk>/enrol/", views.enrol_picker, name="enrol_picker"),
        path("cohorts/<int:pk>/attendance/<int:module>/", views.attendance, name="attendance"),
        path("cohorts/<int:pk>/enrol/csv/", views.enrol_csv, name="enrol_csv"),
        path(
            "cohorts/<int:pk>/enrol/csv/<int:batch>/",
            views.enrol_csv_preview,
            name="enrol_csv_preview",
        ),
        path(
            "cohorts/<int:pk>/enrol/csv/<int:batch>/commit/",
            views.enrol_csv_commit,
            name="enrol_csv_commit",
        ),
        path(
            "cohorts/<int:pk>/enrol/csv/<int:batch>/discard/",
            views.enrol_csv_discard,
            name="enrol_csv_discard",
        ),
        path(
            "enrollments/<int:pk>/withdraw/", views.enrollment_withdraw, name="enrollment_withdraw"
        ),
        path("enrollments/<int:pk>/move/", views.enrollment_move, name="enrollment_move"),
    ],
    "programs",
)

learn_patterns = (
    [
        path("", learn_views.my_program, name="home"),
        path("<int:enrollment>/modules/<int:module>/", learn_views.module_page, name="module"),
        path(
            "<int:enrollment>/modules/<int:module>/done/",
            learn_views.module_complete,
            name="module_complete",
        ),
        path(
            "<int:enrollment>/modules/<int:module>/rate/",
            learn_views.module_rate,
            name="module_rate",
        ),
        path(
            "<int:enrollment>/modules/<int:module>/play/",
            learn_views.scenario_start,
            name="scenario_start",
        ),
        path("attempts/<int:pk>/", learn_views.attempt_play, name="attempt"),
        path("<int:enrollment>/practice/", learn_views.practice, name="practice"),
        path(
            "delegations/<int:pk>/outcome/",
            learn_views.delegation_outcome,
            name="delegation_outcome",
        ),
    ],
    "learn",
)

follow_patterns = (
    [
        path("coaching/", learn_views.coach_learners, name="coach_learners"),
        path("team/", learn_views.team_progress, name="team_progress"),
        path("learners/<int:pk>/", learn_views.learner_detail, name="learner"),
        path("reflections/<int:pk>/", learn_views.reflection_detail, name="reflection"),
    ],
    "follow",
)

urlpatterns = [
    path("programs/", include(manage_patterns)),
    path("learn/", include(learn_patterns)),
    path("", include(follow_patterns)),
]
