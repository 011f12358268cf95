from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render

from people.actors import get_actor
from people.permissions import has_permission


def _deny(request):
    # 404, not 403: a page someone may not see should not confirm that it exists.
    raise Http404


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
                _deny(request)
            request.actor = actor
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class PermissionRequiredMixin(LoginRequiredMixin):
    """For class-based views: declare `permission = "manage_roster"`."""

    permission: str = "view_own_org"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        actor = get_actor(request)
        if actor is None:
            return render(request, "people/no_organization.html", status=403)
        if not has_permission(actor, self.permission):
            _deny(request)
        self.actor = request.actor = actor
        return super().dispatch(request, *args, **kwargs)
