import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from people import services
from people.models import Membership, Organization, Role
from people.signals import organization_created


def test_command_creates_org_and_invites_first_lnd_manager(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    received = []
    organization_created.connect(
        lambda sender, organization, **kw: received.append(organization),
        weak=False,
        dispatch_uid="t",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                "create_organization",
                name="Initech",
                slug="initech",
                time_zone="America/Chicago",
                currency="usd",
                lnd_email="Peter@Initech.test",
            )
    finally:
        organization_created.disconnect(dispatch_uid="t")
    org = Organization.objects.get(slug="initech")
    assert org.currency == "USD" and org.time_zone == "America/Chicago"
    assert Membership.objects.get(organization=org).role == Role.LND_MANAGER
    assert mailoutbox[0].to == ["peter@initech.test"]
    assert received == [org]


def test_command_reports_bad_input_clearly(db):
    with pytest.raises(CommandError, match="time_zone"):
        call_command(
            "create_organization",
            name="X",
            slug="x",
            time_zone="Mars/Olympus",
            lnd_email="a@x.test",
        )
    call_command("create_organization", name="X", slug="x", lnd_email="a@x.test")
    with pytest.raises(CommandError, match="already taken"):
        call_command("create_organization", name="X2", slug="x", lnd_email="b@x.test")


def test_staff_page_creates_an_organisation(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("staff:organization_create"),
        {
            "name": "Hooli",
            "slug": "hooli",
            "time_zone": "Europe/London",
            "currency": "GBP",
            "lnd_manager_email": "gavin@hooli.test",
        },
        follow=True,
    )
    assert b"an invitation went to gavin@hooli.test" in response.content
    assert Organization.objects.filter(slug="hooli").exists()


def test_staff_page_shows_field_errors(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("staff:organization_create"),
        {
            "name": "Hooli",
            "slug": "hooli",
            "time_zone": "Europe/London",
            "currency": "12",
            "lnd_manager_email": "nope",
        },
    )
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert not Organization.objects.exists()


def test_staff_page_is_closed_to_non_staff(client, lnd_manager):
    client.force_login(lnd_manager)
    response = client.get(reverse("staff:organization_create"))
    assert response.status_code == 302


def test_service_rejects_bad_currency(db):
    with pytest.raises(ValidationError) as exc:
        services.organization_create(
            name="Y", slug="y", time_zone="UTC", currency="EURO", lnd_manager_email="a@y.test"
        )
    assert "currency" in exc.value.message_dict
