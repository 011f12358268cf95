"""Rules for signing in and recovering a login: lock-outs, reset throttling, link lifetimes.

django-axes records failed sign-ins; the handler here decides when they lock. The
password-reset throttle and the reset-link lifetime are Lodestar's own.
"""

import hashlib

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.http import base36_to_int


def client_ip(request: HttpRequest) -> str:
    """The address the request came from.

    With LODESTAR_TRUSTED_PROXY_COUNT proxies in front of Lodestar, REMOTE_ADDR is the
    nearest proxy for everyone, so the client is read from X-Forwarded-For, counting that
    many entries from the right: each proxy appends what it saw, and anything further
    left was written by the client and could be made up.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.LODESTAR_TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    seen = [address.strip() for address in forwarded.split(",") if address.strip()]
    return seen[-hops] if len(seen) >= hops else remote


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The email a sign-in was for, as axes counts it: one count per address, whatever
    its case or surrounding spaces."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return username.strip().lower() if isinstance(username, str) else username


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginLockoutHandler(AxesDatabaseHandler):
    """Locks an email address and, separately, a client address.

    An email locks after AXES_FAILURE_LIMIT failures from anywhere, so spreading guesses
    over many addresses does not help. A client address locks after
    LODESTAR_LOGIN_ADDRESS_FAILURE_LIMIT failures whatever emails it tried, so one
    machine cannot spray a common password over every account. The address limit is
    higher because a whole office can sit behind one address.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        recent = AccessAttempt.objects.all()
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_username = _failures(recent.filter(username=username))
        by_address = _failures(recent.filter(ip_address=request.axes_ip_address))
        if by_address >= settings.LODESTAR_LOGIN_ADDRESS_FAILURE_LIMIT:
            # Axes compares one number with AXES_FAILURE_LIMIT: report this address as spent.
            return max(by_username, settings.AXES_FAILURE_LIMIT)
        return by_username

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # A successful sign-in clears only its own earlier mistakes (this email from
        # this address). Clearing everything from the address would let someone with one
        # valid login reset the count between rounds of guessing other people's.
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def password_reset_allowed(*, email: str, request: HttpRequest) -> bool:
    """Counts one password-reset request and says whether to send its email.

    False once the address has had LODESTAR_PASSWORD_RESET_PER_EMAIL requests, or the
    client LODESTAR_PASSWORD_RESET_PER_IP, within LODESTAR_PASSWORD_RESET_WINDOW
    seconds. Requests for unknown addresses count the same, so the answer never reveals
    whether an account exists. Counts live in the cache, shared by every web process.
    """
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    budgets = [
        (f"password-reset:email:{email_key}", settings.LODESTAR_PASSWORD_RESET_PER_EMAIL),
        (
            f"password-reset:ip:{get_client_ip_address(request)}",
            settings.LODESTAR_PASSWORD_RESET_PER_IP,
        ),
    ]
    allowed = True
    for key, limit in budgets:
        if _count_request(key) > limit:
            allowed = False
    return allowed


def _count_request(key: str) -> int:
    window = settings.LODESTAR_PASSWORD_RESET_WINDOW
    cache.add(key, 0, timeout=window)  # starts the window; a no-op while one is open
    try:
        return cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


class ResetLinkTokenGenerator(PasswordResetTokenGenerator):
    """Password-reset links that expire sooner than invitations.

    Invitations are reset links too (people.services.invitation_render), sent to someone
    with no password yet, and last PASSWORD_RESET_TIMEOUT. A link for a login that has
    a password is a reset; it works for LODESTAR_PASSWORD_RESET_LINK_TIMEOUT seconds.
    Either stops working once used: the token covers the password hash and last login.
    """

    def check_token(self, user, token) -> bool:
        if not super().check_token(user, token):
            return False
        if not user.has_usable_password():
            return True
        issued = base36_to_int(token.split("-")[0])
        age = self._num_seconds(self._now()) - issued
        return age <= settings.LODESTAR_PASSWORD_RESET_LINK_TIMEOUT


reset_link_token_generator = ResetLinkTokenGenerator()
