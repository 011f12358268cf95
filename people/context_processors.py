from people.actors import get_actor, org_choices
from people.permissions import has_permission


def navigation(request):
    """The navigation a person sees depends on their roles in the current organisation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    actor = get_actor(request)
    items = [("home", "Home")]
    if actor is not None:
        if has_permission(actor, "view_people"):
            items.append(("people:list", "People"))
        if has_permission(actor, "manage_roster"):
            items += [("people:teams", "Teams"), ("people:imports", "Roster import")]
        items.append(("people:tokens", "API tokens"))
    return {"actor": actor, "org_choices": org_choices(request), "nav_items": items}
