from django.db.models.signals import pre_save
from django.dispatch import Signal, receiver

# Sent after a new organisation is committed. Higher apps subscribe in their
# AppConfig.ready() to seed their content (competencies, scenario library...).
# kwargs: organization
organization_created = Signal()


@receiver(pre_save, sender="people.User")
def _close_api_tokens_when_credentials_change(sender, instance, raw, update_fields, **kwargs):
    """A login whose password is set (by a reset or invitation link, a change while
    signed in, staff in the admin, `changepassword`) or that is deactivated loses every
    API token it had, so a token copied before then stops working.

    Every one of those paths ends in User.save() after set_password() or
    set_unusable_password(), so this catches them all; bulk updates send no signal and
    revoke tokens themselves (services.logins_deactivate). It runs before the row is
    written, in the caller's transaction if there is one: at worst the save then fails
    and the tokens are gone with the old password still set, never the reverse.
    """
    if raw or instance._state.adding:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    from people import services  # services imports this module for organization_created

    # `_password` holds the new raw password from set_password() until the save; a
    # rehash on sign-in (check_password upgrading the hasher) clears it first, so that
    # does not count as a change.
    if instance._password is not None or not instance.has_usable_password():
        reason = services.TOKENS_REVOKED_PASSWORD_CHANGED
    elif not instance.is_active:
        reason = services.TOKENS_REVOKED_LOGIN_DEACTIVATED
    else:
        return
    services.api_tokens_revoke_all(user_ids=[instance.pk], reason=reason)
