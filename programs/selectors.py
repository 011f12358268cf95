"""Organisation-scoped reads for programs, with their joins done here so pages make the
same number of queries whatever the number of learners or modules."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from people.audit import audit_log
from people.models import Organization
from people.permissions import Actor
from programs import scenario_format
from programs.models import (
    AttemptStatus,
    Cohort,
    Competency,
    DelegationDecision,
    Enrollment,
    EnrollmentImport,
    EnrollmentImportRow,
    EnrollmentStatus,
    LiveSessionAttendance,
    Module,
    ModuleProgress,
    Program,
    ProgressStatus,
    Reflection,
    SbiEntry,
    Scenario,
    ScenarioAttempt,
    ScenarioVersion,
)
from programs.permissions import (
    coached_enrollments,
    facilitated_cohorts,
    is_own_enrollment,
    own_enrollments,
    practice_scope,
    progress_scope,
)
from programs.permissions import report_enrollments as report_scope

OVERDUE_AFTER = datetime.timedelta(days=7)


def competency_list(
    *, organization: Organization, include_retired: bool = True
) -> QuerySet[Competency]:
    qs = Competency.objects.filter(organization=organization)
    return qs if include_retired else qs.filter(is_retired=False)


def competency_choices(*, organization: Organization, keep=None) -> QuerySet[Competency]:
    """Competencies to offer on a form: those in use, plus retired ones `keep` (a program
    or module) already targets, so saving it does not silently drop them."""
    kept = keep.competencies.values_list("pk", flat=True) if keep is not None else []
    return Competency.objects.filter(organization=organization).filter(
        Q(is_retired=False) | Q(pk__in=list(kept))
    )


def competency_get(*, organization: Organization, pk: int) -> Competency:
    return Competency.objects.get(organization=organization, pk=pk)


def program_list(*, organization: Organization, templates_only: bool = True) -> QuerySet[Program]:
    """Program templates (cohorts' own copies are left out unless asked for)."""
    qs = Program.objects.filter(organization=organization)
    if templates_only:
        qs = qs.filter(template__isnull=True)
    return (
        qs.annotate(
            module_count=Count("modules", distinct=True),
            # A template's cohorts run their own copies of it.
            cohort_count=Count("cohorts", distinct=True) + Count("copies__cohorts", distinct=True),
        )
        .prefetch_related("competencies")
        .order_by("title", "id")
    )


def program_get(*, organization: Organization, pk: int) -> Program:
    """A template or a cohort's own copy."""
    return (
        Program.objects.select_related("template")
        .prefetch_related("competencies", "cohorts")
        .get(organization=organization, pk=pk)
    )


def program_modules(*, program: Program) -> QuerySet[Module]:
    return (
        program.modules.select_related("scenario")
        .prefetch_related("competencies")
        .order_by("release_week", "position", "id")
    )


def module_list(*, organization: Organization) -> QuerySet[Module]:
    """Modules of every program here, templates and cohorts' copies alike."""
    return Module.objects.filter(program__organization=organization).select_related(
        "program", "scenario"
    )


def module_get(*, organization: Organization, pk: int) -> Module:
    return Module.objects.select_related("program", "scenario__current_version").get(
        program__organization=organization, pk=pk
    )


def scenario_list(*, organization: Organization) -> QuerySet[Scenario]:
    return (
        Scenario.objects.filter(organization=organization, current_version__isnull=False)
        .select_related("current_version")
        .prefetch_related("competencies")
        .annotate(module_count=Count("modules", distinct=True))
        .order_by("title", "id")
    )


def scenario_get(*, organization: Organization, pk: int) -> Scenario:
    return scenario_list(organization=organization).get(pk=pk)


def cohort_list(*, organization: Organization) -> QuerySet[Cohort]:
    return (
        Cohort.objects.filter(organization=organization)
        .select_related("program", "facilitator")
        .annotate(
            learner_count=Count(
                "enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE)
            )
        )
        .order_by("-start_date", "name", "id")
    )


def cohort_get(*, organization: Organization, pk: int) -> Cohort:
    return (
        Cohort.objects.select_related("program", "facilitator")
        .prefetch_related("coaches")
        .get(organization=organization, pk=pk)
    )


def cohort_enrollments(*, cohort: Cohort, active_only: bool = True) -> QuerySet[Enrollment]:
    qs = cohort.enrollments.select_related("employee__team", "employee__manager", "coach")
    if active_only:
        qs = qs.filter(status=EnrollmentStatus.ACTIVE)
    return qs.order_by("employee__full_name", "id")


def enrollment_import_list(*, organization: Organization) -> QuerySet[EnrollmentImport]:
    """The organisation's enrolment files, newest first, with their cohort and uploader."""
    return EnrollmentImport.objects.filter(cohort__organization=organization).select_related(
        "cohort", "uploaded_by", "committed_by"
    )


def enrollment_import_get(*, cohort: Cohort, pk: int) -> EnrollmentImport:
    """One enrolment file of this cohort; another cohort's raises DoesNotExist (a 404)."""
    return (
        EnrollmentImport.objects.filter(cohort=cohort)
        .select_related("cohort", "uploaded_by", "committed_by")
        .get(pk=pk)
    )


def enrollment_import_rows(
    *, enrollment_import: EnrollmentImport, problems_only: bool = False
) -> QuerySet[EnrollmentImportRow]:
    """A file's rows in file order with the person each matched (one query per page)."""
    rows = enrollment_import.rows.select_related("employee").order_by("row_number")
    return rows.exclude(errors=[]) if problems_only else rows


def _enrollments() -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related(
        "cohort__program", "cohort__organization", "employee__manager", "employee__team", "coach"
    )


def enrollment_get(*, actor: Actor, pk: int, need: str = "progress") -> Enrollment:
    """One enrolment the actor may see. `need` is "progress" (learner, coach, line
    manager, L&D) or "practice" (the learner and their own coach only). Anything else,
    or another organisation's, raises Enrollment.DoesNotExist (a 404)."""
    scope = practice_scope(actor) if need == "practice" else progress_scope(actor)
    return _enrollments().get(scope.q(), pk=pk)


def own_enrollment_get(*, actor: Actor, pk: int) -> Enrollment:
    """One of the actor's own enrolments as a learner, else Enrollment.DoesNotExist."""
    return _enrollments().get(own_enrollments(actor).q(), pk=pk)


def learner_enrollments(*, actor: Actor) -> QuerySet[Enrollment]:
    """The actor's own active enrolments, newest cohort first."""
    return (
        _enrollments()
        .filter(own_enrollments(actor).q(), status=EnrollmentStatus.ACTIVE)
        .order_by("-cohort__start_date", "id")
    )


@dataclass
class ModuleState:
    module: Module
    released_on: datetime.date
    status: str  # "locked", "open", "in_progress", "completed"
    overdue: bool
    rating: int | None = None


@dataclass
class LearnerPlan:
    enrollment: Enrollment
    week: int
    total_weeks: int
    this_week: list[ModuleState] = field(default_factory=list)
    overdue: list[ModuleState] = field(default_factory=list)
    earlier: list[ModuleState] = field(default_factory=list)
    upcoming: list[ModuleState] = field(default_factory=list)
    completed: int = 0
    total: int = 0
    finished_on: datetime.date | None = None  # the cohort's end date, once it has passed

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def _state(
    enrollment: Enrollment, module: Module, progress: ModuleProgress | None, today
) -> ModuleState:
    released = enrollment.cohort.week_starts(module.release_week)
    if progress and progress.status == ProgressStatus.COMPLETED:
        status = "completed"
    elif released > today:
        status = "locked"
    else:
        status = "in_progress" if progress else "open"
    overdue = status in ("open", "in_progress") and today >= released + OVERDUE_AFTER
    return ModuleState(module, released, status, overdue, progress.rating if progress else None)


def learner_plan(*, enrollment: Enrollment) -> LearnerPlan:
    """The learner's program for this week: what is new, what is overdue, what is done.
    Three queries whatever the program's size."""
    cohort = enrollment.cohort
    today = cohort.organization.today()
    week = max(1, min(cohort.program.duration_weeks, (today - cohort.start_date).days // 7 + 1))
    modules = list(program_modules(program=cohort.program))
    progress = {p.module_id: p for p in ModuleProgress.objects.filter(enrollment=enrollment)}
    plan = LearnerPlan(
        enrollment=enrollment,
        week=week,
        total_weeks=cohort.program.duration_weeks,
        finished_on=cohort.end_date if cohort.has_ended(today) else None,
    )
    for module in modules:
        state = _state(enrollment, module, progress.get(module.pk), today)
        plan.total += 1
        plan.completed += state.status == "completed"
        if state.status == "locked":
            plan.upcoming.append(state)
        elif state.overdue:
            plan.overdue.append(state)
        elif module.release_week == week and today >= cohort.start_date:
            plan.this_week.append(state)
        else:
            plan.earlier.append(state)
    return plan


def next_module(*, plan: LearnerPlan) -> ModuleState | None:
    """The learner's next module to do: the first released one they have not finished,
    in program order (so an overdue one comes before this week's). None when they are
    up to date."""
    released = [
        state
        for state in plan.overdue + plan.this_week + plan.earlier
        if state.status != "completed"
    ]
    return min(
        released,
        key=lambda s: (s.module.release_week, s.module.position, s.module.pk),
        default=None,
    )


def next_module_for(*, enrollment: Enrollment) -> Module | None:
    """`next_module` of the enrolment's plan, as the module (a nudge links to it)."""
    state = next_module(plan=learner_plan(enrollment=enrollment))
    return state.module if state else None


def _summary(states: list[ModuleState]) -> dict:
    """Completed, total, percent and behind (modules overdue): the one reading of a
    learner's progress that the cohort grid, "My team" and the coach's list all show."""
    total = len(states)
    done = sum(s.status == "completed" for s in states)
    return {
        "completed": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "behind": sum(s.overdue for s in states),
    }


@dataclass
class GridRow:
    enrollment: Enrollment
    cells: list[dict]
    summary: dict

    @property
    def completed(self) -> int:
        return self.summary["completed"]

    @property
    def behind(self) -> int:
        return self.summary["behind"]

    @property
    def is_behind(self) -> bool:
        return self.behind > 0


def progress_grid(*, cohort: Cohort) -> tuple[list[Module], list[GridRow]]:
    """Learners x modules with completion, best scenario score with the scale of the
    scenario version it was scored on (`scale`: lowest and highest possible, worked out
    once per version) and who is behind schedule. Four queries for 5 learners or 500, and
    one more for the scenario versions once anyone has a score."""
    today = cohort.organization.today()
    modules = list(cohort.program.modules.order_by("release_week", "position", "id"))
    enrollments = list(cohort_enrollments(cohort=cohort))
    progress = {
        (p.enrollment_id, p.module_id): p
        for p in ModuleProgress.objects.filter(
            enrollment__cohort=cohort, enrollment__status=EnrollmentStatus.ACTIVE
        )
    }
    best: dict[tuple[int, int], tuple[int, int]] = {}  # (enrolment, module) -> (score, version)
    for row in (
        ScenarioAttempt.objects.filter(enrollment__cohort=cohort, status=AttemptStatus.FINISHED)
        .values("enrollment_id", "module_id", "version_id")
        .annotate(best=Max("total_score"))
        .order_by()
    ):
        key = (row["enrollment_id"], row["module_id"])
        if key not in best or row["best"] > best[key][0]:
            best[key] = (row["best"], row["version_id"])
    scales = {
        version.pk: scenario_format.score_range(version.definition)
        for version in ScenarioVersion.objects.filter(
            pk__in={version for _score, version in best.values()}
        ).only("definition")
    }
    rows = []
    for enrollment in enrollments:
        cells, states = [], []
        for module in modules:
            state = _state(enrollment, module, progress.get((enrollment.pk, module.pk)), today)
            states.append(state)
            scored = best.get((enrollment.pk, module.pk))
            cells.append(
                {
                    "module": module,
                    "status": state.status,
                    "overdue": state.overdue,
                    "score": scored[0] if scored else None,
                    "scale": scales[scored[1]] if scored else None,
                }
            )
        rows.append(GridRow(enrollment=enrollment, cells=cells, summary=_summary(states)))
    return modules, rows


def coach_enrollments(*, actor: Actor) -> QuerySet[Enrollment]:
    """The learners assigned to this coach (not every learner of their cohorts)."""
    return (
        _enrollments()
        .filter(coached_enrollments(actor).q(), status=EnrollmentStatus.ACTIVE)
        .order_by("employee__full_name", "id")
    )


def report_enrollments(*, actor: Actor) -> QuerySet[Enrollment]:
    """Active enrolments of the actor's direct reports."""
    return (
        _enrollments()
        .filter(report_scope(actor).q(), status=EnrollmentStatus.ACTIVE)
        .order_by("employee__full_name", "id")
    )


def by_cohort_end(enrollments: list[Enrollment], *, today) -> tuple[list, list]:
    """Enrolments whose cohort is still running (or not started), and those whose cohort
    has ended (Cohort.has_ended): a finished cohort's learners stay enrolled, but are not
    today's work. Every list of a coach's or manager's learners splits by this."""
    running = [e for e in enrollments if not e.cohort.has_ended(today)]
    finished = [e for e in enrollments if e.cohort.has_ended(today)]
    return running, finished


def with_summaries(*, enrollments: list[Enrollment]) -> list[Enrollment]:
    """Sets `summary` (completed, total, percent, behind) on each enrolment, as the
    shared progress cell (`programs/_summary_cell.html`) reads it."""
    summaries = enrollment_summaries(enrollments=enrollments)
    for enrollment in enrollments:
        enrollment.summary = summaries[enrollment.pk]
    return enrollments


def enrollment_summaries(*, enrollments: list[Enrollment]) -> dict[int, dict]:
    """Completed and overdue counts per enrolment, in two queries for any number, and
    `finished_on`: the cohort's end date once it has passed (else None)."""
    if not enrollments:
        return {}
    programs = {e.cohort.program_id for e in enrollments}
    modules: dict[int, list[Module]] = {}
    for module in Module.objects.filter(program_id__in=programs):
        modules.setdefault(module.program_id, []).append(module)
    progress = {
        (p.enrollment_id, p.module_id): p
        for p in ModuleProgress.objects.filter(enrollment__in=enrollments)
    }
    out = {}
    for enrollment in enrollments:
        today = enrollment.cohort.organization.today()
        states = [
            _state(enrollment, m, progress.get((enrollment.pk, m.pk)), today)
            for m in modules.get(enrollment.cohort.program_id, [])
        ]
        out[enrollment.pk] = _summary(states)
        cohort = enrollment.cohort
        out[enrollment.pk]["finished_on"] = cohort.end_date if cohort.has_ended(today) else None
    return out


def enrollment_lineage(*, enrollment: Enrollment) -> list[Enrollment]:
    """This enrolment and the ones a learner was moved here from, newest first, so a move
    between cohorts keeps their practice log in view."""
    chain, current = [enrollment], enrollment
    while True:
        earlier = Enrollment.objects.filter(moved_to=current).first()
        if earlier is None or earlier in chain:
            return chain
        chain.append(earlier)
        current = earlier


def practice_log(*, actor: Actor, enrollment: Enrollment) -> dict:
    """SBI entries, delegation decisions and reflections, including those made before a
    move from another cohort. For an enrolment the actor passed `practice_scope` for; a
    coach's read is audited."""
    practice_read_audit(actor=actor, enrollment=enrollment, what="practice_log")
    lineage = enrollment_lineage(enrollment=enrollment)
    return {
        "sbi_entries": list(SbiEntry.objects.filter(enrollment__in=lineage)),
        "decisions": list(DelegationDecision.objects.filter(enrollment__in=lineage)),
        "reflections": list(
            Reflection.objects.filter(enrollment__in=lineage)
            .select_related("module")
            .order_by("-updated_at")
        ),
    }


def delegation_shift(*, enrollment: Enrollment) -> list[dict]:
    """How the learner's chosen delegation levels spread over the program, by month."""
    rows: dict[str, dict[str, int]] = {}
    for decision in DelegationDecision.objects.filter(
        enrollment__in=enrollment_lineage(enrollment=enrollment)
    ).order_by("created_at"):
        month = decision.created_at.strftime("%Y-%m")
        rows.setdefault(month, {}).setdefault(decision.chosen_level, 0)
        rows[month][decision.chosen_level] += 1
    return [{"month": month, "levels": levels} for month, levels in rows.items()]


def attempt_summary(*, enrollment: Enrollment, module: Module) -> dict:
    """Best and latest finished scores, and the unfinished attempt to resume, if any."""
    attempts = list(
        ScenarioAttempt.objects.filter(enrollment=enrollment, module=module)
        .select_related("version")
        .order_by("-started_at", "-id")
    )
    finished = [a for a in attempts if a.status == AttemptStatus.FINISHED]
    best = max(finished, key=lambda a: (a.total_score, a.finished_at)) if finished else None
    return {
        "attempts": attempts,
        "unfinished": next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None),
        "latest": finished[0] if finished else None,
        "best": best,
        # The best attempt's own version: a newer version may have a different scale.
        "scale": scenario_format.score_range(best.version.definition) if best else None,
    }


def attempt_get(*, actor: Actor, pk: int, own_only: bool = False) -> ScenarioAttempt:
    """A scenario attempt of the actor's own (`own_only`, for playing it) or one their
    coach may read; else ScenarioAttempt.DoesNotExist."""
    scope = own_enrollments(actor) if own_only else practice_scope(actor)
    return ScenarioAttempt.objects.select_related(
        "version__scenario", "module", "enrollment__cohort__organization", "enrollment__employee"
    ).get(scope.q("enrollment__"), pk=pk)


def attendance_of(*, module: Module, enrollments: list[Enrollment]) -> dict[int, bool]:
    """Enrolment id -> attended, for those already marked."""
    return dict(
        LiveSessionAttendance.objects.filter(module=module, enrollment__in=enrollments).values_list(
            "enrollment_id", "attended"
        )
    )


@dataclass(frozen=True)
class FacilitatedSession:
    cohort: Cohort
    session: Module
    recorded: int  # learners whose attendance was taken
    present: int
    can_take_attendance: bool  # it has begun (or has no date): attendance can be taken


def session_has_begun(session: Module, *, now: datetime.datetime) -> bool:
    """Attendance is taken once a session has begun; one without a date may be taken
    any time (nobody can tell when it happened)."""
    return session.session_starts_at is None or session.session_starts_at <= now


def facilitated_sessions(*, actor: Actor) -> list[FacilitatedSession]:
    """Live sessions of the cohorts this person facilitates, in date order (undated last),
    with how many learners' attendance was taken. Three queries, whatever the number."""
    cohorts = list(
        Cohort.objects.filter(
            organization=actor.organization, facilitator_id=actor.user_id
        ).select_related("program")
    )
    sessions = Module.objects.filter(
        program__in={c.program_id for c in cohorts}, kind="live_session"
    ).annotate(
        recorded=Count("attendance"),
        present=Count("attendance", filter=Q(attendance__attended=True)),
    )
    by_program: dict[int, list[Module]] = {}
    for module in sessions.order_by("release_week", "id"):
        by_program.setdefault(module.program_id, []).append(module)
    now = timezone.now()
    found = [
        FacilitatedSession(
            cohort=cohort,
            session=module,
            recorded=module.recorded,
            present=module.present,
            can_take_attendance=session_has_begun(module, now=now),
        )
        for cohort in cohorts
        for module in by_program.get(cohort.program_id, [])
    ]
    return sorted(
        found,
        key=lambda f: (f.session.session_starts_at is None, f.session.session_starts_at or now),
    )


def enrollment_list(*, actor: Actor) -> QuerySet[Enrollment]:
    """Enrolments the actor may see: all for L&D managers; otherwise their own, their
    assigned learners' (coaches) and their direct reports' (line managers)."""
    return _enrollments().filter(progress_scope(actor).q()).order_by("-enrolled_at", "id")


def scenario_or_none(*, organization: Organization, pk) -> Scenario | None:
    return Scenario.objects.filter(organization=organization, pk=pk).first() if pk else None


def module_progress(*, enrollment: Enrollment, module: Module) -> ModuleProgress | None:
    return ModuleProgress.objects.filter(enrollment=enrollment, module=module).first()


def reflection_of(*, enrollment: Enrollment, module: Module) -> Reflection | None:
    return Reflection.objects.filter(enrollment=enrollment, module=module).first()


def reflection_get(*, actor: Actor, pk: int) -> Reflection:
    """One reflection, for the learner and their own coach only; otherwise
    Reflection.DoesNotExist (a 404)."""
    reflection = Reflection.objects.select_related(
        "enrollment__cohort__organization", "enrollment__employee", "enrollment__coach", "module"
    ).get(practice_scope(actor).q("enrollment__"), pk=pk)
    practice_read_audit(actor=actor, enrollment=reflection.enrollment, what="reflection")
    return reflection


def practice_read_audit(*, actor: Actor, enrollment: Enrollment, what: str) -> None:
    """A coach reading a learner's reflections or practice log leaves an audit entry;
    the learner reading their own does not."""
    if not is_own_enrollment(actor, enrollment):
        audit_log(
            organization=actor.organization,
            actor=actor.user,
            action=f"{what}.viewed",
            target=str(enrollment.employee),
            detail={"enrollment_id": enrollment.pk},
        )


def own_delegation_decision(*, actor: Actor, pk: int) -> DelegationDecision:
    """A delegation decision from the actor's own practice log (else DoesNotExist)."""
    return DelegationDecision.objects.select_related("enrollment").get(
        own_enrollments(actor).q("enrollment__"), pk=pk
    )


def facilitated_cohort_get(*, actor: Actor, pk: int) -> Cohort:
    """A cohort whose attendance the actor takes (its facilitator, L&D), else
    Cohort.DoesNotExist."""
    return Cohort.objects.select_related("program", "organization").get(
        facilitated_cohorts(actor).q(), pk=pk
    )
