"""Organisation-scoped reads. Every function takes the organisation (or an Actor).

Querysets come back with their joins done, so a page makes the same number of
queries for 5 rows as for 500.
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from people.models import (
    ApiToken,
    DevMailboxMessage,
    Employee,
    EmployeeRecord,
    Job,
    Membership,
    Organization,
    RosterImport,
    RosterImportRow,
    Team,
    User,
)
from people.permissions import Actor, can_view_salary, employee_scope


@dataclass(frozen=True)
class OrgAccess:
    organization: Organization
    roles: frozenset[str]
    employee: Employee | None
    manages_people: bool


def org_access_for_user(*, user: User) -> dict[int, OrgAccess]:
    """Every organisation the user may enter, keyed by id, in two queries.

    A user enters an organisation through a role membership or through an active
    employee record (a line manager needs no role to see their reports). A person who
    has left an organisation loses every role there, whatever their memberships say;
    their access elsewhere is untouched.
    """
    return org_access_for_users(user_ids=[user.pk])[user.pk]


def org_access_for_users(*, user_ids: list[int]) -> dict[int, dict[int, OrgAccess]]:
    """org_access_for_user for many users at once, still in two queries."""
    roles: dict[tuple[int, int], set[str]] = {}
    orgs: dict[int, Organization] = {}
    for membership in Membership.objects.filter(user_id__in=user_ids).select_related(
        "organization"
    ):
        roles.setdefault((membership.user_id, membership.organization_id), set()).add(
            membership.role
        )
        orgs[membership.organization_id] = membership.organization
    employees = (
        Employee.objects.filter(user_id__in=user_ids)
        .select_related("organization")
        .annotate(
            manages=Exists(
                Employee.objects.filter(manager=OuterRef("pk")).filter(
                    # Close enough for "manages anyone": a report leaving today
                    # changes this at midnight UTC rather than local midnight.
                    employed_on_q(timezone.localdate())
                )
            )
        )
    )
    current: dict[tuple[int, int], Employee] = {}
    left: set[tuple[int, int]] = set()
    for employee in employees:
        key = (employee.user_id, employee.organization_id)
        orgs[employee.organization_id] = employee.organization
        if employee.is_employed_on(employee.organization.today()):
            current[key] = employee
        else:
            left.add(key)
    access: dict[int, dict[int, OrgAccess]] = {user_id: {} for user_id in user_ids}
    keys = sorted(set(roles) | set(current), key=lambda k: (k[0], orgs[k[1]].name))
    for key in keys:
        if key in left and key not in current:
            continue
        user_id, org_id = key
        employee = current.get(key)
        access[user_id][org_id] = OrgAccess(
            organization=orgs[org_id],
            roles=frozenset(roles.get(key, ())),
            employee=employee,
            manages_people=bool(employee and employee.manages),
        )
    return access


def employed_on_q(on: datetime.date) -> Q:
    """Employees still employed on `on` (leavers count until their last day)."""
    return Q(termination_date__isnull=True) | Q(termination_date__gt=on)


def employee_list(*, actor: Actor) -> QuerySet[Employee]:
    """Employees the actor may see: everyone for L&D managers, else self and direct reports.

    Each row carries `is_current` (employed today in the organisation's time zone).
    """
    today = actor.organization.today()
    qs = (
        Employee.objects.filter(organization=actor.organization)
        .select_related("team", "manager", "user")
        .annotate(is_current=ExpressionWrapper(employed_on_q(today), output_field=BooleanField()))
        .order_by("full_name", "id")
    )
    return qs.filter(employee_scope(actor).q())


def employee_search(
    *,
    actor: Actor,
    text: str = "",
    team_id: int | None = None,
    status: str = "active",
) -> QuerySet[Employee]:
    """The visible employees matching a search box, a team and a status
    ("active", "left" or "all")."""
    people = employee_list(actor=actor)
    if text:
        people = people.filter(
            Q(full_name__icontains=text)
            | Q(email__icontains=text)
            | Q(employee_id__iexact=text)
            | Q(job_title__icontains=text)
        )
    if team_id:
        people = people.filter(team_id=team_id)
    if status == "active":
        people = people.filter(is_current=True)
    elif status == "left":
        people = people.filter(is_current=False)
    return people


def member_user_or_none(*, organization: Organization, pk: int) -> User | None:
    """A user who holds any role in this organisation, else None."""
    return User.objects.filter(pk=pk, memberships__organization=organization).distinct().first()


def employee_get(*, actor: Actor, pk: int) -> Employee:
    """One visible employee; raises Employee.DoesNotExist (a 404) for anyone else's."""
    return employee_list(actor=actor).get(pk=pk)


def direct_reports(*, actor: Actor, of: Employee | None = None) -> QuerySet[Employee]:
    """Active direct reports of `of` (default: the actor). Only L&D managers may ask
    about someone else's reports; anyone else gets an empty list."""
    of = of or actor.employee
    if of is None or (of != actor.employee and not actor.is_lnd_manager):
        return Employee.objects.none()
    return (
        Employee.objects.filter(organization=actor.organization, manager=of)
        .filter(employed_on_q(actor.organization.today()))
        .select_related("team")
        .order_by("full_name", "id")
    )


def employee_for_user(*, organization: Organization, user: User) -> Employee | None:
    return Employee.objects.filter(organization=organization, user=user).first()


def memberships_of(*, organization: Organization, user: User | None) -> QuerySet[Membership]:
    if user is None:
        return Membership.objects.none()
    return Membership.objects.filter(organization=organization, user=user).order_by("role")


CHANGE_LABELS = {
    "team": "team",
    "manager": "manager",
    "job_title": "job title",
    "level": "level",
    "annual_salary": "pay",
    "is_top_performer": "top performer",
    "termination": "left",
}


def employee_history(*, actor: Actor, employee: Employee) -> list[EmployeeRecord]:
    """The person's dated HR records, newest first, each with `changes`: what changed,
    in words. Readers who may not see salaries learn nothing of pay: amounts are blanked,
    pay is left out of what changed, and a change of pay alone (a pay review) is not
    listed at all, rather than shown as a change of nothing."""
    records = list(
        EmployeeRecord.objects.filter(organization=actor.organization, employee=employee)
        .select_related("team", "manager")
        .order_by("-effective_date", "-id")
    )
    if not can_view_salary(actor):
        records = [r for r in records if r.changed_fields != ["annual_salary"]]
        for record in records:
            record.changed_fields = [f for f in record.changed_fields if f != "annual_salary"]
            record.annual_salary = None
    for record in records:
        record.changes = [CHANGE_LABELS.get(f, f) for f in record.changed_fields]
    return records


def team_list(*, organization: Organization) -> QuerySet[Team]:
    today = organization.today()
    return (
        Team.objects.filter(organization=organization)
        .select_related("lead")
        .annotate(
            member_count=Count(
                "members",
                filter=Q(members__termination_date__isnull=True)
                | Q(members__termination_date__gt=today),
            )
        )
        .order_by("name", "id")
    )


def team_get(*, organization: Organization, pk: int) -> Team:
    return team_list(organization=organization).get(pk=pk)


def team_members(*, team: Team) -> QuerySet[Employee]:
    return team.members.filter(employed_on_q(team.organization.today())).order_by("full_name")


def roster_counts(*, organization: Organization) -> dict[str, int]:
    today = organization.today()
    return Employee.objects.filter(organization=organization).aggregate(
        active=Count("pk", filter=employed_on_q(today)),
        terminated=Count("pk", filter=~employed_on_q(today)),
        with_login=Count("pk", filter=Q(user__isnull=False) & employed_on_q(today)),
    )


@dataclass(frozen=True)
class RosterEntry:
    employee_id: int
    team_id: int | None
    manager_id: int | None
    level: str
    job_title: str
    is_top_performer: bool


def roster_as_of(*, organization: Organization, on: datetime.date) -> dict[int, RosterEntry]:
    """Who was employed on `on`, with their team, manager and level that day.

    Built from the dated HR records in one query, so reports can ask about any past
    date, not just today.
    """
    records = (
        EmployeeRecord.objects.filter(organization=organization, effective_date__lte=on)
        .order_by("employee_id", "-effective_date", "-id")
        .values_list(
            "employee_id",
            "is_employed",
            "team_id",
            "manager_id",
            "level",
            "job_title",
            "is_top_performer",
        )
    )
    latest: dict[int, tuple] = {}
    for row in records.iterator(chunk_size=5000):
        latest.setdefault(row[0], row)
    return {
        emp_id: RosterEntry(
            employee_id=emp_id,
            team_id=row[2],
            manager_id=row[3],
            level=row[4],
            job_title=row[5],
            is_top_performer=row[6],
        )
        for emp_id, row in latest.items()
        if row[1]
    }


def reporting_lines_as_of(
    *, organization: Organization, on: datetime.date
) -> dict[int, int | None]:
    """Employee id -> manager id for everyone employed on `on`."""
    return {
        emp_id: entry.manager_id
        for emp_id, entry in roster_as_of(organization=organization, on=on).items()
    }


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("created_at", "id")
    )


def api_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own tokens for the current organisation."""
    return ApiToken.objects.filter(user=actor.user, organization=actor.organization).select_related(
        "organization"
    )


def job_list(*, organization: Organization) -> QuerySet[Job]:
    return Job.objects.filter(organization=organization)


def roster_import_list(*, organization: Organization) -> QuerySet[RosterImport]:
    return (
        RosterImport.objects.filter(organization=organization)
        .select_related("uploaded_by", "job")
        .defer("content")
    )


def roster_import_get(*, organization: Organization, pk: int) -> RosterImport:
    return roster_import_list(organization=organization).get(pk=pk)


def roster_import_rows(*, roster_import: RosterImport) -> QuerySet[RosterImportRow]:
    return roster_import.rows.all().order_by("row_number")


def dev_mailbox_messages() -> QuerySet[DevMailboxMessage]:
    return DevMailboxMessage.objects.all()


def organization_users(*, organization: Organization, role: str | None = None) -> QuerySet[User]:
    """Users holding any role here (or the given role), by name."""
    qs = User.objects.filter(memberships__organization=organization)
    if role:
        qs = qs.filter(memberships__role=role)
    return qs.distinct().order_by("full_name", "email")


def line_managers(*, organization: Organization) -> QuerySet[Employee]:
    """Everyone on the roster who manages someone, for filters."""
    return (
        Employee.objects.filter(organization=organization, direct_reports__isnull=False)
        .distinct()
        .order_by("full_name", "id")
    )


def employees_by_ids(*, organization: Organization, ids) -> list[Employee]:
    return list(Employee.objects.filter(organization=organization, pk__in=list(ids)))


def roster_has_others(*, actor: Actor) -> bool:
    """Whether the organisation's roster holds anyone besides the actor themselves: the
    sign that a roster has been imported (or people added). One query."""
    others = Employee.objects.filter(organization=actor.organization)
    if actor.employee_id is not None:
        others = others.exclude(pk=actor.employee_id)
    return others.exists()
