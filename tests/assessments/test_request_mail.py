"""Emails asking someone to fill in an assessment or agree a plan: who gets one, what it
says, that it links straight to the task, and that nobody is asked twice."""

import pytest

from assessments import services
from assessments.models import Assessment
from people.models import MailStatus, OutgoingMail
from people.outbox import mail_send
from tests.assessments.conftest import submit_both
from tests.conftest import actor_for

BASE = "https://lodestar.example"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.LODESTAR_BASE_URL = BASE


def open_round(lnd, cohort, org, capture):
    with capture(execute=True):
        return services.assessment_round_open(
            actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
        )


def test_opening_a_round_emails_each_rater_a_link_to_their_assessment_once(
    lnd,
    cohort,
    enrollment,
    peer_enrollment,
    org,
    learner,
    peer_learner,
    line_manager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    open_round(lnd, cohort, org, django_capture_on_commit_callbacks)
    due = org.today().strftime("%-d %b %Y")
    by_recipient = {tuple(m.to): m for m in mailoutbox}
    assert sorted(by_recipient) == sorted(
        [(learner.email,), (peer_learner.email,), (line_manager.email,)]
    )
    own = by_recipient[(learner.email,)]
    assert own.subject == f"Please fill in the Leadership self-assessment (about yourself) by {due}"
    link = f"{BASE}/assessments/{Assessment.objects.get(rater=learner).pk}/"
    assert (
        f"- Leadership self-assessment (about yourself), open from {due} until {due}:\n  {link}"
        in own.body
    )
    managers = by_recipient[(line_manager.email,)]
    assert managers.subject == (
        f"Please fill in the Leadership assessment (line manager) for {learner.full_name} by {due}"
    )
    assert f"{BASE}/assessments/{Assessment.objects.get(rater=line_manager).pk}/" in managers.body

    open_round(lnd, cohort, org, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3, "opening the round again asks nobody twice"


def test_a_rater_who_submitted_before_the_email_went_is_not_asked(
    lnd, cohort, enrollment, org, learner, line_manager, mailoutbox
):
    # Without running the on-commit sends: the rows wait in the outbox.
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    submit_both(learner, line_manager, org, lambda item: 3, lambda item: 3)
    statuses = [
        mail_send(mail_id=pk)
        for pk in OutgoingMail.objects.filter(kind="assessments.assessment_request").values_list(
            "pk", flat=True
        )
    ]
    assert statuses == [MailStatus.SKIPPED, MailStatus.SKIPPED]
    assert mailoutbox == []


def test_a_reopened_assessment_asks_its_rater_again(
    lnd,
    cohort,
    enrollment,
    org,
    learner,
    line_manager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    open_round(lnd, cohort, org, django_capture_on_commit_callbacks)
    submit_both(learner, line_manager, org, lambda item: 3, lambda item: 3)
    mailoutbox.clear()
    own = Assessment.objects.get(rater=learner)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_reopen(actor=lnd, assessment=own, reason="Answered the wrong person")
    [mail] = mailoutbox
    assert mail.to == [learner.email]
    assert f"{BASE}/assessments/{own.pk}/" in mail.body


@pytest.fixture
def assessed(round_open, learner, line_manager, org):
    round_open.cohort.program.competencies.set(org.competencies.all())
    submit_both(learner, line_manager, org, lambda item: 1, lambda item: 2)
    return round_open


def plan_link(enrollment) -> str:
    return f"{BASE}/assessments/results/{enrollment.pk}/"


def write_goals(plan, user, org):
    for goal in plan.goals.all():
        services.plan_goal_update(
            actor=actor_for(user, org),
            goal=goal,
            text=f"My words {goal.position}",
            practice_commitment=goal.practice_commitment,
            due_date=goal.due_date,
        )


def test_a_plan_the_coach_drafts_asks_the_learner_to_agree_it(
    assessed, learner, org, mailoutbox, django_capture_on_commit_callbacks
):
    coach = actor_for(assessed.coach, org)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_draft(actor=coach, enrollment=assessed)
        services.plan_draft(actor=coach, enrollment=assessed)  # a redraft
    [mail] = mailoutbox
    assert mail.to == [learner.email]
    assert mail.subject == "Your development plan for New managers is ready to agree"
    assert plan_link(assessed) in mail.body


def test_a_plan_the_learner_drafts_emails_nobody(
    assessed, learner, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_draft(actor=actor_for(learner, org), enrollment=assessed)
    assert mailoutbox == []


def test_the_learners_agreement_asks_their_coach_once(
    assessed, learner, org, mailoutbox, django_capture_on_commit_callbacks
):
    plan = services.plan_draft(actor=actor_for(learner, org), enrollment=assessed)
    write_goals(plan, learner, org)
    plan.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_agree(actor=actor_for(learner, org), plan=plan)
        services.plan_agree(actor=actor_for(learner, org), plan=plan)
    [mail] = mailoutbox
    assert mail.to == [assessed.coach.email]
    assert mail.subject == f"{learner.full_name} agreed their development plan: please agree it too"
    assert plan_link(assessed) in mail.body

    with django_capture_on_commit_callbacks(execute=True):
        services.plan_agree(actor=actor_for(assessed.coach, org), plan=plan)
    assert len(mailoutbox) == 1, "an agreed plan asks nobody"


def test_the_coachs_agreement_first_asks_the_learner(
    assessed, learner, org, mailoutbox, django_capture_on_commit_callbacks
):
    plan = services.plan_draft(actor=actor_for(learner, org), enrollment=assessed)
    write_goals(plan, learner, org)
    plan.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_agree(actor=actor_for(assessed.coach, org), plan=plan)
    [mail] = mailoutbox
    assert mail.to == [learner.email]
    assert "your coach has agreed it" in mail.body
    assert plan_link(assessed) in mail.body


def test_a_request_to_agree_is_skipped_once_the_agreement_was_given(
    assessed, learner, org, mailoutbox
):
    plan = services.plan_draft(actor=actor_for(assessed.coach, org), enrollment=assessed)
    write_goals(plan, learner, org)
    plan.refresh_from_db()
    services.plan_agree(actor=actor_for(learner, org), plan=plan)
    [request] = OutgoingMail.objects.filter(kind="assessments.plan_to_agree", ids__who="learner")
    assert mail_send(mail_id=request.pk) == MailStatus.SKIPPED
    assert mailoutbox == []


def test_a_round_opened_without_notifying_queues_no_email(lnd, cohort, enrollment, org):
    services.assessment_round_open(
        actor=lnd,
        cohort=cohort,
        phase="baseline",
        opens_on=org.today(),
        closes_on=org.today(),
        notify=False,
    )
    assert Assessment.objects.count() == 2
    assert not OutgoingMail.objects.filter(kind="assessments.assessment_request").exists()
