from rest_framework import permissions

from people.permissions import has_permission


class HasOrgPermission(permissions.BasePermission):
    """Checks the permission a view declares, by action.

    A viewset sets `permission = "view_people"` and may map actions to others with
    `action_permissions = {"create": "manage_roster"}`. Read-only tokens may only
    read.
    """

    message = "You do not have access to this in the current organisation."

    def has_permission(self, request, view) -> bool:
        actor = request.auth
        if actor is None or not hasattr(actor, "organization"):
            return False
        if actor.read_only and request.method not in permissions.SAFE_METHODS:
            self.message = "This API token is read-only."
            return False
        action = getattr(view, "action", None)
        name = getattr(view, "action_permissions", {}).get(action) or getattr(
            view, "permission", None
        )
        if name is None:
            return False
        return has_permission(actor, name)
