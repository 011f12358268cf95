"""Deny by default, proven by walking every route.

Every page declares the permission it needs (or says it is public, for signed-in
users only, or for site staff); every API action is mapped to a permission. Then each
route is asked as every kind of principal that holds no role: anonymous, a member
signed in through the browser, the same member through an API token, and a 360
rater holding only a link. A route whose declaration that principal does not meet
must refuse it.
"""

import re
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import force_authenticate

from people.api.permissions import DESCRIBE, declared_permission
from people.api.views import MeViewSet
from people.decorators import ATTR, PUBLIC, SIGNED_IN, STAFF
from people.models import Membership, Role
from people.permissions import (
    PERMISSIONS,
    can_manage_roster,
    has_permission,
    register,
    require,
)
from people.services import api_token_create
from tests.conftest import _persona, actor_for

# The admin site checks for staff itself, on every one of its URLs.
ADMIN_PREFIX = "admin/"
MARKERS = {PUBLIC, SIGNED_IN, STAFF}


@dataclass
class Route:
    path: str
    callback: object
    name: str

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls") and hasattr(self.callback.cls, "permission_classes")

    @property
    def actions(self) -> dict[str, str]:
        """HTTP method -> viewset action (or the method itself for a plain APIView)."""
        methods = getattr(self.callback.cls, "http_method_names", [])
        mapping = getattr(self.callback, "actions", None)
        if mapping:
            return {m: a for m, a in mapping.items() if m in methods}
        return {m: m for m in methods if hasattr(self.callback.cls, m) and m not in {"options"}}

    def url(self) -> str:
        path = re.sub(r"\(\?P<format>[^)]*\)", "", self.path)
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "999999", path)
        path = re.sub(r"<int:\w+>", "999999", path)
        path = re.sub(r"<\w+:\w+>|<\w+>", "x", path)
        path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")
        return "/" + path


def _walk(resolver=None, prefix="") -> list[Route]:
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _walk(entry, pattern)
        elif isinstance(entry, URLPattern):
            routes.append(Route(pattern, entry.callback, entry.name or ""))
    return routes


ROUTES = [r for r in _walk() if not r.path.startswith(ADMIN_PREFIX)]
# Format-suffix twins of API routes (".json") share their view and its declarations.
ROUTES = [r for r in ROUTES if "format>" not in r.path]


def _page_permission(route: Route) -> str | None:
    callback = route.callback
    declared = getattr(callback, ATTR, None)
    if declared is None and hasattr(callback, "view_class"):
        declared = getattr(callback.view_class, "permission", None) or getattr(
            callback.view_class, ATTR, None
        )
    return declared


def test_the_walk_sees_every_app():
    paths = {r.path for r in ROUTES}
    assert any(p.startswith("api/v1/") for p in paths)
    assert any(p.startswith("assessments/") for p in paths)
    assert any(p.startswith("programs/") for p in paths)
    assert any(p.startswith("people/") for p in paths)
    assert len(ROUTES) > 80


def test_every_page_declares_a_known_permission():
    missing, unknown = [], []
    for route in ROUTES:
        if route.is_api:
            continue
        declared = _page_permission(route)
        if declared is None:
            missing.append(route.path)
        elif declared not in MARKERS and declared not in PERMISSIONS:
            unknown.append((route.path, declared))
    assert missing == [], f"pages without a declared permission: {missing}"
    assert unknown == []


def test_every_api_action_declares_a_known_permission():
    missing, unknown = [], []
    for route in ROUTES:
        if not route.is_api:
            continue
        if getattr(route.callback, ATTR, None) == PUBLIC:
            continue
        view = route.callback.cls()
        for method, action in route.actions.items():
            name = declared_permission(view, action)
            if name is None:
                missing.append(f"{method.upper()} {route.path} ({action})")
            elif name not in PERMISSIONS:
                unknown.append((route.path, action, name))
    assert missing == [], f"API actions without a declared permission: {missing}"
    assert unknown == []


def test_an_undeclared_action_is_refused(rf, learner, org):
    """The permission class itself denies what a view forgot to declare."""

    class Forgetful(MeViewSet):
        permissions = {}

    request = rf.get("/api/v1/me/")
    force_authenticate(request, user=learner, token=actor_for(learner, org))
    response = Forgetful.as_view({"get": "list"})(request)
    assert response.status_code == 403
    assert "declares no permission" in response.data["detail"]


def test_no_view_declares_view_own_org():
    assert "view_own_org" not in PERMISSIONS


@pytest.fixture
def roleless(org):
    """A member of the organisation with a login but no role and no reports."""
    user, _employee = _persona(org, "nobody@acme.test", [Role.LEARNER])
    user.memberships.all().delete()
    # Still a member through the roster record, with no role at all.
    return user


@pytest.fixture
def roleless_token(roleless, org):
    # A token minted while the user held a role keeps nothing once the role is gone.
    membership = Membership.objects.create(organization=org, user=roleless, role=Role.COACH)
    _token, secret = api_token_create(
        actor=actor_for(roleless, org), name="walk", roles=[Role.COACH], read_only=False
    )
    membership.delete()
    return secret


def _requests(route: Route):
    """(method, permission) pairs to try on this route."""
    if route.is_api:
        if getattr(route.callback, ATTR, None) == PUBLIC:
            return [("get", PUBLIC)]
        view = route.callback.cls()
        return [(m, declared_permission(view, a)) for m, a in route.actions.items()]
    declared = _page_permission(route)
    return [("get", declared), ("post", declared)]


def _call(client, method, url, **extra):
    return getattr(client, method)(url, **extra)


@pytest.mark.django_db
def test_anonymous_visitors_reach_only_public_routes(client):
    for route in ROUTES:
        for method, declared in _requests(route):
            if declared in (PUBLIC, None) or method in DESCRIBE:
                continue
            response = _call(client, method, route.url())
            assert response.status_code in (302, 401, 403, 405), (
                f"{method.upper()} {route.url()} answered {response.status_code} to nobody"
            )
            if response.status_code == 302:
                assert "/login/" in response["Location"] or "/admin/login/" in response["Location"]


def test_a_member_without_roles_is_refused_whatever_they_did_not_declare(
    client, roleless, roleless_token, org
):
    """The same walk for the browser session and for an API token: each principal is
    refused exactly where the declaration says, and nothing answers 500."""
    actor = actor_for(roleless, org)
    assert actor.roles == frozenset()
    for principal in ("session", "token"):
        client.logout()
        extra = {}
        if principal == "session":
            client.force_login(roleless)
        else:
            extra = {"HTTP_AUTHORIZATION": f"Bearer {roleless_token}"}
        for route in ROUTES:
            if principal == "token" and not route.is_api:
                continue
            for method, declared in _requests(route):
                if declared in (PUBLIC, SIGNED_IN):
                    continue
                response = _call(client, method, route.url(), **extra)
                where = f"{principal}: {method.upper()} {route.url()} ({declared})"
                assert response.status_code < 500, where
                assert declared is not None, where
                allowed = declared not in (STAFF,) and has_permission(actor, declared)
                if not allowed:
                    assert response.status_code in (302, 403, 405), (
                        f"{where} answered {response.status_code}"
                    )


def test_a_rater_link_opens_the_rater_actions_and_nothing_else(
    client, org, learner_employee, mailoutbox
):
    """The third principal: someone with no account holding a 360 rater link (sent as
    `Authorization: Rater <token>`). Only actions declaring `answer_as_rater` accept
    it; every other route treats the caller as nobody."""
    from feedback360.permissions.reviewer import ANSWER_AS_RATER
    from feedback360.services import invitations
    from people.outbox import mail_send_pending
    from tests.feedback360.factories_reviewer import enrol, open_cycle, rater, token_from

    cycle = open_cycle(org)
    assignment = rater(cycle, enrol(cycle, learner_employee), name="R", email="r@x.test")
    invitations.invite([assignment.pk])
    mail_send_pending()
    extra = {"HTTP_AUTHORIZATION": f"Rater {token_from(mailoutbox[-1].body)}"}
    reached = set()
    for route in ROUTES:
        for method, declared in _requests(route):
            if declared == PUBLIC or method in DESCRIBE:
                continue
            response = _call(client, method, route.url(), **extra)
            where = f"rater: {method.upper()} {route.url()} ({declared})"
            assert response.status_code < 500, where
            if declared == ANSWER_AS_RATER:
                # Declining last would be kinder, but any answer but a refusal will do:
                # a used link is a 410, never a 401 or 403.
                assert response.status_code not in (401, 403), where
                reached.add(route.url())
            else:
                assert response.status_code in (302, 401, 403, 405), (
                    f"{where} answered {response.status_code}"
                )
    assert "/api/v1/360/rater/" in reached


def test_work_nobody_started_holds_no_permission_not_even_membership(org):
    from people.actors import system_actor

    robot = system_actor(organization=org)
    assert [name for name in PERMISSIONS if has_permission(robot, name)] == []
    with pytest.raises(PermissionDenied, match="member permission"):
        require(robot, "member")


def test_nobody_signed_in_holds_any_permission():
    assert [name for name in PERMISSIONS if has_permission(None, name)] == []


def test_a_misspelt_permission_fails_loudly_instead_of_letting_anyone_in(learner, org):
    with pytest.raises(ValueError, match="Unknown permission 'manage_programmes'"):
        has_permission(actor_for(learner, org), "manage_programmes")


def test_a_permission_name_cannot_be_taken_over_by_a_second_check():
    with pytest.raises(ValueError, match="'manage_roster' is already registered"):
        register("manage_roster", lambda actor: True)
    assert PERMISSIONS["manage_roster"] is can_manage_roster


def test_a_page_that_declares_no_permission_is_refused_even_to_lnd(rf, lnd_manager, org):
    """The page twin of test_an_undeclared_action_is_refused."""
    from django.http import HttpResponse
    from django.views import View

    from people.decorators import PermissionRequiredMixin

    class Forgetful(PermissionRequiredMixin, View):
        def get(self, request):
            return HttpResponse("every salary")

    request = rf.get("/forgetful/")
    request.user, request.session = lnd_manager, {}
    with pytest.raises(PermissionDenied):
        Forgetful.as_view()(request)
