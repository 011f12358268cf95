"""360 pages: cycles and settings, for L&D managers. Each area keeps its own
urlpatterns; feedback360/urls.py joins them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from feedback360.forms_cycles import CycleForm, FeedbackSettingsForm
from feedback360.models import CycleStatus, FeedbackCycle, Questionnaire, RaterGroup
from feedback360.selectors import cycles as selectors
from feedback360.selectors import settings as settings_selectors
from feedback360.services import cycles as services
from feedback360.services.cycles import SETTINGS_BOUNDS
from people.decorators import permission_required
from people.forms import add_service_errors
from programs.models import Cohort


def _cycle_or_404(actor, pk: int) -> FeedbackCycle:
    try:
        return selectors.cycle_get(actor=actor, pk=pk)
    except FeedbackCycle.DoesNotExist:
        raise Http404 from None


@permission_required("manage_feedback")
def cycle_list(request):
    return render(
        request,
        "feedback360/cycles/cycle_list.html",
        {"cycles": selectors.cycle_list(actor=request.actor)},
    )


@require_http_methods(["GET", "POST"])
@permission_required("manage_feedback")
def cycle_new(request):
    actor = request.actor
    cohorts = list(selectors.cohort_choices(actor=actor))
    questionnaires = selectors.questionnaire_choices(actor=actor)
    initial = {}
    if request.GET.get("cohort", "").isdigit():
        initial["cohort"] = int(request.GET["cohort"])
    form = CycleForm(
        request.POST or None, cohorts=cohorts, questionnaires=questionnaires, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_create(
                actor=actor,
                cohort=selectors.cohort_get(actor=actor, pk=data["cohort"]),
                phase=data["phase"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                questionnaire=selectors.questionnaire_get(actor=actor, pk=data["questionnaire"]),
            )
        except (Cohort.DoesNotExist, Questionnaire.DoesNotExist):
            form.add_error(None, "That cohort or questionnaire is not in this organisation.")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"360 {cycle.get_phase_display().lower()} scheduled for {cycle.cohort.name}: "
                f"opens on {cycle.opens_on.day} {cycle.opens_on:%b %Y}.",
            )
            return redirect("feedback360:cycle_detail", pk=cycle.pk)
    return render(
        request,
        "feedback360/cycles/cycle_form.html",
        {"form": form, "has_questionnaires": bool(questionnaires), "has_cohorts": bool(cohorts)},
    )


@permission_required("manage_feedback")
def cycle_detail(request, pk: int):
    cycle = _cycle_or_404(request.actor, pk)
    rates = selectors.response_rates(cycle=cycle)
    return render(
        request,
        "feedback360/cycles/cycle_detail.html",
        {
            "cycle": cycle,
            "rates": rates,
            "groups": RaterGroup.choices,
            "asked": sum(r.asked_total for r in rates),
            "answered": sum(r.answered_total for r in rates),
            "is_scheduled": cycle.status == CycleStatus.SCHEDULED,
            "is_open": cycle.status == CycleStatus.OPEN,
        },
    )


@require_POST
@permission_required("manage_feedback")
def cycle_open(request, pk: int):
    cycle = _cycle_or_404(request.actor, pk)
    try:
        services.cycle_open(actor=request.actor, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"The 360 of {cycle.cohort.name} is open; it copied today's anonymity thresholds.",
        )
    return redirect("feedback360:cycle_detail", pk=cycle.pk)


@require_http_methods(["GET", "POST"])
@permission_required("manage_feedback")
def cycle_close(request, pk: int):
    """GET asks for confirmation; POST closes, for good."""
    cycle = _cycle_or_404(request.actor, pk)
    if request.method == "GET":
        return render(
            request,
            "feedback360/cycles/cycle_close.html",
            {"cycle": cycle, "is_open": cycle.status == CycleStatus.OPEN},
        )
    try:
        services.cycle_close(actor=request.actor, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The 360 of {cycle.cohort.name} is closed; it will not reopen.")
    return redirect("feedback360:cycle_detail", pk=cycle.pk)


@require_http_methods(["GET", "POST"])
@permission_required("manage_feedback")
def feedback_settings(request):
    actor = request.actor
    current = settings_selectors.feedback_settings(organization=actor.organization)
    form = FeedbackSettingsForm(
        request.POST or None, initial={name: getattr(current, name) for name in SETTINGS_BOUNDS}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_settings_update(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "360 settings saved. Cycles already open keep the values they copied."
            )
            return redirect("feedback360:settings")
    return render(request, "feedback360/cycles/settings.html", {"form": form})


urlpatterns = [
    path("cycles/", cycle_list, name="cycles"),
    path("cycles/new/", cycle_new, name="cycle_new"),
    path("cycles/<int:pk>/", cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/open/", cycle_open, name="cycle_open"),
    path("cycles/<int:pk>/close/", cycle_close, name="cycle_close"),
    path("settings/", feedback_settings, name="settings"),
]
