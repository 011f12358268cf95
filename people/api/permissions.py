from rest_framework import permissions

from people.permissions import has_permission


class HasOrgPermission(permissions.BasePermission):
    """Deny by default: each viewset maps every action it offers to a permission,
    `permissions = {"list": "member", "withdraw": "manage_programs"}`. An action missing
    from the map is refused, whoever asks (tests/people/test_access_walk.py proves none
    is missing). Read-only tokens may only read.
    """

    message = "You do not have access to this in the current organisation."

    def has_permission(self, request, view) -> bool:
        actor = request.auth
        if actor is None or not hasattr(actor, "organization"):
            return False
        if actor.read_only and request.method not in permissions.SAFE_METHODS:
            self.message = "This API token is read-only."
            return False
        name = declared_permission(view, getattr(view, "action", None) or request.method.lower())
        if name is None:
            self.message = "This action declares no permission, so nobody may use it."
            return False
        return has_permission(actor, name)


# OPTIONS describes an endpoint's fields, never its data.
DESCRIBE = {"metadata", "options"}


def declared_permission(view, action: str | None) -> str | None:
    """The permission `view` declares for `action` (a viewset action, or for a plain
    APIView the lower-case HTTP method); None when it declares none."""
    if action in DESCRIBE:
        return "member"
    return getattr(view, "permissions", {}).get(action)
