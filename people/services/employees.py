"""Teams, one person's roster record and its dated HR history, and closing leavers' logins."""

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from people import roster
from people.audit import audit_log
from people.models import (
    Employee,
    EmployeeRecord,
    Organization,
    RecordEvent,
    Team,
    User,
)
from people.permissions import Actor, require
from people.selectors import org_access_for_users
from people.services.tokens import TOKENS_REVOKED_LOGIN_DEACTIVATED, api_tokens_revoke_all

logger = logging.getLogger(__name__)


def roster_version_bump(organization: Organization) -> None:
    Organization.objects.filter(pk=organization.pk).update(roster_version=F("roster_version") + 1)


@transaction.atomic
def team_create(*, actor: Actor, name: str, lead: Employee | None = None) -> Team:
    require(actor, "manage_roster")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    if Team.objects.filter(organization=actor.organization, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a team called '{name}'."})
    if lead is not None and lead.organization_id != actor.organization.pk:
        raise ValidationError({"lead": "The lead must be on this organisation's roster."})
    team = Team.objects.create(organization=actor.organization, name=name, lead=lead)
    audit_log(organization=actor.organization, actor=actor.user, action="team.created", target=name)
    return team


@transaction.atomic
def team_update(*, actor: Actor, team: Team, name: str, lead: Employee | None) -> Team:
    require(actor, "manage_roster")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    clash = Team.objects.filter(organization=actor.organization, name__iexact=name).exclude(
        pk=team.pk
    )
    if clash.exists():
        raise ValidationError({"name": f"There is already a team called '{name}'."})
    if lead is not None and lead.organization_id != actor.organization.pk:
        raise ValidationError({"lead": "The lead must be on this organisation's roster."})
    renamed = team.name != name
    team.name, team.lead = name, lead
    team.save(update_fields=["name", "lead"])
    if renamed:
        # An import previewed against the old name must be checked again.
        roster_version_bump(actor.organization)
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="team.updated",
        target=name,
        detail={"team_id": team.pk, "renamed": renamed, "lead_id": lead.pk if lead else None},
    )
    return team


def record_from(
    employee: Employee, *, effective_date, event, changed_fields, source
) -> EmployeeRecord:
    return EmployeeRecord(
        organization_id=employee.organization_id,
        employee=employee,
        effective_date=effective_date,
        event=event,
        changed_fields=changed_fields,
        # A correction dated after someone left must not bring them back.
        is_employed=event != RecordEvent.TERMINATION
        and (employee.termination_date is None or employee.termination_date > effective_date),
        team_id=employee.team_id,
        manager_id=employee.manager_id,
        job_title=employee.job_title,
        level=employee.level,
        annual_salary=employee.annual_salary,
        is_top_performer=employee.is_top_performer,
        termination_reason=employee.termination_reason if event == RecordEvent.TERMINATION else "",
        source=source,
    )


def logins_deactivate(user_ids: set[int]) -> None:
    """Deactivates the logins of leavers who have no access left in any organisation.

    Leaving one organisation removes access there (org_access_for_user ignores a
    leaver's roles); the login itself only closes once nothing is left, so one
    organisation can never lock a person out of another.
    """
    if not user_ids:
        return
    access = org_access_for_users(user_ids=list(user_ids))
    closing = [user_id for user_id, orgs in access.items() if not orgs]
    closing_logins = User.objects.filter(pk__in=closing, is_superuser=False)
    # A bulk update sends no signal, so close the logins' tokens here: otherwise they
    # would work again if the person is ever given access back.
    api_tokens_revoke_all(
        user_ids=closing_logins.values("pk"), reason=TOKENS_REVOKED_LOGIN_DEACTIVATED
    )
    closing_logins.update(is_active=False)


def terminated_logins_deactivate() -> int:
    """Hourly: closes the logins of people whose last day has now passed."""
    # Any organisation's today is at most a day ahead of UTC's.
    horizon = timezone.now().date() + datetime.timedelta(days=1)
    candidates = Employee.objects.filter(
        termination_date__lte=horizon, user__isnull=False, user__is_active=True
    ).select_related("organization")
    user_ids = {e.user_id for e in candidates if not e.is_employed_on(e.organization.today())}
    before = User.objects.filter(pk__in=user_ids, is_active=True).count()
    logins_deactivate(user_ids)
    return before - User.objects.filter(pk__in=user_ids, is_active=True).count()


@transaction.atomic
def employee_update(
    *,
    actor: Actor,
    employee: Employee,
    team: Team | None,
    manager: Employee | None,
    job_title: str,
    level: str,
    annual_salary: Decimal | None,
    is_top_performer: bool,
    effective_date: datetime.date,
    termination_date: datetime.date | None = None,
    termination_reason: str = "",
) -> Employee:
    """Changes one person's HR record from the pages or the API, keeping dated history
    exactly as a roster import would: a change record from `effective_date`, a
    termination record, and the login closed once they have left everywhere."""
    require(actor, "manage_roster")
    org = actor.organization
    if employee.organization_id != org.pk:
        raise Employee.DoesNotExist
    errors: dict[str, str] = {}
    if team is not None and team.organization_id != org.pk:
        errors["team"] = "Choose a team of this organisation."
    if manager is not None and manager.organization_id != org.pk:
        errors["manager"] = "Choose a manager from this organisation's roster."
    elif manager is not None and manager.pk != employee.manager_id:
        # Locking the organisation serialises roster writes (imports lock it too), so two
        # edits at once cannot each close half of a loop.
        Organization.objects.select_for_update().values_list("pk", flat=True).get(pk=org.pk)
        problem = roster.manager_problem(
            person=employee.pk, manager=manager.pk, manager_of=_manager_of(org)
        )
        if problem:
            errors["manager"] = problem
    # The same rules, and the same words, as a roster import's rows.
    errors.update(
        roster.leaving_problems(
            has_leaving_date=termination_date is not None, termination_reason=termination_reason
        )
    )
    errors.update(
        roster.date_problems(
            hire_date=employee.hire_date,
            termination_date=termination_date,
            effective_date=effective_date,
        )
    )
    if annual_salary is not None and annual_salary < 0:
        errors["annual_salary"] = "A salary cannot be negative."
    if errors:
        raise ValidationError(errors)
    before = history_state(employee)
    was_terminated = employee.termination_date
    employee.team, employee.manager = team, manager
    employee.job_title, employee.level = job_title.strip(), level.strip()
    employee.annual_salary, employee.is_top_performer = annual_salary, is_top_performer
    employee.termination_date = termination_date
    employee.termination_reason = termination_reason
    employee.updated_at = timezone.now()
    employee.save()
    changed = [f for f in roster.TRACKED_FIELDS if before[f] != history_state(employee)[f]]
    records = []
    if changed:
        records.append(
            record_from(
                employee,
                effective_date=effective_date,
                event=RecordEvent.CHANGE,
                changed_fields=changed,
                source="edit",
            )
        )
    if termination_date and termination_date != was_terminated:
        if was_terminated:
            EmployeeRecord.objects.filter(
                employee=employee, event=RecordEvent.TERMINATION, effective_date=was_terminated
            ).delete()
        records.append(
            record_from(
                employee,
                effective_date=termination_date,
                event=RecordEvent.TERMINATION,
                changed_fields=["termination"],
                source="edit",
            )
        )
    EmployeeRecord.objects.bulk_create(records)
    roster_version_bump(org)
    if employee.user_id and termination_date and termination_date <= org.today():
        logins_deactivate({employee.user_id})
    audit_log(
        organization=org,
        actor=actor.user,
        action="employee.updated",
        target=employee.email,
        detail={"changed": changed, "terminated": bool(termination_date)},
    )
    return employee


def _manager_of(organization: Organization) -> dict[int, int | None]:
    """Who manages whom across the organisation, in one query, so a manager chain of any
    depth is walked without a query per level."""
    return dict(Employee.objects.filter(organization=organization).values_list("pk", "manager_id"))


HISTORY_ATTRS = {
    field: field + "_id" if field in ("team", "manager") else field
    for field in roster.TRACKED_FIELDS
}


def history_state(person: Employee) -> dict:
    """The fields an EmployeeRecord keeps, as they stand on `person` now."""
    return {field: getattr(person, attr) for field, attr in HISTORY_ATTRS.items()}
