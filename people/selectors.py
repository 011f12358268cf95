"""Organisation-scoped reads. Every function takes the organisation (or an Actor).

Querysets come back with their joins done, so a page makes the same number of
queries for 5 rows as for 500.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
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
from people.permissions import Actor


@dataclass(frozen=True)
class OrgAccess:
    organization: Organization
    roles: frozenset[str]
    employee: Employee | None
    manages_people: bool


def org_access_for_user(*, user: User) -> dict[int, OrgAccess]:
    """Every organisation the user may enter, keyed by id, in two queries.

    A user enters an organisation through a role membership or through an active
    employee record (a line manager needs no role to see their reports).
    """
    today = timezone.localdate()
    roles: dict[int, set[str]] = {}
    orgs: dict[int, Organization] = {}
    for membership in Membership.objects.filter(user=user).select_related("organization"):
        roles.setdefault(membership.organization_id, set()).add(membership.role)
        orgs[membership.organization_id] = membership.organization
    employees = (
        Employee.objects.filter(user=user)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gt=today))
        .select_related("organization")
        .annotate(
            manages=Exists(
                Employee.objects.filter(manager=OuterRef("pk")).filter(
                    Q(termination_date__isnull=True) | Q(termination_date__gt=today)
                )
            )
        )
    )
    by_org = {}
    for employee in employees:
        by_org[employee.organization_id] = employee
        orgs[employee.organization_id] = employee.organization
    return {
        org_id: OrgAccess(
            organization=org,
            roles=frozenset(roles.get(org_id, ())),
            employee=by_org.get(org_id),
            manages_people=bool(by_org.get(org_id) and by_org[org_id].manages),
        )
        for org_id, org in sorted(orgs.items(), key=lambda item: item[1].name)
    }


def _active_q(on: datetime.date) -> Q:
    return Q(termination_date__isnull=True) | Q(termination_date__gt=on)


def employee_list(*, actor: Actor) -> QuerySet[Employee]:
    """Employees the actor may see: everyone for L&D managers, else self and reports."""
    qs = Employee.objects.filter(organization=actor.organization).select_related(
        "team", "manager", "user"
    )
    if actor.is_lnd_manager:
        return qs
    if actor.employee is None:
        return qs.none()
    return qs.filter(Q(pk=actor.employee.pk) | Q(manager_id=actor.employee.pk))


def employee_get(*, actor: Actor, pk: int) -> Employee:
    """One visible employee; raises Employee.DoesNotExist (a 404) for anyone else's."""
    return employee_list(actor=actor).get(pk=pk)


def direct_reports(*, actor: Actor) -> QuerySet[Employee]:
    if actor.employee is None:
        return Employee.objects.none()
    return (
        Employee.objects.filter(organization=actor.organization, manager=actor.employee)
        .filter(_active_q(timezone.localdate()))
        .select_related("team")
    )


def employee_history(*, actor: Actor, employee: Employee) -> QuerySet[EmployeeRecord]:
    return (
        EmployeeRecord.objects.filter(organization=actor.organization, employee=employee)
        .select_related("team", "manager")
        .order_by("-effective_date", "-id")
    )


def team_list(*, organization: Organization) -> QuerySet[Team]:
    today = timezone.localdate()
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
    )


def team_get(*, organization: Organization, pk: int) -> Team:
    return team_list(organization=organization).get(pk=pk)


def team_members(*, team: Team) -> QuerySet[Employee]:
    return team.members.filter(_active_q(timezone.localdate())).order_by("full_name")


def roster_counts(*, organization: Organization) -> dict[str, int]:
    today = timezone.localdate()
    return Employee.objects.filter(organization=organization).aggregate(
        active=Count("pk", filter=_active_q(today)),
        terminated=Count("pk", filter=~_active_q(today)),
        with_login=Count("pk", filter=Q(user__isnull=False) & _active_q(today)),
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
    return Membership.objects.filter(organization=organization).select_related("user")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).select_related("organization")


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
