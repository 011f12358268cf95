"""Who may run 360 cycles: L&D managers of the organisation, and nobody else.

Cycles, their settings and their response rates (counts only) belong to the L&D
manager. Learners, managers and raters reach a cycle through the nomination and
reviewer rules, never through these.
"""

from people.permissions import Actor, Scope, register


def can_manage_feedback(actor: Actor) -> bool:
    return actor.is_lnd_manager


def managed_cycles(actor: Actor) -> Scope:
    """Cycles (and questionnaires, settings: anything with `organization_id`) the actor
    runs: every one of their organisation for an L&D manager, none otherwise."""
    return Scope.where(organization_id=actor.organization.pk).when(can_manage_feedback(actor))


def can_manage_cycle(actor: Actor, cycle) -> bool:
    return managed_cycles(actor).allows(cycle)


register("manage_feedback", can_manage_feedback)
