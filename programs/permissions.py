"""Who may see and do what in programs, built on people.permissions.

Each relationship rule is written once, as a Scope over Enrollment: selectors filter
lists and detail lookups with `.q()`, services check one enrolment with `.allows()`
before a write. 'Their coach' always means the coach assigned on the enrolment, never
every coach of the cohort, and only while the person still holds the coach role.
"""

from people.permissions import Actor, Scope, register


def can_manage_programs(actor: Actor) -> bool:
    return actor.is_lnd_manager


def _in_org(actor: Actor) -> Scope:
    return Scope.where(cohort__organization_id=actor.organization.pk)


def own_enrollments(actor: Actor) -> Scope:
    """The actor's own enrolments as a learner."""
    return _in_org(actor) & Scope.where(employee_id=actor.employee_id)


def coached_enrollments(actor: Actor) -> Scope:
    """Enrolments this coach is assigned to. A coach whose role was withdrawn loses every
    learner at once."""
    return _in_org(actor) & Scope.where(coach_id=actor.user_id).when(actor.is_coach)


def report_enrollments(actor: Actor) -> Scope:
    """Enrolments of the actor's current direct reports (the roster decides, not a role)."""
    return _in_org(actor) & Scope.where(employee__manager_id=actor.employee_id)


def all_enrollments(actor: Actor) -> Scope:
    """Every enrolment of the organisation, for L&D managers."""
    return _in_org(actor).when(can_manage_programs(actor))


def progress_scope(actor: Actor) -> Scope:
    """Completion and schedule: the learner, their coach, their line manager, L&D."""
    return (
        all_enrollments(actor)
        | own_enrollments(actor)
        | coached_enrollments(actor)
        | report_enrollments(actor)
    )


def practice_scope(actor: Actor) -> Scope:
    """Reflections, scenario attempts and the practice log: the learner and their own
    coach only. Never the line manager, never L&D."""
    return own_enrollments(actor) | coached_enrollments(actor)


def facilitated_cohorts(actor: Actor) -> Scope:
    """Cohorts whose live sessions the actor takes attendance for: their facilitator,
    and L&D managers."""
    org = Scope.where(organization_id=actor.organization.pk)
    return org & (org.when(can_manage_programs(actor)) | Scope.where(facilitator_id=actor.user_id))


def is_own_enrollment(actor: Actor, enrollment) -> bool:
    return own_enrollments(actor).allows(enrollment)


def is_assigned_coach(actor: Actor, enrollment) -> bool:
    return coached_enrollments(actor).allows(enrollment)


def can_view_progress(actor: Actor, enrollment) -> bool:
    return progress_scope(actor).allows(enrollment)


def can_view_practice(actor: Actor, enrollment) -> bool:
    return practice_scope(actor).allows(enrollment)


def can_take_attendance(actor: Actor, cohort) -> bool:
    return facilitated_cohorts(actor).allows(cohort)


def may_coach(*, coach_user_id: int, coach_employee_id: int | None, learner) -> bool:
    """Whether a coach may be assigned to a learner (an Employee). Nobody coaches
    themselves, and a line manager never coaches their own report: coaches read
    reflections, which line managers must never see."""
    if coach_user_id is not None and coach_user_id == learner.user_id:
        return False
    return coach_employee_id is None or coach_employee_id not in (learner.pk, learner.manager_id)


register("manage_programs", can_manage_programs)
register("learn", lambda actor: actor.is_learner)
register("coach_learners", lambda actor: actor.is_coach)
