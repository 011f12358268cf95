"""One place builds an Actor, whatever the principal."""

import datetime

from people.actors import actor_for_user, actor_from_access, system_actor
from people.models import Role
from people.permissions import PERMISSIONS, has_permission
from people.selectors import org_access_for_user
from people.services import api_token_create, logins_deactivate
from tests.conftest import actor_for
from tests.factories import EmployeeFactory, MembershipFactory, UserFactory


def test_session_token_and_tests_see_the_same_actor(client, learner, org):
    client.force_login(learner)
    me_by_session = client.get("/api/v1/me/").json()
    _token, secret = api_token_create(
        actor=actor_for(learner, org), name="cli", roles=None, read_only=False
    )
    client.logout()
    me_by_token = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    built = actor_for_user(user=learner, organization=org)
    assert me_by_session == me_by_token
    assert me_by_session["roles"] == sorted(built.roles) == [Role.LEARNER]
    assert me_by_session["employee_id"] == built.employee_id


def test_a_token_never_carries_more_roles_than_its_user_holds_now(learner, org):
    access = org_access_for_user(user=learner)[org.pk]
    actor = actor_from_access(
        user=learner, access=access, roles=frozenset({Role.LEARNER, Role.LND_MANAGER})
    )
    assert actor.roles == frozenset({Role.LEARNER})


def test_someone_outside_the_organisation_gets_no_actor_there(learner, other_org):
    assert actor_for_user(user=learner, organization=other_org) is None


def test_the_system_actor_holds_no_permission(org):
    actor = system_actor(organization=org)
    assert actor.user is None and actor.is_system
    assert [name for name in PERMISSIONS if has_permission(actor, name)] == []


def test_a_leaver_keeps_no_roles_where_they_left_and_keeps_the_login_elsewhere(org, other_org):
    coach = UserFactory(email="coach@both.test")
    MembershipFactory(organization=org, user=coach, role=Role.COACH)
    MembershipFactory(organization=other_org, user=coach, role=Role.COACH)
    EmployeeFactory(
        organization=org,
        user=coach,
        termination_date=datetime.date(2024, 1, 31),
        termination_reason="voluntary",
    )
    assert set(org_access_for_user(user=coach)) == {other_org.pk}
    assert actor_for_user(user=coach, organization=org) is None
    logins_deactivate({coach.pk})
    coach.refresh_from_db()
    assert coach.is_active, "still coaches at the other organisation"
