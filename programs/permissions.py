"""Who may see and do what in programs, built on people.permissions.

'Their coach' always means the coach assigned on the enrolment, never every coach of
the cohort.
"""

from people.permissions import Actor, register
from programs.models import Enrollment


def can_manage_programs(actor: Actor) -> bool:
    return actor.is_lnd_manager


def is_own_enrollment(actor: Actor, enrollment: Enrollment) -> bool:
    return actor.employee is not None and enrollment.employee_id == actor.employee.pk


def is_assigned_coach(actor: Actor, enrollment: Enrollment) -> bool:
    # The role too: a coach whose role was withdrawn loses access to every learner at once.
    return actor.is_coach and enrollment.coach_id == actor.user.pk


def can_view_progress(actor: Actor, enrollment: Enrollment) -> bool:
    """Completion and schedule: the learner, their coach, their line manager, L&D."""
    if enrollment.cohort.organization_id != actor.organization.pk:
        return False
    return (
        can_manage_programs(actor)
        or is_own_enrollment(actor, enrollment)
        or is_assigned_coach(actor, enrollment)
        or (actor.employee is not None and enrollment.employee.manager_id == actor.employee.pk)
    )


def can_view_practice(actor: Actor, enrollment: Enrollment) -> bool:
    """Reflections and the practice log: the learner and their own coach only."""
    if enrollment.cohort.organization_id != actor.organization.pk:
        return False
    return is_own_enrollment(actor, enrollment) or is_assigned_coach(actor, enrollment)


register("manage_programs", can_manage_programs)
register("learn", lambda actor: actor.is_learner)
register("coach_learners", lambda actor: actor.is_coach)
