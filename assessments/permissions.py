"""Who sees assessment answers and plans, built on people and programs permissions.

A learner's answers: the learner, their own coach, L&D managers. The line manager sees
the manager assessment they wrote, and the plan once the learner shares it.
Executives see aggregates only.
"""

from people.permissions import Actor, register
from programs.models import Enrollment
from programs.permissions import is_assigned_coach, is_own_enrollment


def can_view_results(actor: Actor, enrollment: Enrollment) -> bool:
    if enrollment.cohort.organization_id != actor.organization.pk:
        return False
    return (
        actor.is_lnd_manager
        or is_own_enrollment(actor, enrollment)
        or is_assigned_coach(actor, enrollment)
    )


def can_view_plan(actor: Actor, enrollment: Enrollment, shared: bool) -> bool:
    if can_view_results(actor, enrollment):
        return True
    is_manager = actor.employee is not None and enrollment.employee.manager_id == actor.employee.pk
    return shared and is_manager


def can_edit_plan(actor: Actor, enrollment: Enrollment) -> bool:
    return is_own_enrollment(actor, enrollment) or is_assigned_coach(actor, enrollment)


register("manage_assessments", lambda actor: actor.is_lnd_manager)
