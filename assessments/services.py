"""Every write in assessments/: the shipped questionnaires, assessment rounds, answers,
targets and development plans."""

import datetime
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments import selectors
from assessments.checks import CheckFileError, validate_check
from assessments.models import (
    Answer,
    Assessment,
    AssessmentItem,
    AssessmentKind,
    AssessmentStatus,
    AssessmentTemplate,
    DevelopmentPlan,
    ItemType,
    KnowledgeCheckAttempt,
    Phase,
    PlanCheckIn,
    PlanGoal,
    PlanStatus,
    ReadinessNomination,
    TargetLevel,
)
from assessments.permissions import can_edit_plan, plan_draft_scope
from assessments.scoring import knowledge_check_score, top_gaps
from people.audit import audit_log
from people.events import EventName, event_emit
from people.models import Employee, Organization
from people.permissions import Actor, require
from programs.models import Cohort, Competency, Enrollment, EnrollmentStatus, ModuleKind, Program
from programs.permissions import is_assigned_coach, is_own_enrollment
from programs.questionnaire_format import (
    Questionnaire,
    QuestionnaireFileError,
    RatingItem,
    questionnaire_parse,
)
from programs.services import competencies_seed, module_complete

LIBRARY_DIR = Path(__file__).resolve().parent / "content"
SELF_TEMPLATE = "leadership-self-assessment"
MANAGER_TEMPLATE = "leadership-manager-assessment"
READINESS_TEMPLATE = "pre-promotion-readiness"
DEFAULT_TARGET = Decimal("4.0")
PRACTICE_COMMITMENTS = {
    "feedback_delivery": "Two SBI entries a week in the practice log.",
    "delegation": "Log one real delegation decision a week, and its outcome.",
    "communication": "A written update to stakeholders every Friday; one-on-ones with each report every week.",
    "stakeholder_management": "Before each stakeholder meeting, write down the trade-off you will offer.",
    "conflict_resolution": "After each disagreement, note what decision was reached and how.",
    "psychological_safety": "Ask one 'what worried you this week?' question in every one-on-one.",
    "emotional_intelligence": "Note one moment a week when you noticed your own reaction before acting.",
    "strategic_thinking": "Link one technical decision a week to a product or team goal, in writing.",
}


# --- Shipped questionnaires -----------------------------------------------------------------


# The kinds of questionnaire assessments store; knowledge checks have their own format.
QUESTIONNAIRE_KINDS = (AssessmentKind.SELF, AssessmentKind.MANAGER, AssessmentKind.READINESS)


def _library_questionnaire(path: Path, known_competencies: set[str]) -> Questionnaire:
    """A shipped questionnaire, checked. Raises QuestionnaireFileError naming the file for
    any problem, including items assessments cannot store: every item here is a 1-5
    rating each rater must give (no open questions, no "not observed")."""
    try:
        questionnaire = questionnaire_parse(
            path.read_bytes(), known_competencies=known_competencies, kinds=QUESTIONNAIRE_KINDS
        )
    except QuestionnaireFileError as exc:
        raise QuestionnaireFileError([f"{path.name}: {error}" for error in exc.errors]) from None
    unsupported = [
        item.id
        for item in questionnaire.items
        if not isinstance(item, RatingItem) or item.not_observed
    ]
    if unsupported:
        raise QuestionnaireFileError(
            [
                f"{path.name}: assessments store only 1-5 ratings that every rater gives, "
                f"not {', '.join(unsupported)}."
            ]
        )
    return questionnaire


def assessment_library_load(*, organization: Organization) -> int:
    """Loads Lodestar's questionnaires into an organisation and returns how many were new.
    Safe to run again. Raises QuestionnaireFileError if a shipped file is invalid."""
    competencies_seed(organization=organization)
    by_key = {c.key: c for c in Competency.objects.filter(organization=organization)}
    have = set(
        AssessmentTemplate.objects.filter(organization=organization).values_list("key", flat=True)
    )
    loaded = 0
    for path in sorted(LIBRARY_DIR.glob("*.yaml")):
        questionnaire = _library_questionnaire(path, set(by_key))
        if questionnaire.key in have:
            continue
        with transaction.atomic():
            template = AssessmentTemplate.objects.create(
                organization=organization,
                key=questionnaire.key,
                title=questionnaire.title,
                kind=questionnaire.kind,
                description=questionnaire.description,
                is_library=True,
            )
            AssessmentItem.objects.bulk_create(
                AssessmentItem(
                    template=template,
                    key=item.id,
                    position=i,
                    competency=by_key[item.competency],
                    item_type=ItemType.LIKERT,
                    text=item.text,
                    anchors={str(level): text for level, text in item.anchors.items()},
                )
                for i, item in enumerate(questionnaire.rating_items)
            )
        loaded += 1
    return loaded


# --- Rounds and answers ------------------------------------------------------------------------


@transaction.atomic
def assessment_round_open(
    *, actor: Actor, cohort: Cohort, phase: str, opens_on: datetime.date, closes_on: datetime.date
) -> dict:
    """Asks every active learner of a cohort for a self-assessment and their line manager
    for a manager assessment, within a window. Safe to repeat: nobody is asked twice.
    Returns counts and the learners whose manager has no login."""
    require(actor, "manage_assessments")
    if cohort.organization_id != actor.organization.pk:
        raise Cohort.DoesNotExist
    errors = {}
    if phase not in Phase.values:
        errors["phase"] = "Choose baseline or end of program."
    if closes_on < opens_on:
        errors["closes_on"] = "The window must close after it opens."
    if closes_on < actor.organization.today():
        errors["closes_on"] = "The window would already be closed."
    if errors:
        raise ValidationError(errors)
    assessment_library_load(organization=actor.organization)
    templates = {
        t.key: t
        for t in AssessmentTemplate.objects.filter(
            organization=actor.organization, key__in=[SELF_TEMPLATE, MANAGER_TEMPLATE]
        )
    }
    enrollments = list(
        cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE).select_related(
            "employee__user", "employee__manager__user"
        )
    )
    wanted, no_manager = [], []
    for enrollment in enrollments:
        learner = enrollment.employee
        if learner.user_id:
            wanted.append((templates[SELF_TEMPLATE], learner, learner.user, enrollment))
        manager = learner.manager
        if manager is not None and manager.user_id and manager.user.is_active:
            wanted.append((templates[MANAGER_TEMPLATE], learner, manager.user, enrollment))
        else:
            no_manager.append(learner.full_name)
    existing = set(
        Assessment.objects.filter(enrollment__in=enrollments, phase=phase).values_list(
            "template_id", "subject_id", "rater_id", "enrollment_id"
        )
    )
    created = Assessment.objects.bulk_create(
        Assessment(
            organization=actor.organization,
            template=t,
            subject=s,
            rater=r,
            enrollment=e,
            phase=phase,
            opens_on=opens_on,
            closes_on=closes_on,
        )
        for t, s, r, e in wanted
        if (t.pk, s.pk, r.pk, e.pk) not in existing
    )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="assessment.round_opened",
        target=cohort.name,
        detail={"phase": phase, "created": len(created)},
    )
    return {"created": len(created), "without_manager": no_manager}


def _check_window(assessment: Assessment) -> None:
    today = assessment.organization.today()
    if today < assessment.opens_on:
        raise ValidationError(
            {"assessment": f"This assessment opens on {assessment.opens_on:%d %B %Y}."}
        )
    if today > assessment.closes_on:
        raise ValidationError(
            {"assessment": f"This assessment closed on {assessment.closes_on:%d %B %Y}."}
        )


@transaction.atomic
def assessment_answer(
    *, actor: Actor, assessment: Assessment, answers: dict[str, int | None], submit: bool
) -> Assessment:
    """Saves the rater's answers as a draft, or submits them (final).

    `answers` maps item keys to 1-5, or None to clear. Raises ValidationError naming
    every bad answer; nothing is saved unless all are valid. A submitted assessment
    cannot change until an L&D manager reopens it.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("organization").get(pk=assessment.pk)
    )
    if assessment.rater_id != actor.user.pk or assessment.organization_id != actor.organization.pk:
        raise Assessment.DoesNotExist
    if assessment.status == AssessmentStatus.SUBMITTED:
        raise ValidationError(
            {"assessment": "You already submitted this assessment; answers are final."}
        )
    if assessment.template.kind in (AssessmentKind.MANAGER, AssessmentKind.READINESS):
        manager = assessment.subject.manager
        if manager is None or manager.user_id != actor.user.pk:
            raise ValidationError(
                {"assessment": f"You are no longer {assessment.subject.full_name}'s line manager."}
            )
    _check_window(assessment)
    items = {i.key: i for i in assessment.template.items.all()}
    bad = []
    for key, value in answers.items():
        item = items.get(key)
        if item is None:
            bad.append(f"'{key}' is not a question of this assessment.")
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
        ):
            bad.append(f"'{item.text[:60]}…' needs a rating from 1 to 5, not {value!r}.")
    if bad:
        raise ValidationError({"answers": bad})
    current = {a.item_id: a for a in assessment.answers.all()}
    to_create, to_update, to_delete = [], [], []
    for key, value in answers.items():
        item = items[key]
        if value is None:
            if item.pk in current:
                to_delete.append(current[item.pk].pk)
        elif item.pk in current:
            current[item.pk].value = value
            to_update.append(current[item.pk])
        else:
            to_create.append(Answer(assessment=assessment, item=item, value=value))
    Answer.objects.filter(pk__in=to_delete).delete()
    Answer.objects.bulk_update(to_update, ["value"])
    Answer.objects.bulk_create(to_create)
    if submit:
        answered = set(assessment.answers.values_list("item__competency_id", flat=True))
        missing = sorted(
            {
                i.competency.name
                for i in items.values()
                if i.competency_id and i.competency_id not in answered
            }
        )
        if missing:
            raise ValidationError(
                {
                    "answers": "Answer at least one question about each competency before submitting: "
                    + ", ".join(missing)
                    + "."
                }
            )
        assessment.status, assessment.submitted_at = AssessmentStatus.SUBMITTED, timezone.now()
        assessment.save(update_fields=["status", "submitted_at"])
        event_emit(
            name=EventName.ASSESSMENT_SUBMITTED,
            actor=actor,
            payload={
                "assessment_id": assessment.pk,
                "enrollment_id": assessment.enrollment_id,
                "subject_id": assessment.subject_id,
                "kind": assessment.template.kind,
                "phase": assessment.phase,
            },
        )
    return assessment


@transaction.atomic
def assessment_reopen(
    *, actor: Actor, assessment: Assessment, reason: str, closes_on: datetime.date | None = None
) -> Assessment:
    """An L&D manager lets the rater change a submitted assessment again, until
    `closes_on` (default: a week from today, or the old close date if later). Audited."""
    require(actor, "manage_assessments")
    if assessment.organization_id != actor.organization.pk:
        raise Assessment.DoesNotExist
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is being reopened."})
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError({"assessment": "Only a submitted assessment can be reopened."})
    today = actor.organization.today()
    closes_on = closes_on or max(assessment.closes_on, today + datetime.timedelta(days=7))
    if closes_on < today:
        raise ValidationError({"closes_on": "Give the rater time: choose a date from today on."})
    assessment.status, assessment.submitted_at, assessment.closes_on = (
        AssessmentStatus.DRAFT,
        None,
        closes_on,
    )
    assessment.save(update_fields=["status", "submitted_at", "closes_on"])
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="assessment.reopened",
        target=str(assessment),
        detail={"assessment_id": assessment.pk, "reason": reason.strip()[:500]},
    )
    return assessment


# --- Targets and plans --------------------------------------------------------------------------


@transaction.atomic
def target_set(
    *, actor: Actor, program: Program, competency: Competency, target: Decimal
) -> TargetLevel:
    require(actor, "manage_assessments")
    if (
        program.organization_id != actor.organization.pk
        or competency.organization_id != actor.organization.pk
    ):
        raise Program.DoesNotExist
    if not Decimal("1") <= Decimal(target) <= Decimal("5"):
        raise ValidationError({"target": "A target is a level from 1 to 5."})
    level, _ = TargetLevel.objects.update_or_create(
        program=program, competency=competency, defaults={"target": target}
    )
    return level


def _goal_due_dates(cohort: Cohort, count: int) -> list[datetime.date]:
    """Spread the goals' due dates through the program, the last one before it ends."""
    start = max(cohort.start_date, cohort.organization.today())
    span = max((cohort.end_date - start).days, 0)
    return [start + datetime.timedelta(days=span * (i + 1) // (count + 1)) for i in range(count)]


@transaction.atomic
def plan_draft(*, actor: Actor, enrollment: Enrollment, limit: int = 3) -> DevelopmentPlan:
    """Drafts the learner's plan from their top gaps (scoring.top_gaps: at most `limit`,
    targets already met never become goals): a goal per gap in plain words, the program's
    modules that target that competency, a practice commitment and a due date inside the
    program. Redrafting replaces goals only while nobody has agreed.

    Raises ValidationError while either baseline assessment is awaited, once the goals
    were edited or agreed, and when every target is already met."""
    if not plan_draft_scope(actor).allows(enrollment):
        raise Enrollment.DoesNotExist
    baseline = Assessment.objects.filter(
        enrollment=enrollment,
        phase=Phase.BASELINE,
        template__kind__in=[AssessmentKind.SELF, AssessmentKind.MANAGER],
    )
    done = set(
        baseline.filter(status=AssessmentStatus.SUBMITTED).values_list("template__kind", flat=True)
    )
    waiting_for_manager = (
        baseline.filter(template__kind=AssessmentKind.MANAGER).exists()
        and AssessmentKind.MANAGER not in done
    )
    if AssessmentKind.SELF not in done or waiting_for_manager:
        raise ValidationError(
            {
                "plan": "The plan is drafted once the self-assessment and the line manager's assessment are submitted."
            }
        )
    plan, _ = DevelopmentPlan.objects.get_or_create(enrollment=enrollment)
    if (
        plan.learner_agreed_at
        or plan.coach_agreed_at
        or plan.goals.filter(edited_at__isnull=False).exists()
    ):
        raise ValidationError(
            {"plan": "The goals were already edited or agreed; edit them instead of redrafting."}
        )
    gaps = selectors.learner_gaps(enrollment=enrollment)
    top = top_gaps(gaps, limit=limit)
    if not top:
        raise ValidationError(
            {"plan": "Every target is already met, so there is no gap to draft a goal from."}
        )
    competencies = {
        c.key: c
        for c in Competency.objects.filter(
            organization=actor.organization, key__in=[g.competency for g in top]
        )
    }
    modules = list(enrollment.cohort.program.modules.prefetch_related("competencies"))
    plan.goals.all().delete()
    dues = _goal_due_dates(enrollment.cohort, len(top))
    for position, (gap, due) in enumerate(zip(top, dues, strict=True)):
        competency = competencies[gap.competency]
        goal = PlanGoal.objects.create(
            plan=plan,
            position=position,
            competency=competency,
            gap=Decimal(str(gap.gap)),
            goal=f"Grow my {competency.name.lower()}: say what you will do differently, in your own words.",
            practice_commitment=PRACTICE_COMMITMENTS.get(
                competency.key, "Practise this every week and note what happened."
            ),
            due_date=due,
        )
        goal.modules.set(
            [m for m in modules if any(c.pk == competency.pk for c in m.competencies.all())]
        )
    plan.updated_at = timezone.now()
    plan.save(update_fields=["updated_at"])
    return plan


@transaction.atomic
def plan_goal_update(
    *, actor: Actor, goal: PlanGoal, text: str, practice_commitment: str, due_date: datetime.date
) -> PlanGoal:
    """The learner or their coach rewrites a goal. Any change asks both to agree again."""
    plan = goal.plan
    if not can_edit_plan(actor, plan.enrollment):
        raise PlanGoal.DoesNotExist
    errors = {}
    if not text.strip():
        errors["goal"] = "Write the goal in your own words."
    cohort = plan.enrollment.cohort
    if not cohort.start_date <= due_date <= cohort.end_date:
        errors["due_date"] = (
            f"Choose a date inside the program (from {cohort.start_date:%d %b} to {cohort.end_date:%d %b %Y})."
        )
    if errors:
        raise ValidationError(errors)
    goal.goal, goal.practice_commitment, goal.due_date = (
        text.strip(),
        practice_commitment.strip()[:300],
        due_date,
    )
    goal.edited_at = timezone.now()
    goal.save(update_fields=["goal", "practice_commitment", "due_date", "edited_at"])
    plan.learner_agreed_at = plan.coach_agreed_at = None
    plan.coach_agreed_by = None
    plan.updated_at = timezone.now()
    plan.save(
        update_fields=["learner_agreed_at", "coach_agreed_at", "coach_agreed_by", "updated_at"]
    )
    return goal


@transaction.atomic
def plan_agree(*, actor: Actor, plan: DevelopmentPlan) -> DevelopmentPlan:
    """Records the learner's or the coach's agreement (whoever the actor is)."""
    enrollment = plan.enrollment
    if not can_edit_plan(actor, enrollment):
        raise DevelopmentPlan.DoesNotExist
    if not plan.goals.exists():
        raise ValidationError({"plan": "Draft the plan's goals before agreeing."})
    now = timezone.now()
    if is_own_enrollment(actor, enrollment):
        plan.learner_agreed_at = now
    else:
        plan.coach_agreed_at, plan.coach_agreed_by = now, actor.user
    plan.save(update_fields=["learner_agreed_at", "coach_agreed_at", "coach_agreed_by"])
    if plan.status == PlanStatus.AGREED:
        event_emit(
            name=EventName.PLAN_AGREED,
            actor=actor,
            payload={
                "plan_id": plan.pk,
                "enrollment_id": enrollment.pk,
                "employee_id": enrollment.employee_id,
                "competencies": list(plan.goals.values_list("competency__key", flat=True)),
            },
        )
    return plan


@transaction.atomic
def plan_share(*, actor: Actor, plan: DevelopmentPlan, shared: bool) -> DevelopmentPlan:
    """The learner shares the plan with their current line manager, by name, or stops.
    A manager who takes the team over later sees nothing until the learner shares again."""
    if not is_own_enrollment(actor, plan.enrollment):
        raise DevelopmentPlan.DoesNotExist
    manager = plan.enrollment.employee.manager
    if shared and manager is None:
        raise ValidationError({"shared": "You have no line manager on the roster to share with."})
    plan.shared_with = manager if shared else None
    plan.save(update_fields=["shared_with"])
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="plan.shared" if shared else "plan.unshared",
        target=str(plan.enrollment.employee),
        detail={"plan_id": plan.pk},
    )
    return plan


# --- Knowledge checks ---------------------------------------------------------------------------


def _check_key(module) -> str:
    return f"check-module-{module.pk}"


@transaction.atomic
def knowledge_check_publish(*, actor: Actor, module, content: str) -> AssessmentTemplate:
    """Sets a knowledge-check module's questions from a YAML text. Raises ValidationError
    ({"content": [...]}) listing every problem; nothing changes unless all is valid.
    Earlier attempts keep their recorded scores."""

    require(actor, "manage_assessments")
    if module.program.organization_id != actor.organization.pk:
        raise AssessmentTemplate.DoesNotExist
    if module.kind != ModuleKind.KNOWLEDGE_CHECK:
        raise ValidationError({"content": ["Questions belong to knowledge-check modules only."]})
    try:
        spec = validate_check(content)
    except CheckFileError as exc:
        raise ValidationError({"content": exc.errors}) from None
    template, _ = AssessmentTemplate.objects.update_or_create(
        organization=actor.organization,
        key=_check_key(module),
        defaults={
            "title": spec.title,
            "kind": AssessmentKind.KNOWLEDGE_CHECK,
            "module": module,
            "pass_mark": spec.pass_mark,
        },
    )
    template.items.all().delete()
    competency = module.competencies.first()
    AssessmentItem.objects.bulk_create(
        AssessmentItem(
            template=template,
            key=q["id"],
            position=i,
            competency=competency,
            item_type=ItemType.CHOICE,
            text=q["text"],
            options=q["options"],
            correct=q["correct"],
            explanation=q["explanation"],
        )
        for i, q in enumerate(spec.questions)
    )
    return template


def knowledge_check_for(*, module) -> AssessmentTemplate | None:
    return (
        AssessmentTemplate.objects.filter(
            key=_check_key(module), organization_id=module.program.organization_id
        )
        .prefetch_related("items")
        .first()
    )


@transaction.atomic
def knowledge_check_submit(
    *, actor: Actor, enrollment: Enrollment, module, answers: dict[str, list[str]]
):
    """Scores one attempt (a question counts only when exactly the right options are
    chosen) and completes the module on a pass. Retakes are allowed; each is kept."""

    if not is_own_enrollment(actor, enrollment):
        raise Enrollment.DoesNotExist
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError({"answers": "This enrolment has ended."})
    template = knowledge_check_for(module=module)
    if template is None or module.program_id != enrollment.cohort.program_id:
        raise AssessmentTemplate.DoesNotExist
    items = {i.key: i for i in template.items.all()}
    chosen: dict[str, set[str]] = {}
    for key, picked in answers.items():
        item = items.get(key)
        options = {o["key"] for o in item.options} if item else set()
        if item is None or not set(picked) <= options:
            raise ValidationError(
                {"answers": [f"'{key}' has an answer that is not one of its options."]}
            )
        chosen[key] = set(picked)
    result = knowledge_check_score(
        answers=chosen,
        correct={k: set(i.correct) for k, i in items.items()},
        pass_mark=template.pass_mark,
    )
    attempt = KnowledgeCheckAttempt.objects.create(
        template=template,
        enrollment=enrollment,
        answers={k: sorted(v) for k, v in chosen.items()},
        correct=result.correct,
        total=result.total,
        percent=result.percent,
        passed=result.passed,
    )
    event_emit(
        name=EventName.KNOWLEDGE_CHECK_ATTEMPTED,
        actor=actor,
        payload={
            "attempt_id": attempt.pk,
            "enrollment_id": enrollment.pk,
            "employee_id": enrollment.employee_id,
            "module_id": module.pk,
            "percent": attempt.percent,
            "passed": attempt.passed,
        },
    )
    if result.passed:
        # Completing its module stays a direct call: the learner sees it at once.
        module_complete(actor=actor, enrollment=enrollment, module=module)
    return attempt


# --- Pre-promotion readiness --------------------------------------------------------------------


@transaction.atomic
def readiness_nominate(*, actor: Actor, emails: list[str], closes_on: datetime.date) -> list:
    """Nominates candidates by work email: each one's line manager is asked for a
    readiness assessment. All or nobody: every problem is listed."""
    require(actor, "manage_assessments")

    today = actor.organization.today()
    if closes_on < today:
        raise ValidationError({"closes_on": "The window would already be closed."})
    wanted = [e.strip().lower() for e in emails if e.strip()]
    if not wanted:
        raise ValidationError({"emails": "Give at least one work email."})
    people = {
        e.email.lower(): e
        for e in Employee.objects.filter(
            organization=actor.organization, email__in=wanted
        ).select_related("manager__user")
    }
    open_already = set(
        ReadinessNomination.objects.filter(
            organization=actor.organization,
            candidate__email__in=wanted,
            assessment__status=AssessmentStatus.DRAFT,
        ).values_list("candidate__email", flat=True)
    )
    problems = []
    for email in dict.fromkeys(wanted):
        person = people.get(email)
        if person is None:
            problems.append(f"{email} is not on the roster.")
        elif not person.is_employed_on(today):
            problems.append(f"{person.full_name} has left the organisation.")
        elif email in open_already:
            problems.append(f"{person.full_name} already has an open readiness assessment.")
        elif (
            person.manager is None
            or person.manager.user_id is None
            or not person.manager.user.is_active
        ):
            problems.append(f"{person.full_name} has no line manager with a login to assess them.")
    if problems:
        raise ValidationError({"emails": problems})
    assessment_library_load(organization=actor.organization)
    template = AssessmentTemplate.objects.get(
        organization=actor.organization, key=READINESS_TEMPLATE
    )
    nominations = []
    for email in dict.fromkeys(wanted):
        person = people[email]
        assessment = Assessment.objects.create(
            organization=actor.organization,
            template=template,
            subject=person,
            rater=person.manager.user,
            phase=Phase.BASELINE,
            opens_on=today,
            closes_on=closes_on,
        )
        nominations.append(
            ReadinessNomination.objects.create(
                organization=actor.organization,
                candidate=person,
                nominated_by=actor.user,
                assessment=assessment,
            )
        )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="readiness.nominated",
        target=f"{len(nominations)} candidates",
        detail={"count": len(nominations)},
    )
    return nominations


@transaction.atomic
def plan_checkin_record(
    *, actor: Actor, plan: DevelopmentPlan, note: str, progress: int, goal: PlanGoal | None = None
):
    """Records a coach's check-in on the plan (or one goal): a note and progress 1-5.
    Only the learner's own coach may; coaching sessions call this."""

    if not is_assigned_coach(actor, plan.enrollment):
        raise DevelopmentPlan.DoesNotExist
    errors = {}
    if not note.strip():
        errors["note"] = "Write what you discussed."
    if isinstance(progress, bool) or not isinstance(progress, int) or not 1 <= progress <= 5:
        errors["progress"] = "Progress is from 1 (not started) to 5 (done)."
    if goal is not None and goal.plan_id != plan.pk:
        errors["goal"] = "That goal belongs to another plan."
    if errors:
        raise ValidationError(errors)
    return PlanCheckIn.objects.create(
        plan=plan, goal=goal, author=actor.user, note=note.strip(), progress=progress
    )


@transaction.atomic
def target_clear(*, actor: Actor, program: Program, competency: Competency) -> None:
    require(actor, "manage_assessments")
    if program.organization_id != actor.organization.pk:
        raise Program.DoesNotExist
    TargetLevel.objects.filter(program=program, competency=competency).delete()


def readiness_view_audit(*, actor: Actor, nomination) -> None:
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="readiness.evidence_viewed",
        target=str(nomination.candidate),
        detail={"nomination_id": nomination.pk},
    )


def copy_for_cohort(*, source: Program, copy: Program, module_map: dict) -> None:
    """When a cohort copies a program, its knowledge checks and target profile come along."""
    TargetLevel.objects.bulk_create(
        TargetLevel(program=copy, competency_id=t.competency_id, target=t.target)
        for t in source.target_levels.all()
    )
    checks = AssessmentTemplate.objects.filter(
        module_id__in=list(module_map), kind=AssessmentKind.KNOWLEDGE_CHECK
    ).prefetch_related("items")
    for template in checks:
        new_module = module_map[template.module_id]
        clone = AssessmentTemplate.objects.create(
            organization=template.organization,
            key=_check_key(new_module),
            title=template.title,
            kind=template.kind,
            module=new_module,
            pass_mark=template.pass_mark,
        )
        AssessmentItem.objects.bulk_create(
            AssessmentItem(
                template=clone,
                key=i.key,
                position=i.position,
                competency_id=i.competency_id,
                item_type=i.item_type,
                text=i.text,
                options=i.options,
                correct=i.correct,
                explanation=i.explanation,
            )
            for i in template.items.all()
        )
