"""Deny by default for pages: every view declares the permission it needs.

A page without a declaration is refused, and tests/people/test_access_walk.py walks
every URL to prove none is missing. A missing role is a 403; an object outside the
caller's scope is a 404, raised by the selector that looks it up.
"""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from people.actors import get_actor
from people.permissions import has_permission

# What a view that anyone may open (sign-in, password reset, health) declares.
PUBLIC = "public"
SIGNED_IN = "signed_in"
STAFF = "staff"
ATTR = "lodestar_permission"


def public(view):
    """Marks a view that needs no sign-in, so the access walk knows it was meant."""
    setattr(view, ATTR, PUBLIC)
    return view


def permission_required(name: str):
    """For function views: signed in, in an organisation, holding permission `name`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            actor = get_actor(request)
            if actor is None:
                return render(request, "people/no_organization.html", status=403)
            if not has_permission(actor, name):
                raise PermissionDenied
            request.actor = actor
            return view(request, *args, **kwargs)

        setattr(wrapped, ATTR, name)
        return wrapped

    return decorator


class PermissionRequiredMixin(LoginRequiredMixin):
    """For class-based views: declare `permission = "manage_roster"`. A view that
    declares nothing is refused."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        actor = get_actor(request)
        if actor is None:
            return render(request, "people/no_organization.html", status=403)
        if self.permission is None or not has_permission(actor, self.permission):
            raise PermissionDenied
        self.actor = request.actor = actor
        return super().dispatch(request, *args, **kwargs)


def signed_in(view):
    """Any signed-in user, in an organisation or not (home, switching organisation):
    the view itself shows only the user's own things."""
    wrapped = login_required(view)
    setattr(wrapped, ATTR, SIGNED_IN)
    return wrapped


def staff_required(view):
    """Site staff (the people who run this installation), not an organisation role."""
    wrapped = staff_member_required(view)
    setattr(wrapped, ATTR, STAFF)
    return wrapped
