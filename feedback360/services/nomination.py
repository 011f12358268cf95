"""Rater nomination and approval: who is asked about a learner, in which group.

The learner nominates (rows wait as 'nominated'); their current line manager or an L&D
manager approves, moves a rater to another group, adds or removes. Every write checks,
under a lock on the cycle row (so two learners cannot both take a person's last place):

- the cycle is not closed, and the learner is active in its cohort;
- a person sits in one group per learner; self is the learner alone, and the manager
  group holds people on the roster only;
- a group holds no more than its maximum (minimums are checked when approving, since
  a list is built one rater at a time);
- a person is asked by at most the cycle's cap of learners (the manager group and self
  are exempt), with a message naming them.

Approval does not send anything itself: it emits the domain event RATERS_APPROVED with
the approved assignment ids, and the reviewer area's handler sends the invitations.
"""

import dataclasses

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from feedback360.models import (
    ACTIVE_RATER_STATUSES,
    CycleStatus,
    FeedbackCycle,
    RaterAssignment,
    RaterGroup,
    RaterStatus,
)
from feedback360.permissions.nomination import can_approve, can_nominate
from feedback360.selectors import nomination as selectors
from people.events import event_emit
from people.models import Employee
from people.permissions import Actor
from people.selectors import employed_on_q
from programs.models import Enrollment, EnrollmentStatus

# Emitted when raters become approved (approval, or an approver adding one). Payload:
# {"cycle_id", "subject_id", "assignment_ids"}. The reviewer area subscribes and invites.
RATERS_APPROVED = "feedback360.raters_approved"

NAME_LENGTH = 200
EMAIL_LENGTH = 254


@dataclasses.dataclass(frozen=True)
class Person:
    """Whom a rater row points at: a roster employee, or a name and email."""

    employee: Employee | None
    name: str
    email: str


def _locked_cycle(cycle: FeedbackCycle) -> FeedbackCycle:
    # Serialises every nomination write of one cycle, so the cap and group maximums are
    # counted against committed rows only.
    return FeedbackCycle.objects.select_for_update().select_related("organization").get(pk=cycle.pk)


def _check_open(cycle: FeedbackCycle, subject: Enrollment) -> None:
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError("This cycle is closed; its raters can no longer change.")
    if subject.cohort_id != cycle.cohort_id or subject.cohort.organization_id != (
        cycle.organization_id
    ):
        raise PermissionDenied("This learner is not in the cycle's cohort.")
    if subject.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(
            f"{subject.employee.full_name} is no longer enrolled, so their raters cannot change."
        )


def _role(actor: Actor, subject: Enrollment) -> str:
    """'approver' (current line manager or L&D, never for their own list), 'learner', or
    PermissionDenied."""
    if can_approve(actor, subject):
        return "approver"
    if can_nominate(actor, subject):
        return "learner"
    raise PermissionDenied("You cannot change this learner's raters.")


def _person(
    *, cycle: FeedbackCycle, employee_id: int | None, name: str, email: str
) -> tuple[Person, str]:
    """Resolves the rater's identity; returns it with the form field errors are keyed by."""
    today = cycle.organization.today()
    employed = Employee.objects.filter(employed_on_q(today), organization_id=cycle.organization_id)
    if employee_id is not None:
        employee = employed.filter(pk=employee_id).first()
        if employee is None:
            raise ValidationError({"employee": "Choose someone on the organisation's roster."})
        return Person(employee, employee.full_name, employee.email.strip().lower()), "employee"
    name, email = (name or "").strip(), (email or "").strip().lower()
    errors = {}
    if not email:
        errors["email"] = "Give the rater's email address, or choose them from the roster."
    elif len(email) > EMAIL_LENGTH:
        errors["email"] = f"An email address has at most {EMAIL_LENGTH} characters."
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter a valid email address."
    if not errors:
        # Someone on the roster nominated by email is the same person: link them, so
        # the one-group rule and the cap see one identity.
        employee = employed.filter(email__iexact=email).first()
        if employee is not None:
            return Person(employee, employee.full_name, email), "email"
    if not name:
        errors["name"] = "Give the rater's name."
    elif len(name) > NAME_LENGTH:
        errors["name"] = f"A name has at most {NAME_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    return Person(None, name, email), "email"


def _check_place(
    *,
    cycle: FeedbackCycle,
    subject: Enrollment,
    group: str,
    person: Person,
    field: str,
    exclude_pk: int | None = None,
) -> None:
    """Every rule a rater's place must meet. Raises ValidationError keyed by `group` or by
    `field` (where the person was given)."""
    if group not in RaterGroup.values:
        labels = ", ".join(str(label) for label in RaterGroup.labels)
        raise ValidationError({"group": f"Choose one of the groups: {labels}."})
    label = RaterGroup(group).label
    is_self = person.employee is not None and person.employee.pk == subject.employee_id
    if group == RaterGroup.SELF and not is_self:
        raise ValidationError({"group": "Only the learner answers as Self."})
    if is_self and group != RaterGroup.SELF:
        raise ValidationError({field: "The learner answers about themselves only as Self."})
    if group == RaterGroup.MANAGER and person.employee is None:
        raise ValidationError({field: "A manager must be chosen from the roster."})

    rows = RaterAssignment.objects.filter(cycle=cycle, status__in=ACTIVE_RATER_STATUSES).exclude(
        pk=exclude_pk
    )
    same = rows.filter(subject=subject, email__iexact=person.email).first()
    if same is not None:
        raise ValidationError(
            {
                field: f"{person.name} is already asked as {same.get_group_display()} for "
                f"{subject.employee.full_name}; a person sits in one group per learner."
            }
        )
    declined = RaterAssignment.objects.filter(
        cycle=cycle, subject=subject, email__iexact=person.email, status=RaterStatus.DECLINED
    ).exists()
    if declined:
        # They said no to this request; asking again would only send them another email.
        raise ValidationError(
            {field: f"{person.name} declined this request; please ask someone else."}
        )
    settings = selectors.feedback_settings(organization=cycle.organization)
    bounds = selectors.group_bounds(settings=settings)[group]
    in_group = rows.filter(subject=subject, group=group).count()
    if in_group >= bounds.maximum:
        raise ValidationError(
            {"group": f"{label} already has {in_group} raters, the most this group takes."}
        )
    if group in (RaterGroup.MANAGER, RaterGroup.SELF):
        return  # the cap exempts managers (and the learner themselves)
    cap = selectors.rater_cap(cycle=cycle, settings=settings)
    asked_by = (
        rows.filter(email__iexact=person.email)
        .exclude(group__in=[RaterGroup.MANAGER, RaterGroup.SELF])
        .exclude(subject=subject)
        .values("subject_id")
        .distinct()
        .count()
    )
    if asked_by >= cap:
        raise ValidationError(
            {
                field: f"{person.name} has already been asked by {asked_by} learners in this "
                f"cycle, the most one person may be asked ({cap}). Please choose someone else."
            }
        )


def _approved(actor: Actor, cycle: FeedbackCycle, subject: Enrollment, ids: list[int]) -> None:
    if ids:
        event_emit(
            name=RATERS_APPROVED,
            actor=actor,
            organization=cycle.organization,
            payload={"cycle_id": cycle.pk, "subject_id": subject.pk, "assignment_ids": ids},
        )


def _create(
    *,
    actor: Actor,
    cycle: FeedbackCycle,
    subject: Enrollment,
    group: str,
    person: Person,
    approve: bool,
    replaces: RaterAssignment | None = None,
) -> RaterAssignment:
    now = timezone.now()
    return RaterAssignment.objects.create(
        organization_id=cycle.organization_id,
        cycle=cycle,
        subject=subject,
        group=group,
        employee=person.employee,
        name=person.name,
        email=person.email,
        status=RaterStatus.APPROVED if approve else RaterStatus.NOMINATED,
        nominated_by=actor.user,
        approved_by=actor.user if approve else None,
        approved_at=now if approve else None,
        replaces=replaces,
    )


def rater_nominate(
    *,
    actor: Actor,
    cycle: FeedbackCycle,
    subject: Enrollment,
    group: str,
    employee_id: int | None = None,
    name: str = "",
    email: str = "",
) -> RaterAssignment:
    """Adds one rater for `subject`: a roster employee, or a name and email for someone
    outside it. The learner's own nominations await approval; a rater added by the line
    manager or L&D is approved at once (and RATERS_APPROVED is emitted).

    Raises ValidationError keyed by field (group, employee, name, email) when a rule is
    not met, PermissionDenied when the actor may not change this list; nothing is
    written then."""
    with transaction.atomic():
        cycle = _locked_cycle(cycle)
        role = _role(actor, subject)
        _check_open(cycle, subject)
        person, field = _person(cycle=cycle, employee_id=employee_id, name=name, email=email)
        _check_place(cycle=cycle, subject=subject, group=group, person=person, field=field)
        approve = role == "approver"
        row = _create(
            actor=actor, cycle=cycle, subject=subject, group=group, person=person, approve=approve
        )
        if approve:
            _approved(actor, cycle, subject, [row.pk])
        return row


def raters_nominate_proposed(
    *, actor: Actor, cycle: FeedbackCycle, subject: Enrollment
) -> list[RaterAssignment]:
    """Adds every proposed rater (see selectors.rater_proposals) at once, or none: when any
    cannot be added, raises one ValidationError naming each."""
    with transaction.atomic():
        cycle = _locked_cycle(cycle)
        _role(actor, subject)
        _check_open(cycle, subject)
        raters = selectors.subject_raters(cycle=cycle, subject=subject)
        proposals = selectors.rater_proposals(cycle=cycle, subject=subject, raters=raters)
        added, problems = [], []
        for p in proposals:
            try:
                added.append(
                    rater_nominate(
                        actor=actor,
                        cycle=cycle,
                        subject=subject,
                        group=p.group,
                        employee_id=p.employee_id,
                        name=p.name,
                        email=p.email,
                    )
                )
            except ValidationError as exc:
                problems += exc.messages
        if problems:
            raise ValidationError(problems)
        return added


def _active_row(actor: Actor, assignment: RaterAssignment) -> tuple[FeedbackCycle, str]:
    cycle = _locked_cycle(assignment.cycle)
    role = _role(actor, assignment.subject)
    _check_open(cycle, assignment.subject)
    # Locked, so a submission cannot land between this check and the write.
    current = RaterAssignment.objects.select_for_update().get(pk=assignment.pk)
    assignment.status, assignment.group = current.status, current.group
    if assignment.status not in ACTIVE_RATER_STATUSES:
        raise ValidationError(f"{assignment.name} is no longer on this list.")
    return cycle, role


def _invited_stays(assignment: RaterAssignment, *, field: str | None = None) -> None:
    """An invited rater keeps their place and group, whether or not they have answered:
    one rule and one message for both, so neither the learner, the line manager nor L&D
    can tell from a refusal who has answered."""
    if assignment.is_invited:
        message = (
            f"{assignment.name} has been invited; an invitation is not taken back, so "
            "their place and group stay."
        )
        raise ValidationError({field: message} if field else message)


def rater_change_group(*, actor: Actor, assignment: RaterAssignment, group: str) -> RaterAssignment:
    """Moves a rater to another group (line manager or L&D only). An invited rater keeps
    their group. Raises ValidationError keyed by `group`."""
    with transaction.atomic():
        cycle, role = _active_row(actor, assignment)
        if role != "approver":
            raise PermissionDenied("Only the line manager or L&D moves a rater.")
        _invited_stays(assignment, field="group")
        if group == assignment.group:
            return assignment
        person = Person(assignment.employee, assignment.name, assignment.email)
        _check_place(
            cycle=cycle,
            subject=assignment.subject,
            group=group,
            person=person,
            field="group",
            exclude_pk=assignment.pk,
        )
        assignment.group = group
        assignment.save(update_fields=["group"])
        return assignment


def rater_remove(*, actor: Actor, assignment: RaterAssignment) -> RaterAssignment:
    """Takes a rater off the list. The learner may withdraw their own nominations while
    they await approval; the line manager or L&D may remove any rater not yet invited."""
    with transaction.atomic():
        _cycle, role = _active_row(actor, assignment)
        _invited_stays(assignment)
        if role == "learner" and assignment.status != RaterStatus.NOMINATED:
            raise ValidationError(
                f"{assignment.name} is approved; ask your line manager to remove them."
            )
        assignment.status = RaterStatus.REMOVED
        assignment.save(update_fields=["status"])
        return assignment


def raters_approve(*, actor: Actor, cycle: FeedbackCycle, subject: Enrollment) -> list[int]:
    """Approves every rater of `subject` awaiting approval, once each group has its
    minimum. Returns the approved ids and emits RATERS_APPROVED with them. Raises
    ValidationError naming each group short of its minimum, or when nothing awaits."""
    with transaction.atomic():
        cycle = _locked_cycle(cycle)
        if _role(actor, subject) != "approver":
            raise PermissionDenied("Only the learner's line manager or L&D approves raters.")
        _check_open(cycle, subject)
        raters = selectors.subject_raters(cycle=cycle, subject=subject)
        waiting = [r.pk for r in raters if r.status == RaterStatus.NOMINATED]
        if not waiting:
            raise ValidationError("No raters await approval.")
        counts = selectors.active_counts(raters)
        bounds = selectors.group_bounds(
            settings=selectors.feedback_settings(organization=cycle.organization)
        )
        short = [
            f"{RaterGroup(group).label} need at least {b.minimum} "
            f"rater{'s' if b.minimum != 1 else ''}; {counts[group]} "
            f"{'is' if counts[group] == 1 else 'are'} nominated."
            for group, b in selectors.short_groups(counts=counts, bounds=bounds).items()
        ]
        if short:
            raise ValidationError(short)
        RaterAssignment.objects.filter(pk__in=waiting).update(
            status=RaterStatus.APPROVED, approved_by=actor.user, approved_at=timezone.now()
        )
        _approved(actor, cycle, subject, waiting)
        return waiting


def rater_replace(
    *,
    actor: Actor,
    declined: RaterAssignment,
    employee_id: int | None = None,
    name: str = "",
    email: str = "",
) -> RaterAssignment:
    """Nominates someone in place of a rater who declined, in the same group. The learner's
    replacement awaits approval; the approver's is approved at once. A declined rater is
    replaced once."""
    with transaction.atomic():
        cycle = _locked_cycle(declined.cycle)
        subject = declined.subject
        role = _role(actor, subject)
        _check_open(cycle, subject)
        declined = RaterAssignment.objects.select_for_update().get(pk=declined.pk)
        if declined.status != RaterStatus.DECLINED:
            raise ValidationError(f"{declined.name} has not declined, so needs no replacement.")
        if RaterAssignment.objects.filter(replaces=declined).exists():
            raise ValidationError(f"{declined.name} has already been replaced.")
        person, field = _person(cycle=cycle, employee_id=employee_id, name=name, email=email)
        _check_place(cycle=cycle, subject=subject, group=declined.group, person=person, field=field)
        approve = role == "approver"
        row = _create(
            actor=actor,
            cycle=cycle,
            subject=subject,
            group=declined.group,
            person=person,
            approve=approve,
            replaces=declined,
        )
        if approve:
            _approved(actor, cycle, subject, [row.pk])
        return row
