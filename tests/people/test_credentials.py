"""Credentials end when they should: API tokens, reset and invitation links, lock-outs."""

import datetime
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from people import services
from people.credentials import reset_link_token_generator
from people.models import ApiToken, AuditEntry, Employee, Membership, Role, User
from tests.conftest import actor_for
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-fresh-long-pass-42"


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token_for(user, org, roles=None):
    _, secret = services.api_token_create(
        actor=actor_for(user, org), name="script", roles=roles, read_only=False
    )
    return secret


def api_me(client, secret):
    return client.get("/api/v1/me/", **bearer(secret))


def reset_link_for(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)},
    )


def choose_password(client, link, password=NEW_PASSWORD):
    """Follows a reset or invitation link and sets `password`; returns the final response."""
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    return client.post(set_url, {"new_password1": password, "new_password2": password})


# --- API tokens end with the password -------------------------------------------------


def test_password_reset_by_email_stops_earlier_tokens_but_not_later_ones(
    client, learner, org, mailoutbox
):
    before = token_for(learner, org)
    assert api_me(client, before).status_code == 200

    client.post(reverse("password_reset"), {"email": learner.email})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mailoutbox[0].body).group(1)
    assert choose_password(client, link).status_code == 302

    response = api_me(client, before)
    assert response.status_code == 401
    assert "password changes" in response.json()["detail"]
    after = token_for(learner, org)
    assert api_me(client, after).json()["email"] == learner.email


def test_staff_setting_a_password_in_the_admin_stops_that_persons_tokens(
    client, staff_user, learner, org
):
    secret = token_for(learner, org)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[learner.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    client.logout()
    assert api_me(client, secret).status_code == 401


def test_staff_switching_off_a_password_in_the_admin_stops_that_persons_tokens(
    client, staff_user, learner, org
):
    secret = token_for(learner, org)
    client.force_login(staff_user)
    client.post(
        reverse("admin:auth_user_password_change", args=[learner.pk]),
        {"usable_password": "false", "unset-password": "1"},
    )
    client.logout()
    learner.refresh_from_db()
    assert not learner.has_usable_password()
    assert api_me(client, secret).status_code == 401


def test_changing_your_own_password_while_signed_in_stops_your_tokens(client, org):
    staff = UserFactory(email="ops@acme.test", is_staff=True)
    Membership.objects.create(organization=org, user=staff, role=Role.LND_MANAGER)
    secret = token_for(staff, org)
    client.force_login(staff)
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api_me(client, secret).status_code == 401


def test_a_password_set_in_code_or_the_shell_stops_tokens_in_every_organisation(
    client, lnd_manager, org, other_org
):
    Membership.objects.create(organization=other_org, user=lnd_manager, role=Role.EXECUTIVE)
    here, there = token_for(lnd_manager, org), token_for(lnd_manager, other_org)
    lnd_manager.set_password(NEW_PASSWORD)  # what `manage.py changepassword` does
    lnd_manager.save()
    assert api_me(client, here).status_code == 401
    assert api_me(client, there).status_code == 401


def test_revoking_for_a_password_change_is_audited_without_secrets(lnd_manager, org):
    secret = token_for(lnd_manager, org)
    token_for(lnd_manager, org)
    lnd_manager.set_password(NEW_PASSWORD)
    lnd_manager.save()
    entry = AuditEntry.objects.get(action="api_token.revoked_all")
    assert entry.organization == org
    assert entry.target == lnd_manager.email
    assert entry.detail["reason"] == "password_changed"
    assert entry.detail["count"] == 2
    token = ApiToken.objects.first()
    recorded = str(entry.detail) + entry.target
    assert secret not in recorded and token.key_hash not in recorded


def test_other_peoples_tokens_and_unrelated_saves_leave_tokens_alone(
    client, learner, lnd_manager, org
):
    mine, theirs = token_for(learner, org), token_for(lnd_manager, org)
    learner.full_name = "Renamed Learner"
    learner.save()
    lnd_manager.set_password(NEW_PASSWORD)
    lnd_manager.save()
    assert api_me(client, mine).status_code == 200
    assert api_me(client, theirs).status_code == 401


def test_signing_in_after_a_hasher_upgrade_keeps_tokens(client, learner, org, settings):
    secret = token_for(learner, org)
    # Signing in re-hashes the stored password with the preferred hasher. The password
    # itself is unchanged, so the tokens stay.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    response = client.post(reverse("login"), {"username": learner.email, "password": PASSWORD})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.password.startswith("pbkdf2_sha256$")
    assert api_me(client, secret).status_code == 200


# --- Closed logins ---------------------------------------------------------------------


def test_a_deactivated_login_keeps_no_working_tokens_even_once_reactivated(
    client, lnd_manager, learner, learner_employee, org
):
    secret = token_for(learner, org)
    learner.is_active = False
    learner.save()  # as the admin's change form does
    assert api_me(client, secret).status_code == 401

    services.employee_access_grant(
        actor=actor_for(lnd_manager, org),
        employee=learner_employee,
        roles=[Role.LEARNER],
        notify=False,
    )
    learner.refresh_from_db()
    assert learner.is_active
    assert api_me(client, secret).status_code == 401


def test_a_leaver_whose_login_closes_keeps_no_working_tokens_after_rehire(
    client, lnd_manager, learner, learner_employee, org
):
    secret = token_for(learner, org)
    learner_employee.termination_date = datetime.date.today() - datetime.timedelta(days=2)
    learner_employee.termination_reason = "voluntary"
    learner_employee.save()
    assert services.terminated_logins_deactivate() == 1
    entry = AuditEntry.objects.get(action="api_token.revoked_all")
    assert entry.detail["reason"] == "login_deactivated"

    rehired = Employee.objects.get(pk=learner_employee.pk)
    rehired.termination_date = None
    rehired.termination_reason = ""
    rehired.save()
    services.employee_access_grant(
        actor=actor_for(lnd_manager, org),
        employee=rehired,
        roles=[Role.LEARNER],
        notify=False,
    )
    assert api_me(client, secret).status_code == 401
    assert api_me(client, token_for(learner, org)).status_code == 200


def test_a_revoked_role_narrows_a_token_at_once(client, lnd_manager, org):
    coach_role = Membership.objects.create(organization=org, user=lnd_manager, role=Role.COACH)
    secret = token_for(lnd_manager, org, roles=[Role.LND_MANAGER, Role.COACH])
    assert api_me(client, secret).json()["roles"] == ["coach", "lnd_manager"]

    services.membership_revoke(actor=actor_for(lnd_manager, org), membership=coach_role)
    assert api_me(client, secret).json()["roles"] == ["lnd_manager"]


def test_a_token_stops_when_its_owner_has_nothing_left_in_that_organisation(
    client, lnd_manager, org
):
    # An outside coach: a role here, but no roster record that would still let them in.
    outside_coach = UserFactory(email="coach@outside.test")
    role = Membership.objects.create(organization=org, user=outside_coach, role=Role.COACH)
    secret = token_for(outside_coach, org)
    assert api_me(client, secret).json()["roles"] == ["coach"]
    services.membership_revoke(actor=actor_for(lnd_manager, org), membership=role)
    response = api_me(client, secret)
    assert response.status_code == 401
    assert "no longer yours" in response.json()["detail"]


# --- Password-reset requests are throttled -----------------------------------------------


def request_reset(client, email, ip="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_one_address_gets_at_most_three_reset_emails_an_hour(client, learner, mailoutbox):
    responses = [request_reset(client, learner.email, ip=f"198.51.100.{n}") for n in range(11)]
    assert len(mailoutbox) == 3
    assert {(r.status_code, r.url) for r in responses} == {(302, reverse("password_reset_done"))}


def test_the_address_count_ignores_case_and_spaces(client, learner, mailoutbox):
    for email in [
        "learner@acme.test",
        "LEARNER@acme.test",
        " Learner@Acme.Test ",
        "learner@acme.test",
    ]:
        request_reset(client, email)
    assert len(mailoutbox) == 3


def test_one_client_gets_at_most_ten_reset_requests_an_hour(client, org, mailoutbox):
    users = [UserFactory(email=f"person{n}@acme.test") for n in range(12)]
    for user in users[:10]:
        request_reset(client, user.email)
    assert len(mailoutbox) == 10

    request_reset(client, users[10].email)
    assert len(mailoutbox) == 10
    request_reset(client, users[11].email, ip="192.0.2.50")
    assert mailoutbox[-1].to == [users[11].email]


def test_a_throttled_request_looks_the_same_as_for_an_unknown_address(client, learner):
    for _ in range(3):
        request_reset(client, learner.email)
    throttled = request_reset(client, learner.email)
    unknown = request_reset(client, "nobody@acme.test")
    assert (throttled.status_code, throttled.url) == (unknown.status_code, unknown.url)
    page = client.get(throttled.url)
    assert b"If that address has an account" in page.content


def test_requests_for_unknown_addresses_use_up_the_clients_budget(client, learner, mailoutbox):
    for n in range(10):
        request_reset(client, f"guess{n}@acme.test")
    request_reset(client, learner.email)
    assert mailoutbox == []


# --- Reset and invitation links ---------------------------------------------------------


def test_a_reset_link_works_once(client, learner):
    link = reset_link_for(learner)
    assert choose_password(client, link).status_code == 302
    client.logout()
    again = client.get(link, follow=True)
    assert b"expired or was already used" in again.content
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)


def move_clock(monkeypatch, hours):
    later = datetime.datetime.now() + datetime.timedelta(hours=hours)
    monkeypatch.setattr(reset_link_token_generator, "_now", lambda: later)


def test_a_reset_link_expires_after_two_hours(client, learner, monkeypatch):
    link = reset_link_for(learner)
    move_clock(monkeypatch, 2.1)
    assert b"expired or was already used" in client.get(link, follow=True).content
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_an_invitation_link_lasts_three_days_then_expires(client, db, monkeypatch):
    invitee = User.objects.create_user(email="invitee@acme.test")
    link = reset_link_for(invitee)
    move_clock(monkeypatch, 24 * 3 + 1)
    assert b"expired or was already used" in client.get(link, follow=True).content

    move_clock(monkeypatch, 24 * 2)
    assert choose_password(client, link).status_code == 302
    client.logout()
    assert b"expired or was already used" in client.get(link, follow=True).content


# --- Sign-in lock-out: per email and, separately, per client address ------------------------


def sign_in(client, email, password, ip):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_one_client_trying_many_emails_is_locked_out(client, learner, coach, settings):
    for n in range(settings.LODESTAR_LOGIN_ADDRESS_FAILURE_LIMIT):
        sign_in(client, f"guess{n}@acme.test", "Summer2025!", "203.0.113.9")
    locked = sign_in(client, learner.email, PASSWORD, "203.0.113.9")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content

    # Somebody else, elsewhere, is unaffected.
    elsewhere = sign_in(client, coach.email, PASSWORD, "192.0.2.10")
    assert elsewhere.status_code == 302 and elsewhere.url == reverse("home")


def test_one_email_tried_from_many_addresses_is_locked_out(client, learner, coach, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, learner.email, "wrong", f"198.51.100.{n}")
    assert sign_in(client, learner.email, PASSWORD, "192.0.2.99").status_code == 429
    elsewhere = sign_in(client, coach.email, PASSWORD, "192.0.2.10")
    assert elsewhere.status_code == 302 and elsewhere.url == reverse("home")


def test_a_few_mistakes_from_a_shared_office_address_do_not_lock_it(client, learner, coach):
    for n in range(6):
        sign_in(client, f"colleague{n}@acme.test", "typo", "203.0.113.20")
    assert sign_in(client, learner.email, PASSWORD, "203.0.113.20").status_code == 302


def test_signing_in_to_your_own_account_does_not_clear_guesses_at_others(
    client, learner, coach, settings
):
    limit = settings.LODESTAR_LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit - 1):
        sign_in(client, f"guess{n}@acme.test", "Summer2025!", "203.0.113.9")
    assert sign_in(client, coach.email, PASSWORD, "203.0.113.9").status_code == 302
    client.logout()
    sign_in(client, "one-more@acme.test", "Summer2025!", "203.0.113.9")
    assert sign_in(client, learner.email, PASSWORD, "203.0.113.9").status_code == 429


def test_the_admin_sign_in_shares_the_lock_out_whatever_the_case_of_the_email(
    client, staff_user, settings
):
    # The admin's form, unlike ours, passes the email on as typed.
    variants = ["ADMIN@lodestar.test", "Admin@Lodestar.test", " admin@LODESTAR.test"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": variants[n % len(variants)], "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{n}",
        )
    assert sign_in(client, staff_user.email, PASSWORD, "192.0.2.99").status_code == 429


@pytest.fixture
def behind_one_proxy(settings):
    settings.LODESTAR_TRUSTED_PROXY_COUNT = 1


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(
    client, learner, settings, behind_one_proxy
):
    proxy = "10.0.0.2"
    for n in range(settings.LODESTAR_LOGIN_ADDRESS_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"guess{n}@acme.test", "password": "x"},
            REMOTE_ADDR=proxy,
            # The attacker makes up the left-hand entry; the proxy appends what it saw.
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        )
    locked = client.post(
        reverse("login"),
        {"username": learner.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert locked.status_code == 429
    colleague = client.post(
        reverse("login"),
        {"username": learner.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert colleague.status_code == 302
