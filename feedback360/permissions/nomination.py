"""Who sees and changes a learner's 360 raters, built on programs' enrolment rules.

A rater list belongs to one learner (the subject, an Enrollment) in one cycle. The
learner nominates their own; their line manager (the one who manages them now, on the
roster, not a former one) and L&D managers approve, edit, add and remove. Nobody else
sees who was asked: not the coach, not an executive, not a peer learner.

Each rule is written once as a Scope over Enrollment; `on_assignments` turns it into the
same rule over RaterAssignment (through `subject`), so a list, a detail lookup and a
service's check before a write can never disagree.
"""

from django.db.models import Q

from people.permissions import Actor, Scope, register
from programs.permissions import all_enrollments, own_enrollments, report_enrollments


def nominate_scope(actor: Actor) -> Scope:
    """Enrolments whose raters the actor nominates: their own."""
    return own_enrollments(actor)


def approve_scope(actor: Actor) -> Scope:
    """Enrolments whose raters the actor approves, edits, adds and removes: their current
    direct reports', and every one for L&D managers."""
    return report_enrollments(actor) | all_enrollments(actor)


def raters_scope(actor: Actor) -> Scope:
    """Enrolments whose rater list the actor may see."""
    return nominate_scope(actor) | approve_scope(actor)


def on_assignments(scope: Scope) -> Scope:
    """The same rule over RaterAssignment, through its subject."""
    return Scope(
        tuple(tuple((f"subject__{path}", value) for path, value in c) for c in scope.clauses)
    )


def can_see_raters(actor: Actor, enrollment) -> bool:
    return raters_scope(actor).allows(enrollment)


def can_nominate(actor: Actor, enrollment) -> bool:
    return nominate_scope(actor).allows(enrollment)


def approvable_q(actor: Actor) -> Q:
    """Enrolments whose raters the actor approves, as a filter: approve_scope, never the
    actor's own (an L&D manager who is a learner does not approve their own list).
    can_approve is the same rule for one enrolment."""
    return approve_scope(actor).q() & ~Q(employee_id=actor.employee_id)


def can_approve(actor: Actor, enrollment) -> bool:
    """approvable_q for one enrolment."""
    return approve_scope(actor).allows(enrollment) and enrollment.employee_id != actor.employee_id


def can_approve_raters(actor: Actor) -> bool:
    """May open the approval list at all: line managers and L&D managers. Which learners
    they see there is decided by approve_scope."""
    return actor.is_line_manager or actor.is_lnd_manager


register("approve_raters", can_approve_raters)
