"""Organisations, logins, invitations and role memberships."""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from people.audit import audit_log
from people.models import (
    Employee,
    Membership,
    Organization,
    Role,
    User,
)
from people.outbox import mail_queue_many
from people.permissions import Actor, require
from people.signals import organization_created

logger = logging.getLogger(__name__)


INVITATION = "people.invitation"


def invitation_queue(*, users: list[User], organization: Organization) -> None:
    """Queues a welcome email for each user in the mail outbox; it is rendered and sent
    after the transaction commits (see invitation_render)."""
    mail_queue_many(
        kind=INVITATION,
        organization=organization,
        ids_list=[{"user_id": u.pk, "organization_id": organization.pk} for u in users],
    )


def password_choose_link(user: User) -> str:
    """A link to choose a password (the password-reset flow), valid for three days. Call
    it only while rendering an email at sending time, so the token never sits in the
    outbox; other apps' welcome emails (an enrolment) use it too."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.LODESTAR_BASE_URL.rstrip("/") + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )


def invitation_render(ids: dict) -> EmailMessage | None:
    """A link to choose a password (the password-reset flow, worded as a welcome), or, to
    someone who already has a password, a note that they now have access. The link's
    token is made now, at sending time, so it never sits in the outbox."""
    user = User.objects.filter(pk=ids["user_id"], is_active=True).first()
    organization = Organization.objects.filter(pk=ids["organization_id"]).first()
    if user is None or organization is None:
        return None
    if user.has_usable_password():
        body = render_to_string(
            "people/email/access_granted.txt",
            {"user": user, "organization": organization, "link": settings.LODESTAR_BASE_URL},
        )
        return EmailMessage(
            f"You now have access to Lodestar at {organization.name}", body, None, [user.email]
        )
    link = password_choose_link(user)
    body = render_to_string(
        "people/email/invitation.txt",
        {"user": user, "organization": organization, "link": link},
    )
    return EmailMessage(
        f"You're invited to Lodestar at {organization.name}", body, None, [user.email]
    )


def user_get_or_create(*, email: str, full_name: str = "") -> tuple[User, bool]:
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    return User.objects.create_user(email=email, full_name=full_name), True


@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    time_zone: str,
    currency: str,
    lnd_manager_email: str,
    lnd_manager_name: str = "",
    created_by: User | None = None,
    send_invitation: bool = True,
) -> tuple[Organization, User]:
    """Creates an organisation and its first L&D manager, and invites that person.

    Raises ValidationError (keyed by field) for a taken slug or a bad time zone or
    currency. Subscribers of `organization_created` seed their content on commit.
    """
    errors = {}
    if Organization.objects.filter(slug=slug).exists():
        errors["slug"] = f"The short name '{slug}' is already taken."
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = "Use a three-letter ISO currency code, e.g. EUR."
    org = Organization(name=name, slug=slug, time_zone=time_zone, currency=currency.upper())
    try:
        org.full_clean(exclude=["slug"] if "slug" in errors else None)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    org.save()
    user, _ = user_get_or_create(email=lnd_manager_email, full_name=lnd_manager_name)
    Membership.objects.create(organization=org, user=user, role=Role.LND_MANAGER)
    audit_log(
        organization=org,
        actor=created_by,
        action="organization.created",
        target=org.slug,
        detail={"lnd_manager_user_id": user.pk},
    )
    transaction.on_commit(lambda: organization_created.send(sender=Organization, organization=org))
    if send_invitation and not user.has_usable_password():
        invitation_queue(users=[user], organization=org)
    return org, user


@transaction.atomic
def membership_grant(*, actor: Actor, user: User, role: str) -> Membership:
    require(actor, "manage_memberships")
    if role not in Role.values:
        raise ValidationError({"role": f"'{role}' is not a role."})
    membership, created = Membership.objects.get_or_create(
        organization=actor.organization, user=user, role=role
    )
    if created:
        audit_log(
            organization=actor.organization,
            actor=actor.user,
            action="membership.granted",
            target=user.email,
            detail={"role": role},
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Actor, membership: Membership) -> None:
    """Removes a role. The last L&D manager cannot remove themselves: nobody could add one back."""
    require(actor, "manage_memberships")
    if membership.organization_id != actor.organization.pk:
        raise Membership.DoesNotExist
    if membership.role == Role.LND_MANAGER:
        others = (
            Membership.objects.select_for_update()
            .filter(organization=actor.organization, role=Role.LND_MANAGER)
            .exclude(pk=membership.pk)
        )
        if not others.exists():
            raise ValidationError({"role": "An organisation needs at least one L&D manager."})
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="membership.revoked",
        target=membership.user.email,
        detail={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def employee_access_grant(
    *, actor: Actor, employee: Employee, roles: list[str], notify: bool = True
) -> User:
    """Gives a roster person a login in this organisation with the given roles.

    Creates the user if needed (or links the existing login with that email), links
    it to the employee record and emails the person: an invitation to choose a
    password, or a note that this organisation gave them access. Leaving another
    organisation never blocks this one, and this one cannot revive access elsewhere:
    access is decided per organisation (selectors.org_access_for_user).
    """
    require(actor, "manage_memberships")
    if employee.organization_id != actor.organization.pk:
        raise Employee.DoesNotExist
    if not employee.is_active:
        raise ValidationError({"employee": f"{employee.full_name} has left the organisation."})
    bad = [role for role in roles if role not in Role.values]
    if bad:
        raise ValidationError({"roles": f"Unknown role(s): {', '.join(bad)}."})
    user = employee.user
    if user is None:
        user, _ = user_get_or_create(email=employee.email, full_name=employee.full_name)
        if Employee.objects.filter(organization=actor.organization, user=user).exists():
            raise ValidationError(
                {"employee": f"{user.email} already signs in as another roster person."}
            )
        employee.user = user
        employee.save(update_fields=["user"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    for role in roles:
        membership_grant(actor=actor, user=user, role=role)
    if notify:
        invitation_queue(users=[user], organization=actor.organization)
    return user


@transaction.atomic
def employees_access_grant(
    *, actor: Actor, employees: list[Employee], role: str, notify: bool = True
) -> None:
    """employee_access_grant for many people at once, in a fixed number of queries: used
    when a whole cohort is enrolled. Leavers are refused as a group."""
    if role not in Role.values:
        raise ValidationError({"roles": f"Unknown role: {role}."})
    if any(e.organization_id != actor.organization.pk for e in employees):
        raise Employee.DoesNotExist
    today = actor.organization.today()
    gone = [e.full_name for e in employees if not e.is_employed_on(today)]
    if gone:
        raise ValidationError({"employee": f"{', '.join(gone)} left the organisation."})
    missing = [e for e in employees if e.user_id is None]
    if missing:
        by_email = {
            u.email: u for u in User.objects.filter(email__in=[e.email.lower() for e in missing])
        }
        new_users = []
        for employee in missing:
            if employee.email.lower() not in by_email:
                user = User(email=employee.email.lower(), full_name=employee.full_name)
                user.set_unusable_password()
                by_email[user.email] = user
                new_users.append(user)
        User.objects.bulk_create(new_users)
        by_email = {
            u.email: u for u in User.objects.filter(email__in=[e.email.lower() for e in missing])
        }
        taken = set(
            Employee.objects.filter(
                organization=actor.organization, user__in=list(by_email.values())
            ).values_list("user_id", flat=True)
        )
        clash = [e.email for e in missing if by_email[e.email.lower()].pk in taken]
        if clash:
            raise ValidationError(
                {"employee": f"Already sign in as another roster person: {', '.join(clash)}."}
            )
        for employee in missing:
            employee.user = by_email[employee.email.lower()]
        Employee.objects.bulk_update(missing, ["user"])
    user_ids = [e.user_id for e in employees]
    User.objects.filter(pk__in=user_ids, is_active=False).update(is_active=True)
    have = set(
        Membership.objects.filter(
            organization=actor.organization, role=role, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )
    Membership.objects.bulk_create(
        Membership(organization=actor.organization, user_id=uid, role=role)
        for uid in dict.fromkeys(user_ids)
        if uid not in have
    )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="membership.granted",
        target=f"{len(user_ids)} people",
        detail={"role": role, "count": len(user_ids)},
    )
    if notify:
        users = list(User.objects.filter(pk__in=[uid for uid in user_ids if uid not in have]))
        invitation_queue(users=users, organization=actor.organization)
