"""Results for a whole cohort: each learner's own scores and gaps, for a fixed number of
queries however many learners there are."""

import datetime

import pytest
from django.utils import timezone

from assessments import selectors, services
from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AssessmentTemplate,
    TargetLevel,
)
from assessments.scoring import Gap
from programs import services as program_services
from programs.models import Enrollment, EnrollmentStatus
from tests.factories import EmployeeFactory, UserFactory


def rate(enrollment: Enrollment, rater, template, phase: str, value: int) -> None:
    """A submitted assessment of `template` giving every item `value`."""
    today = enrollment.cohort.organization.today()
    assessment = Assessment.objects.create(
        organization=enrollment.cohort.organization,
        template=template,
        subject=enrollment.employee,
        rater=rater,
        enrollment=enrollment,
        phase=phase,
        opens_on=today,
        closes_on=today,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    Answer.objects.bulk_create(
        Answer(assessment=assessment, item=item, value=value) for item in template.items.all()
    )


def rated_cohort(lnd, cohort, org, size: int) -> list[Enrollment]:
    """`size` learners, learner n rating themselves 1 + n % 5 and rated 1 + (n + 2) % 5 by
    their manager at baseline, and one higher on both at the end where the scale allows."""
    cohort.capacity = 100
    cohort.save(update_fields=["capacity"])
    cohort.program.competencies.set(org.competencies.all())
    services.assessment_library_load(organization=org)
    own = AssessmentTemplate.objects.get(organization=org, kind="self")
    manager_template = AssessmentTemplate.objects.get(organization=org, kind="manager")
    manager = EmployeeFactory(organization=org, user=UserFactory())
    people = [
        EmployeeFactory(organization=org, manager=manager, user=UserFactory()) for _ in range(size)
    ]
    enrollments = program_services.enrollment_add(
        actor=lnd, cohort=cohort, employees=people, notify=False
    )
    for n, enrollment in enumerate(enrollments):
        self_value, manager_value = 1 + n % 5, 1 + (n + 2) % 5
        user = enrollment.employee.user
        rate(enrollment, user, own, "baseline", self_value)
        rate(enrollment, manager.user, manager_template, "baseline", manager_value)
        rate(enrollment, user, own, "final", min(self_value + 1, 5))
        rate(enrollment, manager.user, manager_template, "final", min(manager_value + 1, 5))
    return enrollments


@pytest.mark.parametrize("size", [2, 12])
def test_cohort_results_cost_the_same_for_2_or_12_learners(
    lnd, cohort, org, size, django_assert_num_queries
):
    rated_cohort(lnd, cohort, org, size)
    with django_assert_num_queries(6):
        rows = selectors.cohort_results(cohort=cohort)
        # Reading every figure a page would show costs nothing more.
        shown = [(row.enrollment.employee.full_name, row.results.rows) for row in rows]
    assert len(shown) == size


@pytest.mark.parametrize("size", [2, 12])
def test_one_learners_results_cost_the_same_in_a_cohort_of_2_or_12(
    lnd, cohort, org, size, django_assert_num_queries
):
    enrollment = rated_cohort(lnd, cohort, org, size)[-1]
    enrollment = Enrollment.objects.select_related("cohort__program", "employee").get(
        pk=enrollment.pk
    )
    with django_assert_num_queries(5):
        selectors.learner_results(enrollment=enrollment)


def test_each_learner_in_the_cohort_gets_their_own_results(lnd, cohort, org):
    enrollments = rated_cohort(lnd, cohort, org, 6)
    rows = selectors.cohort_results(cohort=cohort)
    assert {row.enrollment.pk for row in rows} == {e.pk for e in enrollments}
    for row in rows:
        n = enrollments.index(next(e for e in enrollments if e.pk == row.enrollment.pk))
        own, manager = 1 + n % 5, 1 + (n + 2) % 5
        assert {(s.self_score, s.manager_score) for s in row.results.scores} == {(own, manager)}
        assert {s.combined for s in row.results.scores} == {(own + manager) / 2}
        assert {s.combined for s in row.results.final_scores} == {
            (min(own + 1, 5) + min(manager + 1, 5)) / 2
        }
        assert {g.gap for g in row.results.gaps} == {round(4.0 - (own + manager) / 2, 2)}


def test_batched_results_equal_each_learners_own_results(lnd, cohort, org):
    rated_cohort(lnd, cohort, org, 5)
    rows = selectors.cohort_results(cohort=cohort)
    assert len(rows) == 5
    for row in rows:
        assert row.results == selectors.learner_results(enrollment=row.enrollment)


def test_only_active_learners_are_in_the_cohort_results(lnd, cohort, org):
    enrollments = rated_cohort(lnd, cohort, org, 3)
    Enrollment.objects.filter(pk=enrollments[0].pk).update(status=EnrollmentStatus.WITHDRAWN)
    rows = selectors.cohort_results(cohort=cohort)
    assert [row.enrollment.pk for row in rows] == sorted(
        (e.pk for e in enrollments[1:]),
        key=lambda pk: Enrollment.objects.get(pk=pk).employee.full_name,
    )


def test_the_newest_submitted_manager_view_replaces_an_older_one(lnd, cohort, org):
    # A new line manager rated 5 after the old one rated 1: the learner's manager view is
    # 5, not the old one and not a blend of the two (3).
    [enrollment] = rated_cohort(lnd, cohort, org, 1)
    manager_template = AssessmentTemplate.objects.get(organization=org, kind="manager")
    new_manager = UserFactory()
    Assessment.objects.filter(template=manager_template, phase="baseline").update(
        submitted_at=timezone.now() - datetime.timedelta(days=2)
    )
    rate(enrollment, new_manager, manager_template, "baseline", 5)
    [row] = selectors.cohort_results(cohort=cohort)
    assert {s.manager_score for s in row.results.scores} == {5.0}


def test_a_program_target_profile_replaces_the_default_level(lnd, cohort, org):
    # Learner 0 rates themselves 1 and is rated 3: combined 2.0 on every competency.
    # Without a profile every program competency aims for 4 (gap 2.0); with one, only
    # the profile's competencies are listed, at their own level.
    rated_cohort(lnd, cohort, org, 1)
    [row] = selectors.cohort_results(cohort=cohort)
    assert {(g.target, g.gap) for g in row.results.gaps} == {(4.0, 2.0)}
    TargetLevel.objects.create(
        program=cohort.program, competency=org.competencies.get(key="delegation"), target=3
    )
    [row] = selectors.cohort_results(cohort=cohort)
    assert row.results.gaps == [Gap("delegation", 3.0, 2.0, 1.0, 1)]
