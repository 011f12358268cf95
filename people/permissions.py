"""Organisation and role checks: the one place that decides who may do what.

Every view, API endpoint and task asks these functions; later apps build their
relationship rules (a learner's coach, a cycle's raters) on top of them in their
own permissions.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from people.models import Employee, Organization, Role, User


@dataclass(frozen=True)
class Actor:
    """Who is acting, in which organisation, with which roles.

    Built once per request by the middleware (browser) or the token authentication
    (API). `roles` for a token is the token's roles intersected with the user's
    current memberships, so revoking a role also narrows every token.
    """

    user: User
    organization: Organization
    roles: frozenset[str] = field(default_factory=frozenset)
    employee: Employee | None = None
    manages_people: bool = False
    read_only: bool = False

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_lnd_manager(self) -> bool:
        return Role.LND_MANAGER in self.roles

    @property
    def is_executive(self) -> bool:
        return Role.EXECUTIVE in self.roles

    @property
    def is_learner(self) -> bool:
        return Role.LEARNER in self.roles

    @property
    def is_coach(self) -> bool:
        return Role.COACH in self.roles

    @property
    def is_line_manager(self) -> bool:
        """A relation, not a role: this person's employee record manages others."""
        return self.manages_people


def can_manage_roster(actor: Actor) -> bool:
    return actor.is_lnd_manager


def can_view_people(actor: Actor) -> bool:
    return actor.is_lnd_manager or actor.is_line_manager


def can_view_salary(actor: Actor) -> bool:
    return actor.is_lnd_manager


def can_manage_memberships(actor: Actor) -> bool:
    return actor.is_lnd_manager


def can_view_own_org(actor: Actor) -> bool:
    return True


def can_view_employee(actor: Actor, employee: Employee) -> bool:
    if employee.organization_id != actor.organization.pk:
        return False
    if actor.is_lnd_manager:
        return True
    if actor.employee is not None:
        return employee.pk == actor.employee.pk or employee.manager_id == actor.employee.pk
    return False


# Named permissions that views and API endpoints declare, pretix style:
# `permission = "manage_roster"`. Later apps add theirs with `register`.
PERMISSIONS: dict[str, Callable[[Actor], bool]] = {
    "view_own_org": can_view_own_org,
    "view_people": can_view_people,
    "manage_roster": can_manage_roster,
    "manage_memberships": can_manage_memberships,
    "line_manager": lambda actor: actor.is_line_manager,
}


def register(name: str, check: Callable[[Actor], bool]) -> None:
    if name in PERMISSIONS and PERMISSIONS[name] is not check:
        raise ValueError(f"Permission {name!r} is already registered.")
    PERMISSIONS[name] = check


def has_permission(actor: Actor | None, name: str) -> bool:
    if actor is None:
        return False
    try:
        check = PERMISSIONS[name]
    except KeyError:
        raise ValueError(f"Unknown permission {name!r}.") from None
    return check(actor)
