"""The rater's pages: no account, the personal link is the credential.

The token sits in the path because the emailed link must work with JavaScript off.
These pages are never cached and not indexed; the site's referrer policy (same-origin)
already keeps the path from other sites ('no-referrer' would make the browser send
Origin: null and fail the CSRF check). Their clear 'this link no longer works' pages
are not echoed by Django's request log, which would print the path and so the token.
"""

import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from feedback360.permissions.reviewer import LinkState, link_state
from feedback360.selectors.reviewer import (
    own_rater_request,
    rater_form,
    rater_link_find,
    who_sees_what,
)
from feedback360.services import invitations
from feedback360.services import reviewer as services
from people.decorators import permission_required, public

TEMPLATES = "feedback360/reviewer/"
CLOSED_STATUS = {LinkState.UNKNOWN: 404}


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The page's URL holds the token: send only the origin as referrer (static files, the
    # redirect after submitting), never the path. 'no-referrer' would also blank the
    # Origin header that the CSRF check needs.
    response["Referrer-Policy"] = "strict-origin"
    return response


def _link_closed(request: HttpRequest, state: LinkState, assignment=None) -> HttpResponse:
    response = render(
        request,
        TEMPLATES + "link_closed.html",
        {"state": state, "assignment": assignment},
        status=CLOSED_STATUS.get(state, 410),
    )
    # Django logs every 4xx with its path, and the path holds the token.
    response._has_been_logged = True
    return _private(response)


def _saved_at(response) -> str:
    assignment = response.assignment
    tz = zoneinfo.ZoneInfo(assignment.cycle.organization.time_zone)
    return timezone.localtime(response.updated_at, tz).strftime("%H:%M")


def _form_page(
    request, token, principal, *, errors=None, submit_failed=False, status=200, saved_at=None
):
    assignment = principal.assignment
    form = rater_form(assignment=assignment)
    return _private(
        render(
            request,
            TEMPLATES + "form.html",
            {
                "token": token,
                "assignment": assignment,
                "form": form,
                "who": who_sees_what(assignment=assignment),
                "errors": errors or [],
                "submit_failed": submit_failed,
                "show_unanswered": submit_failed,
                "saved_at": saved_at,
            },
            status=status,
        )
    )


def _posted_answers(request, assignment):
    ratings = {
        k.removeprefix("rating-"): v for k, v in request.POST.items() if k.startswith("rating-")
    }
    texts = {k.removeprefix("text-"): v for k, v in request.POST.items() if k.startswith("text-")}
    return services.answers_parse(assignment=assignment, ratings=ratings, texts=texts)


@public
@require_http_methods(["GET", "POST"])
def rater_form_view(request: HttpRequest, token: str) -> HttpResponse:
    principal = rater_link_find(token=token)
    if principal.state != LinkState.OPEN:
        return _link_closed(request, principal.state, principal.assignment)
    assignment = principal.assignment
    if request.method == "GET":
        saved_at = request.GET.get("saved") == "1"
        response = getattr(assignment, "response", None) if saved_at else None
        return _form_page(
            request, token, principal, saved_at=_saved_at(response) if response else None
        )
    answers, errors = _posted_answers(request, assignment)
    if errors:
        messages = [f"{key}: {message}" for key, message in errors.items()]
        return _form_page(request, token, principal, errors=messages, status=400)
    try:
        services.response_draft_save(assignment=assignment, answers=answers)
        if "submit" not in request.POST:
            return redirect(reverse("feedback360:rater_form", args=[token]) + "?saved=1")
        services.response_submit(assignment=assignment)
    except services.LinkNotOpen as exc:
        return _link_closed(request, exc.state, assignment)
    except ValidationError as exc:
        # The answers so far are saved; the page says what is still missing.
        return _form_page(
            request,
            token,
            principal,
            errors=exc.message_dict.get("answers", []),
            submit_failed=True,
        )
    return redirect("feedback360:rater_thanks")


@public
@require_http_methods(["GET", "POST"])
def rater_decline_view(request: HttpRequest, token: str) -> HttpResponse:
    principal = rater_link_find(token=token)
    if principal.state != LinkState.OPEN:
        return _link_closed(request, principal.state, principal.assignment)
    assignment = principal.assignment
    if request.method == "POST":
        # The reason, if any, is read by nobody and kept nowhere: declining is enough.
        try:
            services.rater_decline(assignment=assignment)
        except services.LinkNotOpen as exc:
            return _link_closed(request, exc.state, assignment)
        return redirect("feedback360:rater_declined")
    return _private(
        render(
            request,
            TEMPLATES + "decline.html",
            {"token": token, "assignment": assignment, "who": who_sees_what(assignment=assignment)},
        )
    )


@public
@require_http_methods(["GET", "POST"])
def rater_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    principal = rater_link_find(token=token)
    if principal.state != LinkState.OPEN:
        return _link_closed(request, principal.state, principal.assignment)
    assignment = principal.assignment
    done = False
    if request.method == "POST":
        try:
            services.rater_unsubscribe(assignment=assignment)
        except services.LinkNotOpen as exc:
            return _link_closed(request, exc.state, assignment)
        done = True
    return _private(
        render(
            request,
            TEMPLATES + "unsubscribe.html",
            {
                "token": token,
                "assignment": assignment,
                "who": who_sees_what(assignment=assignment),
                "done": done or assignment.unsubscribed_at is not None,
            },
        )
    )


@permission_required("member")
def own_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """From a rater's home to-do: their own request, answered through a fresh link (the
    same pages as the emailed one)."""
    assignment = own_rater_request(actor=request.actor, pk=pk)
    if assignment is None:
        raise Http404
    try:
        token = invitations.link_for_own_request(actor=request.actor, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("home")
    if token is None:
        today = assignment.cycle.organization.today()
        return _link_closed(request, link_state(assignment, today=today), assignment)
    return redirect("feedback360:rater_form", token)


@public
def rater_thanks_view(request: HttpRequest) -> HttpResponse:
    return _private(render(request, TEMPLATES + "thanks.html"))


@public
def rater_declined_view(request: HttpRequest) -> HttpResponse:
    return _private(render(request, TEMPLATES + "declined.html"))


urlpatterns = [
    path("requests/<int:pk>/", own_request_view, name="own_request"),
    path("r/thanks/", rater_thanks_view, name="rater_thanks"),
    path("r/declined/", rater_declined_view, name="rater_declined"),
    path("r/<str:token>/", rater_form_view, name="rater_form"),
    path("r/<str:token>/decline/", rater_decline_view, name="rater_decline"),
    path("r/<str:token>/unsubscribe/", rater_unsubscribe_view, name="rater_unsubscribe"),
]
