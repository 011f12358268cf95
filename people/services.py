"""Every write in people/: organisations, memberships, the roster, tokens, jobs."""

import datetime
import hashlib
import logging
import secrets
import zoneinfo
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from people import bounds, roster
from people.jobs import JOB_KINDS, enqueue_on_commit, jobs_failed
from people.models import (
    ApiToken,
    AuditEntry,
    Employee,
    EmployeeRecord,
    ImportStatus,
    Job,
    JobStatus,
    Membership,
    Organization,
    RecordEvent,
    Role,
    RosterImport,
    RosterImportRow,
    RowAction,
    Team,
    User,
)
from people.permissions import Actor, require
from people.selectors import org_access_for_users
from people.signals import organization_created

logger = logging.getLogger(__name__)


# --- Audit ------------------------------------------------------------------


def audit_log(
    *,
    organization: Organization | None,
    actor: User | None,
    action: str,
    target: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Records who did what. `detail` carries counts and ids, never sensitive values."""
    return AuditEntry.objects.create(
        organization=organization,
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        target=target[:200],
        detail=detail or {},
    )


# --- Organisations and logins -------------------------------------------------


def invitation_send(*, user: User, organization: Organization) -> None:
    """Emails a link to choose a password (the password-reset flow, worded as a welcome),
    or, to someone who already has a password, a note that they now have access."""
    if user.has_usable_password():
        send_mail(
            subject=f"You now have access to Lodestar at {organization.name}",
            message=render_to_string(
                "people/email/access_granted.txt",
                {"user": user, "organization": organization, "link": settings.LODESTAR_BASE_URL},
            ),
            from_email=None,
            recipient_list=[user.email],
        )
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.LODESTAR_BASE_URL.rstrip("/") + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )
    body = render_to_string(
        "people/email/invitation.txt",
        {"user": user, "organization": organization, "link": link},
    )
    send_mail(
        subject=f"You're invited to Lodestar at {organization.name}",
        message=body,
        from_email=None,
        recipient_list=[user.email],
    )


def user_get_or_create(*, email: str, full_name: str = "") -> tuple[User, bool]:
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    return User.objects.create_user(email=email, full_name=full_name), True


@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    time_zone: str,
    currency: str,
    lnd_manager_email: str,
    lnd_manager_name: str = "",
    created_by: User | None = None,
    send_invitation: bool = True,
) -> tuple[Organization, User]:
    """Creates an organisation and its first L&D manager, and invites that person.

    Raises ValidationError (keyed by field) for a taken slug or a bad time zone or
    currency. Subscribers of `organization_created` seed their content on commit.
    """
    errors = {}
    if Organization.objects.filter(slug=slug).exists():
        errors["slug"] = f"The short name '{slug}' is already taken."
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = "Use a three-letter ISO currency code, e.g. EUR."
    org = Organization(name=name, slug=slug, time_zone=time_zone, currency=currency.upper())
    try:
        org.full_clean(exclude=["slug"] if "slug" in errors else None)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    org.save()
    user, _ = user_get_or_create(email=lnd_manager_email, full_name=lnd_manager_name)
    Membership.objects.create(organization=org, user=user, role=Role.LND_MANAGER)
    audit_log(
        organization=org,
        actor=created_by,
        action="organization.created",
        target=org.slug,
        detail={"lnd_manager_user_id": user.pk},
    )
    transaction.on_commit(lambda: organization_created.send(sender=Organization, organization=org))
    if send_invitation and not user.has_usable_password():
        transaction.on_commit(lambda: invitation_send(user=user, organization=org))
    return org, user


@transaction.atomic
def membership_grant(*, actor: Actor, user: User, role: str) -> Membership:
    require(actor, "manage_memberships")
    if role not in Role.values:
        raise ValidationError({"role": f"'{role}' is not a role."})
    membership, created = Membership.objects.get_or_create(
        organization=actor.organization, user=user, role=role
    )
    if created:
        audit_log(
            organization=actor.organization,
            actor=actor.user,
            action="membership.granted",
            target=user.email,
            detail={"role": role},
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Actor, membership: Membership) -> None:
    """Removes a role. The last L&D manager cannot remove themselves: nobody could add one back."""
    require(actor, "manage_memberships")
    if membership.organization_id != actor.organization.pk:
        raise Membership.DoesNotExist
    if membership.role == Role.LND_MANAGER:
        others = (
            Membership.objects.select_for_update()
            .filter(organization=actor.organization, role=Role.LND_MANAGER)
            .exclude(pk=membership.pk)
        )
        if not others.exists():
            raise ValidationError({"role": "An organisation needs at least one L&D manager."})
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="membership.revoked",
        target=membership.user.email,
        detail={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def employee_access_grant(
    *, actor: Actor, employee: Employee, roles: list[str], notify: bool = True
) -> User:
    """Gives a roster person a login in this organisation with the given roles.

    Creates the user if needed (or links the existing login with that email), links
    it to the employee record and emails the person: an invitation to choose a
    password, or a note that this organisation gave them access. Leaving another
    organisation never blocks this one, and this one cannot revive access elsewhere:
    access is decided per organisation (selectors.org_access_for_user).
    """
    require(actor, "manage_memberships")
    if employee.organization_id != actor.organization.pk:
        raise Employee.DoesNotExist
    if not employee.is_active:
        raise ValidationError({"employee": f"{employee.full_name} has left the organisation."})
    bad = [role for role in roles if role not in Role.values]
    if bad:
        raise ValidationError({"roles": f"Unknown role(s): {', '.join(bad)}."})
    user = employee.user
    if user is None:
        user, _ = user_get_or_create(email=employee.email, full_name=employee.full_name)
        if Employee.objects.filter(organization=actor.organization, user=user).exists():
            raise ValidationError(
                {"employee": f"{user.email} already signs in as another roster person."}
            )
        employee.user = user
        employee.save(update_fields=["user"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    for role in roles:
        membership_grant(actor=actor, user=user, role=role)
    if notify:
        transaction.on_commit(lambda: invitation_send(user=user, organization=actor.organization))
    return user


@transaction.atomic
def employees_access_grant(
    *, actor: Actor, employees: list[Employee], role: str, notify: bool = True
) -> None:
    """employee_access_grant for many people at once, in a fixed number of queries: used
    when a whole cohort is enrolled. Leavers are refused as a group."""
    if role not in Role.values:
        raise ValidationError({"roles": f"Unknown role: {role}."})
    if any(e.organization_id != actor.organization.pk for e in employees):
        raise Employee.DoesNotExist
    today = actor.organization.today()
    gone = [e.full_name for e in employees if not e.is_employed_on(today)]
    if gone:
        raise ValidationError({"employee": f"{', '.join(gone)} left the organisation."})
    missing = [e for e in employees if e.user_id is None]
    if missing:
        by_email = {
            u.email: u for u in User.objects.filter(email__in=[e.email.lower() for e in missing])
        }
        new_users = []
        for employee in missing:
            if employee.email.lower() not in by_email:
                user = User(email=employee.email.lower(), full_name=employee.full_name)
                user.set_unusable_password()
                by_email[user.email] = user
                new_users.append(user)
        User.objects.bulk_create(new_users)
        by_email = {
            u.email: u for u in User.objects.filter(email__in=[e.email.lower() for e in missing])
        }
        taken = set(
            Employee.objects.filter(
                organization=actor.organization, user__in=list(by_email.values())
            ).values_list("user_id", flat=True)
        )
        clash = [e.email for e in missing if by_email[e.email.lower()].pk in taken]
        if clash:
            raise ValidationError(
                {"employee": f"Already sign in as another roster person: {', '.join(clash)}."}
            )
        for employee in missing:
            employee.user = by_email[employee.email.lower()]
        Employee.objects.bulk_update(missing, ["user"])
    user_ids = [e.user_id for e in employees]
    User.objects.filter(pk__in=user_ids, is_active=False).update(is_active=True)
    have = set(
        Membership.objects.filter(
            organization=actor.organization, role=role, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )
    Membership.objects.bulk_create(
        Membership(organization=actor.organization, user_id=uid, role=role)
        for uid in dict.fromkeys(user_ids)
        if uid not in have
    )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="membership.granted",
        target=f"{len(user_ids)} people",
        detail={"role": role, "count": len(user_ids)},
    )
    if notify:
        users = list(User.objects.filter(pk__in=[uid for uid in user_ids if uid not in have]))
        transaction.on_commit(
            lambda: [invitation_send(user=u, organization=actor.organization) for u in users]
        )


# --- Teams and employees --------------------------------------------------------


def _bump_roster_version(organization: Organization) -> None:
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
        _bump_roster_version(actor.organization)
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="team.updated",
        target=name,
        detail={"team_id": team.pk, "renamed": renamed, "lead_id": lead.pk if lead else None},
    )
    return team


def _record_from(
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


def _deactivate_logins(user_ids: set[int]) -> None:
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
    _deactivate_logins(user_ids)
    return before - User.objects.filter(pk__in=user_ids, is_active=True).count()


# --- Roster import ----------------------------------------------------------------


def roster_import_start(*, actor: Actor, filename: str, content: bytes) -> RosterImport:
    """Stores an uploaded roster file and queues its check. Nothing on the roster changes.

    Raises ValidationError({"file": ...}) for a file that is too large.
    """
    require(actor, "manage_roster")
    if len(content) > settings.LODESTAR_IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": f"The file is {len(content) // 1024} KB; the limit is "
                f"{settings.LODESTAR_IMPORT_MAX_BYTES // 1024} KB."
            }
        )
    with transaction.atomic():
        job = Job.objects.create(
            organization=actor.organization,
            kind="roster_import.parse",
            created_by=actor.user,
            message="Waiting for a worker",
        )
        batch = RosterImport.objects.create(
            organization=actor.organization,
            uploaded_by=actor.user,
            filename=bounds.clean_filename(filename),
            content=content,
            job=job,
        )
        enqueue_on_commit(job_id=job.pk, kind=job.kind)
    return batch


def roster_import_parse(
    *, roster_import: RosterImport, progress: Callable[[int, str], None]
) -> None:
    """Reads and checks the file, then stores every row with its errors as the preview.

    Runs outside a transaction (it may take a while) and writes its result in one
    short atomic step, only while the import is still being checked: a late or
    repeated run never overwrites an import that was already previewed, applied or
    discarded.
    """
    org = roster_import.organization
    progress(2, "Reading the file")
    version = Organization.objects.values_list("roster_version", flat=True).get(pk=org.pk)
    file_errors: list[str] = []
    warnings: list[str] = []
    checks: list[roster.RowCheck] = []
    try:
        parsed = roster.read_roster_file(
            filename=roster_import.filename,
            content=bytes(roster_import.content),
            max_rows=settings.LODESTAR_IMPORT_MAX_ROWS,
        )
    except roster.RosterFileError as exc:
        file_errors.append(str(exc))
    else:
        warnings = parsed.warnings
        employees = list(Employee.objects.filter(organization=org))
        teams = list(Team.objects.filter(organization=org))
        total = max(len(parsed.rows) * 2, 1)
        checks = roster.check_rows(
            rows=parsed.rows,
            employees=employees,
            teams=teams,
            progress=lambda done, _total: progress(
                5 + int(85 * done / total), f"Checked {done // 2} of {len(parsed.rows)} rows"
            ),
        )
    counts = {action: 0 for action in RowAction.values}
    for check in checks:
        counts[check.action] += 1
    new_teams = _new_team_names(org, checks)
    summary = {
        "rows": len(checks),
        **counts,
        "terminations": sum(1 for c in checks if _terminates(c)),
        "new_teams": new_teams,
        "warnings": warnings,
    }
    progress(92, "Saving the preview")
    with transaction.atomic():
        current = RosterImport.objects.select_for_update().only("status").get(pk=roster_import.pk)
        if current.status != ImportStatus.PARSING:
            return
        RosterImportRow.objects.filter(roster_import=roster_import).delete()
        RosterImportRow.objects.bulk_create(
            (
                RosterImportRow(
                    roster_import=roster_import,
                    row_number=c.row_number,
                    data=c.data,
                    errors=c.errors,
                    action=c.action,
                    changes=c.changes,
                    employee_id=c.employee_pk,
                )
                for c in checks
            ),
            batch_size=1000,
        )
        roster_import.file_errors = file_errors
        roster_import.summary = summary
        roster_import.roster_version = version
        roster_import.status = (
            ImportStatus.INVALID if file_errors or counts[RowAction.ERROR] else ImportStatus.PREVIEW
        )
        roster_import.save(update_fields=["file_errors", "summary", "roster_version", "status"])


def roster_imports_fail(*, job_ids: list[int]) -> None:
    """Called when a check job fails for good: the import shows why, instead of
    checking forever."""
    RosterImport.objects.filter(job_id__in=job_ids, status=ImportStatus.PARSING).update(
        status=ImportStatus.INVALID,
        file_errors=[
            "Lodestar could not finish checking this file. Upload it again; if it keeps "
            "failing, ask your administrator to look at the worker logs."
        ],
    )


def _terminates(check: roster.RowCheck) -> bool:
    if check.action == RowAction.CREATE:
        return bool(check.data.get("termination_date"))
    return any(c["field"] == "termination_date" and c["new"] for c in check.changes)


def _new_team_names(org: Organization, checks: list[roster.RowCheck]) -> list[str]:
    existing = {
        name.casefold()
        for name in Team.objects.filter(organization=org).values_list("name", flat=True)
    }
    names: dict[str, str] = {}
    for check in checks:
        name = check.data.get("team")
        if name and name.casefold() not in existing:
            names.setdefault(name.casefold(), name)
    return sorted(names.values())


class ImportNotCommittable(ValidationError):
    pass


def roster_import_commit(*, actor: Actor, roster_import: RosterImport) -> dict:
    """Applies every row of a checked import in one transaction, or nothing.

    Refuses (ImportNotCommittable) when the import has errors, was already applied
    or discarded, or when the roster changed since the preview was made. Returns
    the summary of what changed.
    """
    require(actor, "manage_roster")
    with transaction.atomic():
        batch = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        org = Organization.objects.select_for_update().get(pk=actor.organization.pk)
        if batch.organization_id != org.pk:
            raise RosterImport.DoesNotExist
        if batch.status == ImportStatus.COMMITTED:
            raise ImportNotCommittable("This import was already applied.")
        if batch.status != ImportStatus.PREVIEW:
            raise ImportNotCommittable("Only a checked import without errors can be applied.")
        if batch.roster_version != org.roster_version:
            raise ImportNotCommittable(
                "The roster changed since this preview was made. Upload the file again "
                "to check it against the current roster."
            )
        result = _apply_rows(actor=actor, org=org, batch=batch)
        batch.status = ImportStatus.COMMITTED
        batch.committed_at = timezone.now()
        batch.committed_by = actor.user
        batch.save(update_fields=["status", "committed_at", "committed_by"])
        _bump_roster_version(org)
        audit_log(
            organization=org,
            actor=actor.user,
            action="roster.imported",
            target=batch.filename,
            detail={"import_id": batch.pk, **result},
        )
    return result


_HISTORY_ATTRS = {
    field: field + "_id" if field in ("team", "manager") else field
    for field in roster.TRACKED_FIELDS
}
_EMPLOYEE_UPDATE_FIELDS = [
    "full_name",
    "email",
    "employee_id",
    "team",
    "manager",
    "job_title",
    "level",
    "time_zone",
    "annual_salary",
    "is_top_performer",
    "hire_date",
    "termination_date",
    "termination_reason",
    "updated_at",
]


def _field_values(person: Employee) -> dict:
    return {
        f: getattr(person, Employee._meta.get_field(f).attname) for f in _EMPLOYEE_UPDATE_FIELDS
    }


def _history_state(person: Employee) -> dict:
    return {field: getattr(person, attr) for field, attr in _HISTORY_ATTRS.items()}


def _apply_row_data(person: Employee, data: dict, teams: dict[str, Team]) -> None:
    """Copies one checked row onto an Employee (not saved). Absent columns keep their value."""
    person.full_name = data["name"]
    person.email = data["email"]
    for column in ("employee_id", "job_title", "level", "time_zone"):
        if column in data:
            setattr(person, column, data[column])
    if "team" in data:
        person.team = teams[data["team"].casefold()]
    if "annual_salary" in data:
        person.annual_salary = Decimal(data["annual_salary"])
    if "top_performer" in data:
        person.is_top_performer = data["top_performer"]
    if "hire_date" in data:
        person.hire_date = datetime.date.fromisoformat(data["hire_date"])
    if "termination_date" in data:
        person.termination_date = datetime.date.fromisoformat(data["termination_date"])
        person.termination_reason = data["termination_reason"]
    elif data.get("rehire"):
        person.termination_date = None
        person.termination_reason = ""
    person.updated_at = timezone.now()


def _apply_rows(*, actor: Actor, org: Organization, batch: RosterImport) -> dict:
    """Writes every create and update of a checked import with bulk queries.

    The number of queries grows with bulk batches (1 000 rows each), never per row.
    """
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(org.time_zone))
    source = f"import:{batch.pk}"
    rows = list(batch.rows.exclude(action=RowAction.UNCHANGED).order_by("row_number"))
    existing = Employee.objects.in_bulk([r.employee_id for r in rows if r.employee_id])

    teams = {t.name.casefold(): t for t in Team.objects.filter(organization=org)}
    new_teams: dict[str, Team] = {}
    for row in rows:
        name = row.data.get("team")
        if name and name.casefold() not in teams and name.casefold() not in new_teams:
            new_teams[name.casefold()] = Team(organization=org, name=name)
    Team.objects.bulk_create(new_teams.values())
    teams = {t.name.casefold(): t for t in Team.objects.filter(organization=org)}

    person_of_row: dict[int, Employee] = {}
    before: dict[int, dict] = {}
    before_fields: dict[int, dict] = {}
    creates: list[Employee] = []
    for row in rows:
        if row.action == RowAction.CREATE:
            person = Employee(organization=org)
            creates.append(person)
        else:
            person = existing[row.employee_id]
            before[row.row_number] = _history_state(person)
            before_fields[row.row_number] = _field_values(person)
        _apply_row_data(person, row.data, teams)
        person_of_row[row.row_number] = person

    # Managers who are already on the roster are set before saving; managers created by
    # this same file get their id only after bulk_create, so those links follow it.
    late_manager_links: list[tuple[Employee, Employee]] = []
    for row in rows:
        key = row.data.get("manager_key")
        if not key:
            continue
        kind, ident = key.split(":")
        person = person_of_row[row.row_number]
        if kind == "e":
            person.manager_id = int(ident)
        else:
            late_manager_links.append((person, person_of_row[int(ident)]))
    Employee.objects.bulk_create(creates, batch_size=1000)
    for person, manager in late_manager_links:
        person.manager_id = manager.pk
    created = {id(person) for person in creates}
    Employee.objects.bulk_update(
        [person for person, _ in late_manager_links if id(person) in created],
        ["manager"],
        batch_size=1000,
    )
    # Update only the columns that changed, grouped by which ones: a file in which
    # everyone changes team writes two columns, not fourteen.
    updated: list[Employee] = []
    by_changed_fields: dict[tuple[str, ...], list[Employee]] = {}
    for row in rows:
        if row.action != RowAction.UPDATE:
            continue
        person = person_of_row[row.row_number]
        updated.append(person)
        now = _field_values(person)
        changed = tuple(
            f for f in _EMPLOYEE_UPDATE_FIELDS if now[f] != before_fields[row.row_number][f]
        )
        by_changed_fields.setdefault(changed, []).append(person)
    for fields, people in by_changed_fields.items():
        Employee.objects.bulk_update(people, fields, batch_size=1000)

    records: list[EmployeeRecord] = []
    leaver_user_ids: set[int] = set()
    counts = {"created": len(creates), "updated": len(updated), "terminated": 0}
    for row in rows:
        person = person_of_row[row.row_number]
        effective = (
            datetime.date.fromisoformat(row.data["effective_date"])
            if "effective_date" in row.data
            else today
        )
        if row.action == RowAction.CREATE or row.data.get("rehire"):
            hired = person.hire_date or effective
            if person.termination_date and person.termination_date < hired:
                # No hire date and already gone: on the roster until the day they left.
                hired = person.termination_date
            records.append(
                _record_from(
                    person,
                    effective_date=hired,
                    event=RecordEvent.HIRE,
                    changed_fields=[],
                    source=source,
                )
            )
        else:
            after = _history_state(person)
            changed = [f for f in roster.TRACKED_FIELDS if before[row.row_number][f] != after[f]]
            if changed:
                records.append(
                    _record_from(
                        person,
                        effective_date=effective,
                        event=RecordEvent.CHANGE,
                        changed_fields=changed,
                        source=source,
                    )
                )
        newly_terminated = person.termination_date and (
            row.action == RowAction.CREATE
            or any(c["field"] == "termination_date" and c["new"] for c in row.changes)
        )
        if newly_terminated:
            counts["terminated"] += 1
            records.append(
                _record_from(
                    person,
                    effective_date=person.termination_date,
                    event=RecordEvent.TERMINATION,
                    changed_fields=["termination"],
                    source=source,
                )
            )
            if person.user_id and person.termination_date <= today:
                leaver_user_ids.add(person.user_id)
    _correct_history(person_of_row=person_of_row, rows=rows)
    EmployeeRecord.objects.bulk_create(records, batch_size=1000)
    _deactivate_logins(leaver_user_ids)
    counts["history_records"] = len(records)
    counts["new_teams"] = len(new_teams)
    return counts


def _correct_history(*, person_of_row: dict[int, Employee], rows: list[RosterImportRow]) -> None:
    """A changed hire or termination date corrects the record of the current employment
    instead of adding a second one (which would count the person twice)."""
    hire_moves: dict[int, datetime.date] = {}
    dropped_terminations: set[tuple[int, datetime.date]] = set()
    for row in rows:
        if row.action != RowAction.UPDATE or row.data.get("rehire"):
            continue
        person = person_of_row[row.row_number]
        for change in row.changes:
            if change["field"] == "hire_date" and change["old"] and change["new"]:
                hire_moves[person.pk] = person.hire_date
            if change["field"] == "termination_date" and change["old"] and change["new"]:
                dropped_terminations.add((person.pk, datetime.date.fromisoformat(change["old"])))
    if dropped_terminations:
        stale = EmployeeRecord.objects.filter(
            employee_id__in={pk for pk, _ in dropped_terminations}, event=RecordEvent.TERMINATION
        ).only("pk", "employee_id", "effective_date")
        EmployeeRecord.objects.filter(
            pk__in=[
                r.pk for r in stale if (r.employee_id, r.effective_date) in dropped_terminations
            ]
        ).delete()
    if hire_moves:
        latest: dict[int, EmployeeRecord] = {}
        for record in EmployeeRecord.objects.filter(
            employee_id__in=list(hire_moves), event=RecordEvent.HIRE
        ).order_by("employee_id", "-effective_date", "-id"):
            latest.setdefault(record.employee_id, record)
        for employee_id, record in latest.items():
            record.effective_date = hire_moves[employee_id]
        EmployeeRecord.objects.bulk_update(latest.values(), ["effective_date"], batch_size=1000)


@transaction.atomic
def roster_import_discard(*, actor: Actor, roster_import: RosterImport) -> None:
    """Marks an import as discarded; the roster is untouched. Applied imports stay applied."""
    require(actor, "manage_roster")
    batch = RosterImport.objects.select_for_update().get(
        pk=roster_import.pk, organization=actor.organization
    )
    if batch.status == ImportStatus.COMMITTED:
        raise ImportNotCommittable("An applied import cannot be discarded.")
    batch.status = ImportStatus.DISCARDED
    batch.save(update_fields=["status"])
    roster_import.status = batch.status


# --- API tokens -------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 is enough: there is no
    # dictionary to attack, and lookups stay fast on every API request.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: Actor, name: str, roles: list[str] | None, read_only: bool
) -> tuple[ApiToken, str]:
    """Creates a token carrying at most the actor's roles here (all of them when
    `roles` is None or empty). Returns it and its secret, which is shown once and never
    stored."""
    roles = roles or sorted(actor.roles)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name so you can recognise it later."})
    not_held = sorted(set(roles) - set(actor.roles))
    if not_held:
        raise ValidationError(
            {"roles": f"You do not hold these roles here: {', '.join(not_held)}."}
        )
    key_id = ApiToken.new_key_id()
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor.user,
        organization=actor.organization,
        name=name[:100],
        key_id=key_id,
        key_hash=_hash_secret(secret),
        roles=sorted(set(roles)),
        read_only=read_only,
    )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="api_token.created",
        target=token.name,
    )
    return token, f"{ApiToken.PREFIX}_{key_id}_{secret}"


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token matching `raw`, or None. Constant-time comparison of hashes."""
    try:
        prefix, key_id, secret = raw.split("_", 2)
    except ValueError:
        return None
    if prefix != ApiToken.PREFIX:
        return None
    token = (
        ApiToken.objects.select_related("user", "organization")
        .filter(key_id=key_id, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.key_hash, _hash_secret(secret)):
        return None
    now = timezone.now()
    # Touch last_used at most once a minute to keep API reads from becoming writes.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise ApiToken.DoesNotExist
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(
            organization=token.organization,
            actor=user,
            action="api_token.revoked",
            target=token.name,
        )


# Why every token of a login was revoked at once, as recorded in the audit trail.
TOKENS_REVOKED_PASSWORD_CHANGED = "password_changed"  # noqa: S105  (a reason, not a secret)
TOKENS_REVOKED_LOGIN_DEACTIVATED = "login_deactivated"


@transaction.atomic
def api_tokens_revoke_all(*, user_ids: Iterable[int], reason: str) -> int:
    """Revokes every still-active token of these logins; returns how many.

    Called whenever a login's credentials change hands or close (a password set by
    any path, a login deactivated), so a token copied before then stops working.
    Tokens created afterwards are unaffected. Each organisation's audit trail gets one
    entry per login naming how many of its tokens closed and why; never a secret.
    """
    active = ApiToken.objects.select_for_update().filter(
        user_id__in=user_ids, revoked_at__isnull=True
    )
    tokens = list(active.select_related("user", "organization"))
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    revoked: dict[tuple[int, int], list[ApiToken]] = {}
    for token in tokens:
        revoked.setdefault((token.user_id, token.organization_id), []).append(token)
    for group in revoked.values():
        audit_log(
            organization=group[0].organization,
            actor=None,
            action="api_token.revoked_all",
            target=group[0].user.email,
            detail={"reason": reason, "count": len(group), "token_ids": [t.pk for t in group]},
        )
    return len(tokens)


# --- Jobs ---------------------------------------------------------------------------


def job_claim(*, job_id: int) -> Job | None:
    """Marks a queued job as running. None when another worker already has it or it
    has finished, so a message delivered twice does not run the work twice."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.LODESTAR_JOB_STALE_AFTER_SECONDS)
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale))
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            message="Started",
        )
    )
    return Job.objects.get(pk=job_id) if claimed else None


def job_progress(*, job: Job, percent: int, message: str) -> None:
    """Records progress and a heartbeat; visible at once to the page polling it."""
    job.progress = max(0, min(100, percent))
    job.message = message[:300]
    job.heartbeat_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        progress=job.progress, message=job.message, heartbeat_at=job.heartbeat_at
    )


class JobRetryLater(Exception):
    """Raised by job_run when the work hit a passing fault; the task retries it."""


def job_run(*, job_id: int, work: Callable[[Job, Callable[[int, str], None]], None]) -> Job | None:
    """Claims a job, runs `work(job, progress)` and records how it ended.

    A database fault that may pass (a lock, a dropped connection) puts the job back
    in the queue and raises JobRetryLater; anything else fails the job for good.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    try:
        work(job, lambda percent, message: job_progress(job=job, percent=percent, message=message))
    except OperationalError as exc:
        logger.warning("Job %s (%s) hit %s; retrying", job.pk, job.kind, exc)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, queued_at=timezone.now(), message="Retrying shortly"
        )
        raise JobRetryLater(str(exc)) from exc
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
            message="Failed",
        )
        jobs_failed(kind=job.kind, job_ids=[job.pk])
        raise
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, progress=100, finished_at=timezone.now(), message="Done"
    )
    job.refresh_from_db()
    return job


def jobs_sweep_stale() -> dict[str, int]:
    """Re-queues jobs whose worker died or whose message was lost, and fails them for
    good after LODESTAR_JOB_MAX_ATTEMPTS. Runs every minute from celery beat.

    A run counts as an attempt when a worker claims the job; a lost message counts
    when the sweeper re-sends it, so neither can loop forever.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.LODESTAR_JOB_STALE_AFTER_SECONDS)
    lost = Job.objects.filter(kind__in=list(JOB_KINDS)).filter(
        Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
        | Q(status=JobStatus.QUEUED, queued_at__lt=stale)
    )
    with transaction.atomic():
        giving_up = list(
            lost.filter(attempts__gte=settings.LODESTAR_JOB_MAX_ATTEMPTS)
            .select_for_update(skip_locked=True)
            .values_list("pk", "kind")
        )
        Job.objects.filter(pk__in=[pk for pk, _ in giving_up]).update(
            status=JobStatus.FAILED,
            finished_at=now,
            message="Gave up: the job stopped answering on every attempt",
        )
        kinds: dict[str, list[int]] = {}
        for pk, kind in giving_up:
            kinds.setdefault(kind, []).append(pk)
        for kind, job_ids in kinds.items():
            jobs_failed(kind=kind, job_ids=job_ids)
        to_requeue = list(
            lost.filter(attempts__lt=settings.LODESTAR_JOB_MAX_ATTEMPTS)
            .select_for_update(skip_locked=True)
            .values_list("pk", "kind", "status")
        )
        Job.objects.filter(
            pk__in=[pk for pk, _, status in to_requeue if status == JobStatus.QUEUED]
        ).update(attempts=F("attempts") + 1)
        Job.objects.filter(pk__in=[pk for pk, _, _ in to_requeue]).update(
            status=JobStatus.QUEUED,
            queued_at=now,
            message="Re-queued after its worker stopped answering",
        )
        for pk, kind, _ in to_requeue:
            enqueue_on_commit(job_id=pk, kind=kind)
    return {"requeued": len(to_requeue), "failed": len(giving_up)}


# --- One person's record -------------------------------------------------------------------


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
    errors = {}
    if team is not None and team.organization_id != org.pk:
        errors["team"] = "Choose a team of this organisation."
    if manager is not None:
        if manager.organization_id != org.pk:
            errors["manager"] = "Choose a manager from this organisation's roster."
        elif manager.pk == employee.pk:
            errors["manager"] = "A person cannot be their own manager."
        else:
            chain, current = set(), manager
            while current is not None and current.pk not in chain:
                if current.manager_id == employee.pk:
                    errors["manager"] = (
                        f"{manager.full_name} reports to {employee.full_name}, directly or not."
                    )
                    break
                chain.add(current.pk)
                current = current.manager
    if termination_date and termination_reason not in ("voluntary", "involuntary"):
        errors["termination_reason"] = "Say whether leaving was voluntary or involuntary."
    if termination_date and employee.hire_date and termination_date < employee.hire_date:
        errors["termination_date"] = "The leaving date is before the hire date."
    if employee.hire_date and effective_date < employee.hire_date:
        errors["effective_date"] = (
            f"The change takes effect before the hire date ({employee.hire_date:%d %B %Y}); "
            "history never starts before the hire."
        )
    if annual_salary is not None and annual_salary < 0:
        errors["annual_salary"] = "A salary cannot be negative."
    if errors:
        raise ValidationError(errors)
    before = _history_state(employee)
    was_terminated = employee.termination_date
    employee.team, employee.manager = team, manager
    employee.job_title, employee.level = job_title.strip(), level.strip()
    employee.annual_salary, employee.is_top_performer = annual_salary, is_top_performer
    employee.termination_date = termination_date
    employee.termination_reason = termination_reason if termination_date else ""
    employee.updated_at = timezone.now()
    employee.save()
    changed = [f for f in roster.TRACKED_FIELDS if before[f] != _history_state(employee)[f]]
    records = []
    if changed:
        records.append(
            _record_from(
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
            _record_from(
                employee,
                effective_date=termination_date,
                event=RecordEvent.TERMINATION,
                changed_fields=["termination"],
                source="edit",
            )
        )
    EmployeeRecord.objects.bulk_create(records)
    _bump_roster_version(org)
    if employee.user_id and termination_date and termination_date <= org.today():
        _deactivate_logins({employee.user_id})
    audit_log(
        organization=org,
        actor=actor.user,
        action="employee.updated",
        target=employee.email,
        detail={"changed": changed, "terminated": bool(termination_date)},
    )
    return employee
