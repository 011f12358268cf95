"""Roles granted and revoked: only within one's own organisation, only to people still here."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from people import services
from people.models import Employee, Membership, Role
from tests.conftest import actor_for
from tests.factories import EmployeeFactory


def test_another_organisation_cannot_revoke_our_roles(lnd_manager, outsider, other_org):
    ours = Membership.objects.get(user=lnd_manager)
    with pytest.raises(Membership.DoesNotExist):
        services.membership_revoke(actor=actor_for(outsider, other_org), membership=ours)
    assert Membership.objects.filter(pk=ours.pk).exists()


def test_someone_who_has_left_is_given_no_login(lnd_manager, org):
    gone = EmployeeFactory(
        organization=org,
        termination_date=datetime.date(2024, 1, 31),
        termination_reason="voluntary",
    )
    with pytest.raises(ValidationError, match="has left the organisation"):
        services.employee_access_grant(
            actor=actor_for(lnd_manager, org), employee=gone, roles=[Role.LEARNER]
        )
    assert Employee.objects.get(pk=gone.pk).user is None
