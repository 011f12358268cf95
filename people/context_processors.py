from django.conf import settings

from people.actors import get_actor, org_choices
from people.navigation import NAV_ITEMS
from people.permissions import has_permission


def navigation(request):
    """The navigation a person sees depends on their roles in the current organisation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    actor = get_actor(request)
    items = [("home", "Home")]
    if actor is not None:
        items += [
            (item.url_name, item.label)
            for item in NAV_ITEMS
            if has_permission(actor, item.permission)
            and not (item.hidden_by and has_permission(actor, item.hidden_by))
        ]
    return {
        "actor": actor,
        "org_choices": org_choices(request),
        "nav_items": items,
        # The dev mailbox answers 404 without DEBUG, so the menu does not offer it then.
        "show_dev_mailbox": settings.DEBUG and request.user.is_staff,
    }
