from rest_framework import authentication, exceptions

from people import services
from people.actors import actor_from_access, get_actor
from people.selectors import org_access_for_user


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer lsk_...`: a personal token for one organisation.

    `request.auth` becomes the Actor, whose roles are the token's roles that the
    user still holds.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Bearer <token>'."
            )
        token = services.api_token_authenticate(raw=parts[1])
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "Invalid or revoked token. A token stops working when it is revoked, when "
                "its owner's password changes or when their login closes; create a new one "
                "under API tokens."
            )
        access = org_access_for_user(user=token.user).get(token.organization_id)
        if access is None:
            raise exceptions.AuthenticationFailed("This token's organisation is no longer yours.")
        actor = actor_from_access(
            user=token.user, access=access, roles=frozenset(token.roles), read_only=token.read_only
        )
        request.api_token = token
        return token.user, actor

    def authenticate_header(self, request):
        return self.keyword


class OrgSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, with the organisation the session chose."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _ = result
        return user, get_actor(request._request)
