"""Assessment rounds: who is asked, the window they answer in, submitting and reopening."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Assessment, AssessmentStatus
from people.models import AuditEntry
from programs.models import Cohort
from tests.assessments.conftest import answer_all
from tests.conftest import _persona, actor_for


def test_a_former_manager_cannot_answer_and_the_newest_managers_view_counts(
    lnd, cohort, round_open, learner, line_manager, org
):
    old = Assessment.objects.get(rater=line_manager)
    new_manager = _persona(org, "newboss@acme.test")[1]
    learner_record = round_open.employee
    learner_record.manager = new_manager
    learner_record.save()
    with pytest.raises(ValidationError, match="no longer"):
        answer_all(actor_for(line_manager, org), old, lambda item: 1)
    Assessment.objects.filter(pk=old.pk).delete()
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    answer_all(
        actor_for(new_manager.user, org),
        Assessment.objects.get(rater=new_manager.user),
        lambda item: 5,
    )
    assert {s.manager_score for s in selectors.learner_scores(enrollment=round_open)} == {5.0}


def test_submitting_needs_every_competency_answered(round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    first = own.template.items.first()
    with pytest.raises(ValidationError, match="each competency"):
        services.assessment_answer(
            actor=actor_for(learner, org), assessment=own, answers={first.key: 3}, submit=True
        )
    own.refresh_from_db()
    assert own.status == AssessmentStatus.DRAFT


def test_reopening_extends_a_closed_window(lnd, round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    answer_all(actor_for(learner, org), own, lambda item: 3)
    Assessment.objects.filter(pk=own.pk).update(closes_on=org.today() - datetime.timedelta(days=3))
    services.assessment_reopen(actor=lnd, assessment=own, reason="Typo")
    own.refresh_from_db()
    assert own.closes_on == org.today() + datetime.timedelta(days=7)
    answer_all(actor_for(learner, org), own, lambda item: 4)
    own.refresh_from_db()
    assert own.status == AssessmentStatus.SUBMITTED
    assert set(own.answers.values_list("value", flat=True)) == {4}


def test_the_page_counts_each_answer_once(client, round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    first = own.template.items.first()
    services.assessment_answer(
        actor=actor_for(learner, org), assessment=own, answers={first.key: 3}, submit=False
    )
    client.force_login(learner)
    assert b"1 of 24 answered" in client.get(reverse("assessments:mine")).content


def test_a_round_for_a_cohort_that_started_long_ago_defaults_to_an_open_window(lnd, cohort, org):
    cohort.start_date = org.today() - datetime.timedelta(weeks=10)
    cohort.end_date = org.today() + datetime.timedelta(weeks=2)
    cohort.save()
    assert selectors.default_round_close(cohort=cohort) == org.today() + datetime.timedelta(days=14)


def test_an_assessment_cannot_be_answered_before_its_window_opens(round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    tomorrow = org.today() + datetime.timedelta(days=1)
    Assessment.objects.filter(pk=own.pk).update(
        opens_on=tomorrow, closes_on=tomorrow + datetime.timedelta(days=7)
    )
    with pytest.raises(ValidationError, match="This assessment opens on"):
        answer_all(actor_for(learner, org), own, lambda item: 3, submit=False)
    assert not own.answers.exists()


def test_a_window_that_closes_before_it_opens_is_refused(lnd, cohort, enrollment, org):
    with pytest.raises(ValidationError) as exc:
        services.assessment_round_open(
            actor=lnd,
            cohort=cohort,
            phase="baseline",
            opens_on=org.today() + datetime.timedelta(days=3),
            closes_on=org.today() + datetime.timedelta(days=1),
        )
    assert "must close after it opens" in exc.value.message_dict["closes_on"][0]
    assert not Assessment.objects.exists()


def test_another_organisation_cannot_open_a_round_for_our_cohort(
    cohort, enrollment, outsider, other_org
):
    with pytest.raises(Cohort.DoesNotExist):
        services.assessment_round_open(
            actor=actor_for(outsider, other_org),
            cohort=cohort,
            phase="baseline",
            opens_on=other_org.today(),
            closes_on=other_org.today(),
        )
    assert not Assessment.objects.exists()


def test_another_organisation_cannot_reopen_our_assessment(
    round_open, learner, outsider, org, other_org
):
    own = Assessment.objects.get(rater=learner)
    answer_all(actor_for(learner, org), own, lambda item: 3)
    with pytest.raises(Assessment.DoesNotExist):
        services.assessment_reopen(actor=actor_for(outsider, other_org), assessment=own, reason="x")
    own.refresh_from_db()
    assert own.status == AssessmentStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="assessment.reopened").exists()


def test_the_round_page_names_each_assessment_by_the_title_its_rater_sees(
    client, lnd_manager, cohort, round_open, learner, line_manager
):
    own = Assessment.objects.get(rater=learner)
    theirs = Assessment.objects.get(rater=line_manager)
    client.force_login(lnd_manager)
    html = client.get(reverse("assessments:cohort_round", args=[cohort.pk])).content.decode()
    assert f"<td>{own.template.title}</td>" in html
    assert f"<td>{theirs.template.title}</td>" in html
    assert "Skills-gap self-assessment" not in html and "Manager assessment" not in html
    for rater, assessment in ((learner, own), (line_manager, theirs)):
        client.force_login(rater)
        page = client.get(reverse("assessments:take", args=[assessment.pk])).content.decode()
        assert f"<h1>{assessment.template.title}</h1>" in page
