"""Who sees assessment answers and plans, built on people and programs permissions.

A learner's scores and gaps: the learner, their own coach, L&D managers. The line
manager sees the manager assessment they wrote, and the plan once the learner shares it
with them by name, without scores or gaps. Executives see aggregates only.
"""

from people.permissions import Actor, Scope, register
from programs.permissions import all_enrollments, coached_enrollments, own_enrollments


def can_manage_assessments(actor: Actor) -> bool:
    return actor.is_lnd_manager


def results_scope(actor: Actor) -> Scope:
    """Enrolments whose scores, gaps and full plan the actor may read."""
    return all_enrollments(actor) | own_enrollments(actor) | coached_enrollments(actor)


def shared_plan_scope(actor: Actor) -> Scope:
    """Enrolments whose plan was shared with this actor, by name, while they are still
    the learner's line manager: a manager who moves on loses it, and the next one does
    not inherit it."""
    return Scope.where(
        cohort__organization_id=actor.organization.pk,
        development_plan__shared_with_id=actor.employee_id,
        employee__manager_id=actor.employee_id,
    )


def plan_scope(actor: Actor) -> Scope:
    """Enrolments whose plan the actor may open, in either form."""
    return results_scope(actor) | shared_plan_scope(actor)


def plan_edit_scope(actor: Actor) -> Scope:
    """Enrolments whose plan the actor may edit and agree: the learner and their coach."""
    return own_enrollments(actor) | coached_enrollments(actor)


def plan_draft_scope(actor: Actor) -> Scope:
    """Who may draft a plan from the gaps: its editors, and L&D managers."""
    return plan_edit_scope(actor) | all_enrollments(actor)


def rater_scope(actor: Actor) -> Scope:
    """Assessments the actor was asked to fill in themselves."""
    return Scope.where(organization_id=actor.organization.pk, rater_id=actor.user_id)


def assessment_scope(actor: Actor) -> Scope:
    """Assessments the actor may list: their own to fill in; every one for L&D."""
    org = Scope.where(organization_id=actor.organization.pk)
    return rater_scope(actor) | org.when(can_manage_assessments(actor))


def can_view_results(actor: Actor, enrollment) -> bool:
    return results_scope(actor).allows(enrollment)


def plan_shows_scores(actor: Actor, enrollment) -> bool:
    """The one place that decides whether a plan is shown with its gaps and scores, or
    as shared: goals only."""
    return can_view_results(actor, enrollment)


def can_edit_plan(actor: Actor, enrollment) -> bool:
    return plan_edit_scope(actor).allows(enrollment)


register("manage_assessments", can_manage_assessments)
