"""Where an Actor comes from. Every principal (a browser session, an API token, a test,
beat or an integration) is turned into an Actor here and nowhere else."""

from django.http import HttpRequest

from people.models import Organization, User
from people.permissions import Actor
from people.selectors import OrgAccess, org_access_for_user

SESSION_ORG_KEY = "lodestar_organization_id"
_CACHE_ATTR = "_lodestar_actor"


def actor_from_access(
    *,
    user: User,
    access: OrgAccess,
    roles: frozenset[str] | None = None,
    read_only: bool = False,
) -> Actor:
    """The Actor for `user` in one organisation they may enter. `roles` narrows the
    roles (a token's roles): never widens them past what the user holds today."""
    return Actor(
        user=user,
        organization=access.organization,
        roles=access.roles if roles is None else frozenset(roles) & access.roles,
        employee=access.employee,
        manages_people=access.manages_people,
        read_only=read_only,
    )


def actor_for_user(
    *, user: User, organization: Organization | int | None = None, **kwargs
) -> Actor | None:
    """The Actor for `user` in `organization` (their first one by name when not given),
    or None when they may not enter it."""
    access = org_access_for_user(user=user)
    if not access:
        return None
    if organization is None:
        chosen = next(iter(access.values()))
    else:
        chosen = access.get(getattr(organization, "pk", organization))
        if chosen is None:
            return None
    return actor_from_access(user=user, access=chosen, **kwargs)


def system_actor(*, organization: Organization) -> Actor:
    """Work nobody started by hand (beat, integrations): no user, no roles. Services
    that accept it say so; every permission check refuses it."""
    return Actor(user=None, organization=organization, is_system=True)


def get_actor(request: HttpRequest) -> Actor | None:
    """The Actor for a signed-in browser user, in the organisation their session chose.

    None for anonymous users and for users who belong to no organisation. Computed
    once per request.
    """
    if hasattr(request, _CACHE_ATTR):
        return getattr(request, _CACHE_ATTR)
    actor = None
    user = request.user
    if user.is_authenticated:
        access = org_access_for_user(user=user)
        if access:
            chosen = access.get(request.session.get(SESSION_ORG_KEY)) or next(iter(access.values()))
            actor = actor_from_access(user=user, access=chosen)
            request._lodestar_org_choices = [a.organization for a in access.values()]
    setattr(request, _CACHE_ATTR, actor)
    return actor


def org_choices(request: HttpRequest) -> list:
    get_actor(request)
    return getattr(request, "_lodestar_org_choices", [])
