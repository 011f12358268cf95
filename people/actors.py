from django.http import HttpRequest

from people.permissions import Actor
from people.selectors import org_access_for_user

SESSION_ORG_KEY = "lodestar_organization_id"
_CACHE_ATTR = "_lodestar_actor"


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
            actor = Actor(
                user=user,
                organization=chosen.organization,
                roles=chosen.roles,
                employee=chosen.employee,
                manages_people=chosen.manages_people,
            )
            request._lodestar_org_choices = [a.organization for a in access.values()]
    setattr(request, _CACHE_ATTR, actor)
    return actor


def org_choices(request: HttpRequest) -> list:
    get_actor(request)
    return getattr(request, "_lodestar_org_choices", [])
