"""Named personas and the switches for tests that need real services."""

import datetime
import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache

from config.celery import app
from people.actors import actor_for_user
from people.models import EmployeeRecord, RecordEvent, Role
from people.permissions import Actor
from tests.factories import (
    PASSWORD,
    EmployeeFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def skip_or_fail(reason: str):
    """Without REQUIRE_SERVICES a missing service skips the test; with it, the test fails."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else "redis://127.0.0.1:6379/15"


def redis_available(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process():
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # Real hashing costs a third of a second per persona; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters and login lock-outs live in the cache; no test inherits another's.
    cache.clear()
    yield


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme Test", slug="acme-test")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Globex", slug="globex")


@pytest.fixture
def team(org):
    return TeamFactory(organization=org, name="Platform")


def _persona(org, email, roles=(), **employee_fields):
    user = UserFactory(email=email, full_name=email.split("@")[0].title())
    for role in roles:
        MembershipFactory(organization=org, user=user, role=role)
    employee = EmployeeFactory(
        organization=org, user=user, email=email, full_name=user.full_name, **employee_fields
    )
    return user, employee


@pytest.fixture
def lnd_manager(org):
    return _persona(org, "lnd@acme.test", [Role.LND_MANAGER], job_title="L&D Manager")[0]


@pytest.fixture
def line_manager_employee(org, team):
    return _persona(org, "manager@acme.test", team=team, job_title="Engineering Manager")[1]


@pytest.fixture
def line_manager(line_manager_employee):
    return line_manager_employee.user


@pytest.fixture
def learner_employee(org, team, line_manager_employee):
    return _persona(
        org, "learner@acme.test", [Role.LEARNER], team=team, manager=line_manager_employee
    )[1]


@pytest.fixture
def learner(learner_employee):
    return learner_employee.user


@pytest.fixture
def peer_learner_employee(org, team):
    """Another learner of the same cohort (tests/programs enrols both): sees only their
    own enrolment, never the learner's. Reports to nobody on the roster."""
    return _persona(org, "peer@acme.test", [Role.LEARNER], team=team)[1]


@pytest.fixture
def peer_learner(peer_learner_employee):
    return peer_learner_employee.user


@pytest.fixture
def former_line_manager_employee(org, team, learner_employee, line_manager_employee):
    """Managed the learner until a reorganisation on 1 June 2024; the HR history says so,
    and from then on nothing of the learner's is theirs to see."""
    former = _persona(org, "former@acme.test", team=team, job_title="Engineering Manager")[1]
    hire = learner_employee.records.get(event=RecordEvent.HIRE)
    hire.manager = former
    hire.save(update_fields=["manager"])
    EmployeeRecord.objects.create(
        organization=org,
        employee=learner_employee,
        effective_date=datetime.date(2024, 6, 1),
        event=RecordEvent.CHANGE,
        team=team,
        manager=line_manager_employee,
        job_title=learner_employee.job_title,
        level=learner_employee.level,
        annual_salary=learner_employee.annual_salary,
    )
    return former


@pytest.fixture
def former_line_manager(former_line_manager_employee):
    return former_line_manager_employee.user


@pytest.fixture
def coach(org):
    return _persona(org, "coach@acme.test", [Role.COACH], job_title="Coach")[0]


@pytest.fixture
def second_coach(org):
    """Another coach of the same cohort, assigned to other learners."""
    return _persona(org, "coach2@acme.test", [Role.COACH], job_title="Coach")[0]


@pytest.fixture
def executive(org):
    return _persona(org, "exec@acme.test", [Role.EXECUTIVE], job_title="CTO")[0]


@pytest.fixture
def reviewer(org, team, line_manager_employee):
    """A peer on the roster with no login: how most 360 reviewers arrive."""
    return EmployeeFactory(organization=org, team=team, manager=line_manager_employee)


@pytest.fixture
def outsider(other_org):
    """An L&D manager of another organisation: must see nothing of ours."""
    return _persona(other_org, "lnd@globex.test", [Role.LND_MANAGER])[0]


@pytest.fixture
def staff_user(db):
    return UserFactory(email="admin@lodestar.test", is_staff=True, is_superuser=True)


def actor_for(user, org) -> Actor:
    actor = actor_for_user(user=user, organization=org)
    assert actor is not None, f"{user} may not enter {org}"
    return actor


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD
