import datetime
import re
import subprocess
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from people import services
from people.models import DevMailboxMessage, Employee, Membership, Role, RosterImport
from tests.conftest import actor_for
from tests.factories import PASSWORD, EmployeeFactory, TeamFactory


def test_login_with_email_lands_on_the_role_home(client, lnd_manager):
    response = client.post(
        reverse("login"), {"username": "LND@acme.test", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert b"Learning &amp; development" in response.content


def test_wrong_password_shows_a_form_error(client, lnd_manager):
    response = client.post(reverse("login"), {"username": lnd_manager.email, "password": "nope"})
    assert response.status_code == 200
    assert b"enter a correct email" in response.content.lower()


def test_failed_logins_are_throttled(client, lnd_manager, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": lnd_manager.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": lnd_manager.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(reverse("people:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_password_reset_link_arrives_in_dev_mailbox_and_works(
    client, settings, learner, staff_user
):
    settings.EMAIL_BACKEND = "people.mail.DevMailboxBackend"
    settings.LODESTAR_DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEBUG = True
    client.post(reverse("password_reset"), {"email": learner.email})
    message = DevMailboxMessage.objects.get()
    assert message.to == learner.email

    client.force_login(staff_user)
    assert message.subject.encode() in client.get(reverse("staff:mailbox")).content
    client.logout()

    link = re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "a-new-long-pass-99", "new_password2": "a-new-long-pass-99"}
    )
    assert response.status_code == 302
    signed_in = client.post(
        reverse("login"), {"username": learner.email, "password": "a-new-long-pass-99"}
    )
    assert signed_in.status_code == 302 and signed_in.url == reverse("home")


def test_dev_mailbox_is_staff_only_and_gone_without_debug(client, learner, staff_user, settings):
    client.force_login(learner)
    assert client.get(reverse("staff:mailbox")).status_code == 302
    client.force_login(staff_user)
    mailbox = reverse("staff:mailbox")
    settings.DEBUG = True
    assert client.get(reverse("home")).content.decode().count(f'href="{mailbox}"') == 2
    settings.DEBUG = False
    assert client.get(mailbox).status_code == 404
    # Nothing offers a page that is not there: neither the menu nor the staff home.
    assert f'href="{mailbox}"' not in client.get(reverse("home")).content.decode()


def test_production_email_backend_stores_no_bodies(monkeypatch):
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": "/usr/bin:/bin",
        "LODESTAR_VAR_DIR": "/tmp/lodestar-prod-check",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "DevMailbox" not in out.stdout


def test_terminated_employee_login_is_deactivated_when_the_date_passes(learner, learner_employee):
    learner_employee.termination_date = timezone.localdate() - datetime.timedelta(days=1)
    learner_employee.termination_reason = "voluntary"
    learner_employee.save()
    assert services.terminated_logins_deactivate() == 1
    learner.refresh_from_db()
    assert not learner.is_active


def test_switching_organisation_changes_what_you_see(client, lnd_manager, org, other_org):
    Membership.objects.create(organization=other_org, user=lnd_manager, role=Role.EXECUTIVE)
    client.force_login(lnd_manager)
    home = client.get(reverse("home"))
    assert b"Globex" in home.content  # offered in the switcher
    client.post(reverse("switch_organization"), {"organization": other_org.pk})
    response = client.get(reverse("home"))
    assert b"Program impact" in response.content
    assert b"Learning &amp; development" not in response.content
    assert (
        client.post(reverse("switch_organization"), {"organization": "999999"}).status_code == 404
    )
    assert client.post(reverse("switch_organization"), {"organization": "abc"}).status_code == 404


def test_line_manager_home_lists_direct_reports(client, line_manager, learner_employee):
    client.force_login(line_manager)
    response = client.get(reverse("home"))
    assert learner_employee.full_name.encode() in response.content


def test_learner_cannot_open_people_pages(client, learner, line_manager_employee):
    client.force_login(learner)
    assert client.get(reverse("people:list")).status_code == 403
    # Any member may open a person's page, but only people in their scope: their manager
    # is not.
    assert client.get(reverse("people:detail", args=[line_manager_employee.pk])).status_code == 404
    assert client.get(reverse("people:imports")).status_code == 403


def test_line_manager_may_open_a_report_but_not_a_stranger(
    client, line_manager, learner_employee, lnd_manager, org
):
    client.force_login(line_manager)
    assert client.get(reverse("people:detail", args=[learner_employee.pk])).status_code == 200
    stranger = Employee.objects.get(user=lnd_manager)
    assert client.get(reverse("people:detail", args=[stranger.pk])).status_code == 404


def test_a_persons_page_links_their_manager_only_for_readers_who_may_open_it(
    client, learner, lnd_manager, learner_employee, line_manager_employee
):
    manager_page = reverse("people:detail", args=[line_manager_employee.pk])
    client.force_login(learner)
    own_page = client.get(reverse("people:detail", args=[learner_employee.pk])).content.decode()
    assert f"<dd>{line_manager_employee.full_name}</dd>" in own_page
    assert manager_page not in own_page

    client.force_login(lnd_manager)
    page = client.get(reverse("people:detail", args=[learner_employee.pk])).content.decode()
    assert f'<a href="{manager_page}">{line_manager_employee.full_name}</a>' in page


def test_granting_roles_in_the_page_invites_by_email(
    client, lnd_manager, org, mailoutbox, django_capture_on_commit_callbacks
):
    person = EmployeeFactory(organization=org, email="invitee@acme.test", full_name="In Vitee")
    client.force_login(lnd_manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("people:grant_access", args=[person.pk]), {"roles": ["learner", "coach"]}
        )
    assert len(mailoutbox) == 1
    assert "invited to Lodestar" in mailoutbox[0].subject
    assert "/password-reset/" in mailoutbox[0].body
    person.refresh_from_db()
    assert set(person.user.memberships.values_list("role", flat=True)) == {"learner", "coach"}


def test_api_token_page_shows_secret_once(client, learner):
    client.force_login(learner)
    response = client.post(reverse("people:tokens"), {"name": "my script"})
    secret = re.search(rb'value="(lsk_[^"]+)"', response.content).group(1)
    again = client.get(reverse("people:tokens"))
    assert secret not in again.content
    assert b"my script" in again.content


def test_api_token_page_rejects_empty_name(client, learner):
    client.force_login(learner)
    response = client.post(reverse("people:tokens"), {"name": ""})
    assert response.status_code == 200
    assert b"This field is required" in response.content


@pytest.mark.parametrize("size", [5, 80])
def test_people_page_query_count_does_not_grow(
    client, lnd_manager, org, size, django_assert_num_queries
):
    team = TeamFactory(organization=org)
    boss = EmployeeFactory(organization=org, team=team)
    EmployeeFactory.create_batch(size, organization=org, team=team, manager=boss)
    client.force_login(lnd_manager)
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        response = client.get(reverse("people:list"))
    assert response.status_code == 200


# Session, user, memberships, own record, teams for the filter, count, page.
PEOPLE_PAGE_QUERIES = 7


def test_actor_helper_matches_memberships(lnd_manager, org):
    assert actor_for(lnd_manager, org).is_lnd_manager


def test_lnd_manager_renames_a_team_and_sets_its_lead(client, lnd_manager, team, learner_employee):
    client.force_login(lnd_manager)
    url = reverse("people:team_edit", args=[team.pk])
    assert learner_employee.full_name.encode() in client.get(url).content
    response = client.post(url, {"name": "Platform Engineering", "lead": learner_employee.pk})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Platform Engineering" and team.lead == learner_employee


def test_team_lead_must_be_a_member(client, lnd_manager, team, org):
    stranger = EmployeeFactory(organization=org)
    client.force_login(lnd_manager)
    response = client.post(
        reverse("people:team_edit", args=[team.pk]), {"name": "Platform", "lead": stranger.pk}
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content


def test_team_edit_of_another_org_is_404(client, outsider, team):
    client.force_login(outsider)
    assert client.get(reverse("people:team_edit", args=[team.pk])).status_code == 404


def test_times_are_shown_in_the_readers_time_zone(client, lnd_manager, org):
    me = Employee.objects.get(user=lnd_manager)
    me.time_zone = "Asia/Tokyo"
    me.save()
    RosterImport.objects.create(
        organization=org,
        filename="tz.csv",
        content=b"",
        status="invalid",
        created_at=datetime.datetime(2026, 1, 5, 23, 30, tzinfo=datetime.UTC),
    )
    client.force_login(lnd_manager)
    assert b"6 Jan 2026 08:30" in client.get(reverse("people:imports")).content
    me.time_zone = ""
    me.save()
    assert b"6 Jan 2026 00:30" in client.get(reverse("people:imports")).content  # Europe/Berlin


def test_a_line_manager_without_a_role_opens_the_people_list_of_their_team(
    client, line_manager, learner_employee, lnd_manager
):
    client.force_login(line_manager)
    response = client.get(reverse("people:list"))
    assert response.status_code == 200
    assert learner_employee.full_name in response.content.decode()
    assert lnd_manager.full_name not in response.content.decode()


def _people_snapshot() -> dict:
    """Every row a people write could touch: roster, history, logins, roles, imports, audit."""
    from django.apps import apps

    return {
        m.__name__: list(m.objects.order_by("pk").values())
        for m in apps.get_app_config("people").get_models()
    }


PEOPLE_WRITES = {
    "membership_grant": (
        "manage memberships",
        lambda c: services.membership_grant(actor=c.actor, user=c.learner, role="coach"),
    ),
    "membership_revoke": (
        "manage memberships",
        lambda c: services.membership_revoke(actor=c.actor, membership=c.learner_role),
    ),
    # No role to grant, so not even the login is created.
    "employee_access_grant": (
        "manage memberships",
        lambda c: services.employee_access_grant(
            actor=c.actor, employee=c.newcomer, roles=[], notify=False
        ),
    ),
    "team_create": ("manage roster", lambda c: services.team_create(actor=c.actor, name="Ops")),
    "team_update": (
        "manage roster",
        lambda c: services.team_update(actor=c.actor, team=c.team, name="Renamed", lead=None),
    ),
    "roster_import_start": (
        "manage roster",
        lambda c: services.roster_import_start(
            actor=c.actor, filename="r.csv", content=b"email,name\nx@acme.test,X\n"
        ),
    ),
    "roster_import_commit": (
        "manage roster",
        lambda c: services.roster_import_commit(actor=c.actor, roster_import=c.batch),
    ),
    "roster_import_discard": (
        "manage roster",
        lambda c: services.roster_import_discard(actor=c.actor, roster_import=c.batch),
    ),
    "employee_update": (
        "manage roster",
        lambda c: services.employee_update(
            actor=c.actor,
            employee=c.report,
            team=c.team,
            manager=c.report.manager,
            job_title="Director",
            level=c.report.level,
            annual_salary=c.report.annual_salary,
            is_top_performer=True,
            effective_date=c.org.today(),
        ),
    ),
}


@pytest.mark.parametrize("write", PEOPLE_WRITES)
def test_roster_and_role_writes_refuse_a_line_manager_and_change_nothing(
    write,
    org,
    team,
    lnd_manager,
    line_manager,
    learner_employee,
    django_capture_on_commit_callbacks,
):
    from types import SimpleNamespace

    from people.models import Membership
    from tests.factories import EmployeeFactory

    with django_capture_on_commit_callbacks(execute=True):
        batch = services.roster_import_start(
            actor=actor_for(lnd_manager, org),
            filename="r.csv",
            content=b"email,name\nx@acme.test,X\n",
        )
    ctx = SimpleNamespace(
        actor=actor_for(line_manager, org),
        org=org,
        team=team,
        learner=learner_employee.user,
        learner_role=Membership.objects.get(user=learner_employee.user),
        newcomer=EmployeeFactory(organization=org, email="new@acme.test"),
        batch=batch,
        report=learner_employee,
    )
    needs, call = PEOPLE_WRITES[write]
    before = _people_snapshot()
    with pytest.raises(PermissionDenied, match=f"needs the {needs} permission"):
        call(ctx)
    assert _people_snapshot() == before


def test_someone_in_no_organisation_is_told_so_on_every_kind_of_page(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="new@nowhere.test"))
    for name in ("people:tokens", "people:list", "people:teams", "people:imports"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert b"No organisation yet" in response.content, name


def test_anonymous_visitors_to_class_based_pages_are_sent_to_sign_in(client, db):
    for name in ("people:teams", "people:imports"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
