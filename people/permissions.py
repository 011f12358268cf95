"""Organisation and role checks: the one place that decides who may do what.

Every view, API endpoint and task asks these functions; later apps build their
relationship rules (a learner's coach, a cycle's raters) on top of them in their
own permissions.py, each as a `Scope`: one definition that gives both the queryset
filter (for lists and detail lookups) and the object check (for services before a
write), so the two can never disagree.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q

from people.models import Employee, Organization, Role, User


@dataclass(frozen=True)
class Actor:
    """Who is acting, in which organisation, with which roles.

    Built once per request by the middleware (browser) or the token authentication
    (API). `roles` for a token is the token's roles intersected with the user's
    current memberships, so revoking a role also narrows every token.
    """

    user: User | None
    organization: Organization
    roles: frozenset[str] = field(default_factory=frozenset)
    employee: Employee | None = None
    manages_people: bool = False
    read_only: bool = False
    is_system: bool = False

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def employee_id(self) -> int | None:
        return self.employee.pk if self.employee is not None else None

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


@dataclass(frozen=True)
class Scope:
    """A relationship rule as data: an OR of clauses, each an AND of `path == value`.

    `q()` filters a queryset of the rule's model (or, with `prefix`, of a model that
    points at it); `allows(obj)` checks one loaded object against the same clauses. A
    clause can only hold values the actor has (their ids), never a database lookup, so
    the two forms agree by construction.
    """

    clauses: tuple[tuple[tuple[str, object], ...], ...] = ()

    @classmethod
    def where(cls, **conditions: object) -> "Scope":
        """One clause. A condition whose value is None matches nothing: an actor with no
        roster record has no 'own' anything."""
        if any(value is None for value in conditions.values()):
            return cls()
        return cls((tuple(sorted(conditions.items())),))

    @classmethod
    def nothing(cls) -> "Scope":
        return cls()

    @classmethod
    def any_of(cls, scopes: Iterable["Scope"]) -> "Scope":
        clauses: tuple = ()
        for scope in scopes:
            clauses += scope.clauses
        return cls(clauses)

    def __or__(self, other: "Scope") -> "Scope":
        return Scope(self.clauses + other.clauses)

    def __and__(self, other: "Scope") -> "Scope":
        return Scope(
            tuple(tuple(sorted(set(a) | set(b))) for a in self.clauses for b in other.clauses)
        )

    def when(self, condition: bool) -> "Scope":
        """This scope if `condition` (a role the actor holds), else nothing."""
        return self if condition else Scope()

    def q(self, prefix: str = "") -> Q:
        if not self.clauses:
            return Q(pk__in=[])
        combined = Q()
        for i, clause in enumerate(self.clauses):
            part = Q(**{f"{prefix}{path}": value for path, value in clause})
            combined = part if i == 0 else combined | part
        return combined

    def allows(self, obj: object) -> bool:
        return any(all(_follow(obj, path) == value for path, value in c) for c in self.clauses)


def _follow(obj: object, path: str) -> object:
    for name in path.split("__"):
        try:
            obj = getattr(obj, name)
        except ObjectDoesNotExist:
            return _MISSING
        if obj is None:
            return None
    return obj


_MISSING = object()


def employee_scope(actor: Actor) -> Scope:
    """Roster records the actor may see: everyone for L&D managers, else themselves and
    their direct reports."""
    org = Scope.where(organization_id=actor.organization.pk)
    return org & (
        org.when(actor.is_lnd_manager)
        | Scope.where(pk=actor.employee_id)
        | Scope.where(manager_id=actor.employee_id)
    )


def can_manage_roster(actor: Actor) -> bool:
    return actor.is_lnd_manager


def can_view_people(actor: Actor) -> bool:
    return actor.is_lnd_manager or actor.is_line_manager


def can_view_salary(actor: Actor) -> bool:
    return actor.is_lnd_manager


def can_manage_memberships(actor: Actor) -> bool:
    return actor.is_lnd_manager


def is_member(actor: Actor) -> bool:
    """Anyone who may enter the organisation. Only for endpoints whose every read goes
    through a relationship Scope (the member's own things), never as the whole check."""
    return not actor.is_system


def can_view_employee(actor: Actor, employee: Employee) -> bool:
    return employee_scope(actor).allows(employee)


# Named permissions that views and API endpoints declare, pretix style:
# `permission = "manage_roster"`. Later apps add theirs with `register`. Nothing
# undeclared is allowed: see people.decorators and people.api.permissions.
PERMISSIONS: dict[str, Callable[[Actor], bool]] = {
    "member": is_member,
    "view_people": can_view_people,
    "manage_roster": can_manage_roster,
    "manage_memberships": can_manage_memberships,
    "line_manager": lambda actor: actor.is_line_manager,
}


def register(name: str, check: Callable[[Actor], bool]) -> None:
    if name in PERMISSIONS and PERMISSIONS[name] is not check:
        raise ValueError(f"Permission {name!r} is already registered.")
    PERMISSIONS[name] = check


def require(actor: Actor, name: str) -> None:
    """For services: the same named check the view declared, asked again before a write,
    so a view or task that forgets cannot open a hole. Raises PermissionDenied (403)."""
    if not has_permission(actor, name):
        raise PermissionDenied(f"This needs the {name.replace('_', ' ')} permission.")


def has_permission(actor: Actor | None, name: str) -> bool:
    if actor is None:
        return False
    try:
        check = PERMISSIONS[name]
    except KeyError:
        raise ValueError(f"Unknown permission {name!r}.") from None
    return check(actor)
