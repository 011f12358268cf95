import zoneinfo

from django.utils import timezone

from people.actors import get_actor


class ReaderTimeZoneMiddleware:
    """Shows times in the reader's own time zone, else their organisation's.

    Everything is stored in UTC; this only changes how templates and forms render it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = get_actor(request) if request.user.is_authenticated else None
        name = ""
        if actor is not None:
            name = (
                actor.employee.time_zone if actor.employee else ""
            ) or actor.organization.time_zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(name)) if name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
