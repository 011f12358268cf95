"""Reads for rater nomination and approval, scoped by organisation and by
feedback360.permissions.nomination. Every list and detail lookup here goes through the
same Scope, so a page, the API and a service see the same raters."""

import datetime
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import QuerySet

from feedback360.models import (
    ACTIVE_RATER_STATUSES,
    CyclePhase,
    CycleStatus,
    FeedbackCycle,
    FeedbackSettings,
    RaterAssignment,
    RaterGroup,
    RaterStatus,
)
from feedback360.permissions.nomination import (
    approvable_q,
    nominate_scope,
    on_assignments,
    raters_scope,
)
from feedback360.selectors.settings import feedback_settings
from people.models import Employee, Organization
from people.permissions import Actor
from people.selectors import employed_on_q, roster_as_of
from programs.models import Enrollment, EnrollmentStatus

# Which active raters have been approved (or gone further): the rest await approval.
APPROVED_STATUSES = (RaterStatus.APPROVED, RaterStatus.INVITED, RaterStatus.SUBMITTED)


@dataclass(frozen=True)
class GroupBounds:
    minimum: int
    maximum: int


def group_bounds(*, settings: FeedbackSettings) -> dict[str, GroupBounds]:
    """How many raters each group takes. Self is the learner alone; a matrix organisation
    may name a second manager; direct reports have no minimum, since a learner may have
    none."""
    return {
        RaterGroup.SELF: GroupBounds(0, 1),
        RaterGroup.MANAGER: GroupBounds(0, 2),
        RaterGroup.PEER: GroupBounds(settings.peers_min, settings.peers_max),
        RaterGroup.DIRECT_REPORT: GroupBounds(0, settings.direct_reports_max),
        RaterGroup.STAKEHOLDER: GroupBounds(settings.stakeholders_min, settings.stakeholders_max),
    }


def short_groups(
    *, counts: Mapping[str, int], bounds: dict[str, GroupBounds]
) -> dict[str, GroupBounds]:
    """The groups with fewer raters than their minimum, in group order: what blocks
    approval, what the learner's list marks and what their to-do names."""
    return {group: b for group, b in bounds.items() if counts.get(group, 0) < b.minimum}


def rater_cap(*, cycle: FeedbackCycle, settings: FeedbackSettings | None = None) -> int:
    """How many learners may ask one person in this cycle: the cycle's own copy once it
    has opened, the organisation's setting before."""
    if cycle.rater_cap:
        return cycle.rater_cap
    settings = settings or feedback_settings(organization=cycle.organization)
    return settings.rater_cap


def _cycles(actor: Actor) -> QuerySet[FeedbackCycle]:
    return FeedbackCycle.objects.filter(organization=actor.organization).select_related(
        "cohort", "cohort__program"
    )


def cycle_get(*, actor: Actor, pk: int) -> FeedbackCycle:
    """A cycle of the actor's organisation. Raises FeedbackCycle.DoesNotExist otherwise."""
    return _cycles(actor).get(pk=pk)


def subject_get(*, actor: Actor, cycle: FeedbackCycle, pk: int) -> Enrollment:
    """A learner of the cycle's cohort whose raters the actor may see. Raises
    Enrollment.DoesNotExist for anyone else, so another learner's list is a 404."""
    return (
        Enrollment.objects.filter(raters_scope(actor).q(), cohort_id=cycle.cohort_id)
        .select_related("employee", "cohort")
        .get(pk=pk)
    )


def own_subject_get(*, actor: Actor, cycle: FeedbackCycle) -> Enrollment:
    """The actor's own active enrolment in the cycle's cohort. Raises
    Enrollment.DoesNotExist when they are not its learner."""
    return (
        Enrollment.objects.filter(
            nominate_scope(actor).q(), cohort_id=cycle.cohort_id, status=EnrollmentStatus.ACTIVE
        )
        .select_related("employee", "cohort")
        .get()
    )


def assignments_visible(*, actor: Actor) -> QuerySet[RaterAssignment]:
    """Every rater assignment the actor may see (API list and detail)."""
    return (
        RaterAssignment.objects.filter(
            on_assignments(raters_scope(actor)).q(), organization=actor.organization
        )
        .select_related("cycle", "subject__employee", "employee", "replaces")
        .order_by("cycle_id", "subject_id", "group", "name", "id")
    )


def assignment_get(*, actor: Actor, pk: int) -> RaterAssignment:
    """One visible assignment. Raises RaterAssignment.DoesNotExist otherwise."""
    return assignments_visible(actor=actor).get(pk=pk)


def subject_raters(*, cycle: FeedbackCycle, subject: Enrollment) -> list[RaterAssignment]:
    """Every rater row of one learner in one cycle, removed and declined included (the
    page shows who declined and whether they were replaced). The caller has looked up
    `subject` through a scoped selector. Two queries, whatever the number of raters."""
    return list(
        RaterAssignment.objects.filter(cycle=cycle, subject=subject)
        .select_related("employee", "replaces")
        .prefetch_related("replaced_by")
        .order_by("group", "name", "id")
    )


def active_counts(raters: list[RaterAssignment]) -> Counter:
    """Raters holding a place, per group."""
    return Counter(r.group for r in raters if r.status in ACTIVE_RATER_STATUSES)


def rater_candidates(*, organization: Organization, on: datetime.date) -> QuerySet[Employee]:
    """The roster a learner picks raters from: everyone employed on `on`, by name. Only
    names, titles and teams are shown from it."""
    return (
        Employee.objects.filter(employed_on_q(on), organization=organization)
        .select_related("team")
        .only("id", "full_name", "email", "job_title", "team__name")
        .order_by("full_name", "id")
    )


@dataclass(frozen=True)
class Proposal:
    group: str
    employee_id: int | None
    name: str
    email: str

    @property
    def group_label(self) -> str:
        return RaterGroup(self.group).label


def rater_proposals(
    *, cycle: FeedbackCycle, subject: Enrollment, raters: list[RaterAssignment]
) -> list[Proposal]:
    """Whom the learner is offered before they choose: for a pre cycle, themselves, their
    manager and their direct reports from the HR history as of the cycle's opening date;
    for a post cycle, the pre cycle's raters again. People already holding a place in
    `raters` (the learner's current rows) are left out."""
    taken = {r.email.lower() for r in raters if r.status in ACTIVE_RATER_STATUSES}
    proposals: list[Proposal] = []
    if cycle.phase == CyclePhase.POST:
        before = RaterAssignment.objects.filter(
            cycle__cohort_id=cycle.cohort_id,
            cycle__phase=CyclePhase.PRE,
            subject_id=subject.pk,
            status__in=APPROVED_STATUSES,
        ).order_by("group", "name", "id")
        proposals = [Proposal(r.group, r.employee_id, r.name, r.email) for r in before]
    else:
        roster = roster_as_of(organization=cycle.organization, on=cycle.opens_on)
        me = subject.employee_id
        entry = roster.get(me)
        wanted = {me: RaterGroup.SELF}
        if entry and entry.manager_id:
            wanted[entry.manager_id] = RaterGroup.MANAGER
        for emp_id, e in roster.items():
            if e.manager_id == me and emp_id != me:
                wanted.setdefault(emp_id, RaterGroup.DIRECT_REPORT)
        people = Employee.objects.filter(organization=cycle.organization, pk__in=wanted).order_by(
            "full_name", "id"
        )
        order = list(RaterGroup.values)
        proposals = sorted(
            (Proposal(wanted[p.pk], p.pk, p.full_name, p.email.lower()) for p in people),
            key=lambda p: (order.index(p.group), p.name),
        )
    # Someone who has left since (a pre-cycle rater, a report on the opening date) can no
    # longer be asked; offering them would make "add everyone proposed" fail for all.
    on_roster = {p.employee_id for p in proposals if p.employee_id is not None}
    employed = set(
        Employee.objects.filter(
            employed_on_q(cycle.organization.today()), pk__in=on_roster
        ).values_list("pk", flat=True)
    )
    return [
        p
        for p in proposals
        if p.email.lower() not in taken and (p.employee_id is None or p.employee_id in employed)
    ]


@dataclass
class SubjectRow:
    """One learner's nomination in one cycle, as an approval list shows it."""

    cycle: FeedbackCycle
    subject: Enrollment
    counts: Counter = field(default_factory=Counter)
    awaiting: int = 0
    declined_unreplaced: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def per_group(self) -> list[int]:
        return [self.counts[g] for g in RaterGroup.values]


def nomination_overview(*, actor: Actor, awaiting_only: bool = False) -> list[SubjectRow]:
    """Learners of cycles that are not closed whose raters the actor approves (their
    current reports; everyone for L&D managers), with the raters per group and how many
    await approval. Two queries, whatever the number of learners and raters."""
    subjects = (
        Enrollment.objects.filter(
            approvable_q(actor),
            status=EnrollmentStatus.ACTIVE,
            cohort__feedback_cycles__status__in=[CycleStatus.SCHEDULED, CycleStatus.OPEN],
        )
        .select_related("employee")
        .distinct()
    )
    cycles = {
        c.pk: c
        for c in _cycles(actor)
        .filter(
            status__in=[CycleStatus.SCHEDULED, CycleStatus.OPEN],
            cohort__enrollments__in=subjects,
        )
        .distinct()
    }
    by_subject = {s.pk: s for s in subjects}
    rows: dict[tuple[int, int], SubjectRow] = {}
    for cycle in cycles.values():
        for subject in by_subject.values():
            if subject.cohort_id == cycle.cohort_id:
                rows[(cycle.pk, subject.pk)] = SubjectRow(cycle=cycle, subject=subject)
    raters = RaterAssignment.objects.filter(
        cycle_id__in=list(cycles), subject_id__in=list(by_subject)
    ).values_list("cycle_id", "subject_id", "group", "status", "replaced_by")
    for cycle_id, subject_id, group, status, replaced_by in raters:
        row = rows.get((cycle_id, subject_id))
        if row is None:
            continue
        if status in ACTIVE_RATER_STATUSES:
            row.counts[group] += 1
        if status == RaterStatus.NOMINATED:
            row.awaiting += 1
        if status == RaterStatus.DECLINED and replaced_by is None:
            row.declined_unreplaced += 1
    result = sorted(
        rows.values(),
        key=lambda r: (r.cycle.opens_on, r.cycle.pk, r.subject.employee.full_name, r.subject.pk),
    )
    if awaiting_only:
        result = [r for r in result if r.awaiting]
    return result


@dataclass
class OwnNomination:
    """The learner's own rater list in one cycle, as their home page sums it up."""

    cycle: FeedbackCycle
    subject: Enrollment
    counts: Counter = field(default_factory=Counter)
    awaiting: int = 0
    asked: int = 0
    answered: int = 0
    declined_unreplaced: int = 0


def own_nominations(*, actor: Actor) -> list[OwnNomination]:
    """The actor's own rater lists in cycles that are not closed: one per cycle of a
    cohort they are actively enrolled in. Two queries."""
    subjects = {
        s.cohort_id: s
        for s in Enrollment.objects.filter(
            nominate_scope(actor).q(), status=EnrollmentStatus.ACTIVE
        ).select_related("employee")
    }
    if not subjects:
        return []
    cycles = _cycles(actor).filter(
        cohort_id__in=list(subjects), status__in=[CycleStatus.SCHEDULED, CycleStatus.OPEN]
    )
    rows = {c.pk: OwnNomination(cycle=c, subject=subjects[c.cohort_id]) for c in cycles}
    raters = RaterAssignment.objects.filter(
        cycle_id__in=list(rows), subject_id__in=[s.pk for s in subjects.values()]
    ).values_list("cycle_id", "subject_id", "group", "status", "replaced_by")
    for cycle_id, subject_id, group, status, replaced_by in raters:
        row = rows[cycle_id]
        if row.subject.pk != subject_id:
            continue
        if status in ACTIVE_RATER_STATUSES:
            row.counts[group] += 1
        if status == RaterStatus.NOMINATED:
            row.awaiting += 1
        if status in (RaterStatus.INVITED, RaterStatus.SUBMITTED) and group != RaterGroup.SELF:
            row.asked += 1
            row.answered += status == RaterStatus.SUBMITTED
        if status == RaterStatus.DECLINED and replaced_by is None:
            row.declined_unreplaced += 1
    return sorted(rows.values(), key=lambda r: (r.cycle.opens_on, r.cycle.pk))


def shown_status(assignment: RaterAssignment) -> str:
    """A rater's status as the learner, their line manager and L&D see it: answered reads
    as invited, so nobody learns who answered (only how many, in the response counts)."""
    if assignment.status == RaterStatus.SUBMITTED:
        return RaterStatus.INVITED
    return assignment.status
