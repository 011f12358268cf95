"""What Lodestar holds about one person, and how it is exported or erased.

Each app registers a handler in AppConfig.ready() saying what it holds about a person
and how to export and erase it, so people (the lowest floor) can answer a request
without knowing the higher apps. A person is found by organisation and email, so people
known only by email (an external reviewer, later) are covered too. Erasure removes
names, emails and free text a person wrote or that was written about them; numbers that
aggregates use (progress, scores) stay, tied to ids only.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from people.audit import audit_log
from people.models import Employee, Organization, User
from people.permissions import Actor, require


@dataclass(frozen=True)
class Subject:
    """The person a request is about, in one organisation."""

    organization: Organization
    email: str
    employee: Employee | None
    user: User | None


@dataclass(frozen=True)
class PersonalDataHandler:
    app: str
    floor: int
    # In plain words, for the privacy page and the export itself.
    holds: str
    export: Callable[[Subject], dict]
    # Returns how many rows it changed or removed.
    erase: Callable[[Subject], int]


HANDLERS: list[PersonalDataHandler] = []


def register_personal_data(
    *,
    app: str,
    floor: int,
    holds: str,
    export: Callable[[Subject], dict],
    erase: Callable[[Subject], int],
) -> None:
    if any(h.app == app for h in HANDLERS):
        return
    HANDLERS.append(PersonalDataHandler(app, floor, holds, export, erase))
    HANDLERS.sort(key=lambda h: h.floor)


def subject_find(*, organization: Organization, email: str) -> Subject:
    email = email.strip().lower()
    employee = (
        Employee.objects.filter(organization=organization, email__iexact=email)
        .select_related("user")
        .first()
    )
    user = employee.user if employee and employee.user else None
    if user is None:
        user = User.objects.filter(
            email__iexact=email, memberships__organization=organization
        ).first()
    return Subject(organization=organization, email=email, employee=employee, user=user)


def personal_data_export(*, actor: Actor, email: str) -> dict:
    """Everything each app holds about the person with this email here, by app. L&D
    managers only; audited (who asked, about whom, never the data)."""
    require(actor, "manage_roster")
    subject = subject_find(organization=actor.organization, email=email)
    data = {
        handler.app: {"holds": handler.holds, "data": handler.export(subject)}
        for handler in HANDLERS
    }
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="personal_data.exported",
        target=subject.email,
        detail={"apps": [h.app for h in HANDLERS]},
    )
    return data


@transaction.atomic
def personal_data_erase(*, actor: Actor, email: str) -> dict[str, int]:
    """Erases what each app holds about the person, highest floor first (their data may
    point at people's rows), all in one transaction. Returns rows changed per app."""
    require(actor, "manage_roster")
    subject = subject_find(organization=actor.organization, email=email)
    counts = {handler.app: handler.erase(subject) for handler in reversed(HANDLERS)}
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="personal_data.erased",
        target=f"person #{subject.employee.pk if subject.employee else '-'}",
        detail={"rows": counts},
    )
    return counts


# --- What people itself holds -------------------------------------------------------


def _people_export(subject: Subject) -> dict:
    employee, user = subject.employee, subject.user
    out: dict = {"login": None, "roster_record": None, "history": [], "roles": [], "tokens": []}
    if user is not None:
        out["login"] = {
            "email": user.email,
            "full_name": user.full_name,
            "last_login": user.last_login,
            "is_active": user.is_active,
        }
        out["roles"] = sorted(
            user.memberships.filter(organization=subject.organization).values_list(
                "role", flat=True
            )
        )
        out["tokens"] = list(
            user.api_tokens.filter(organization=subject.organization).values(
                "name", "created_at", "last_used_at", "revoked_at"
            )
        )
    if employee is not None:
        out["roster_record"] = {
            "full_name": employee.full_name,
            "email": employee.email,
            "employee_id": employee.employee_id,
            "job_title": employee.job_title,
            "level": employee.level,
            "team": employee.team.name if employee.team else None,
            "manager": employee.manager.full_name if employee.manager else None,
            "hire_date": employee.hire_date,
            "termination_date": employee.termination_date,
            "annual_salary": employee.annual_salary,
            "time_zone": employee.time_zone,
        }
        out["history"] = list(
            employee.records.order_by("effective_date", "id").values(
                "effective_date", "event", "job_title", "level", "annual_salary"
            )
        )
    return out


def _people_erase(subject: Subject) -> int:
    from people.models import AuditEntry

    changed = 0
    employee, user = subject.employee, subject.user
    names = {subject.email}
    if employee is not None:
        names |= {employee.full_name, employee.email}
        label = f"Erased person #{employee.pk}"
        employee.full_name, employee.email = label, f"erased-{employee.pk}@erased.invalid"
        employee.employee_id, employee.job_title = f"erased-{employee.pk}", ""
        employee.save(update_fields=["full_name", "email", "employee_id", "job_title"])
        changed += 1
    if user is not None:
        names |= {user.full_name, user.email}
        # A login shared with another organisation keeps working there: only this
        # organisation's roles and tokens go.
        changed += user.memberships.filter(organization=subject.organization).delete()[0]
        changed += user.api_tokens.filter(organization=subject.organization).delete()[0]
    changed += AuditEntry.objects.filter(
        organization=subject.organization, target__in=[n for n in names if n]
    ).update(target="erased person")
    return changed


def register_people_handler() -> None:
    register_personal_data(
        app="people",
        floor=1,
        holds="Login, roles, API tokens, the roster record and its dated HR history "
        "(salary included).",
        export=_people_export,
        erase=_people_erase,
    )
