"""Pages for learners, their coaches and line managers, and the role home page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from people.decorators import permission_required
from people.forms import add_service_errors
from programs import scenario_format, selectors, services
from programs.enrollment_links import team_links
from programs.forms import DelegationForm, OutcomeForm, RatingForm, ReflectionForm, SbiForm
from programs.models import (
    AttemptStatus,
    DelegationDecision,
    Enrollment,
    Module,
    ModuleKind,
    ProgressStatus,
    Reflection,
    ScenarioAttempt,
)
from programs.module_links import links_for
from programs.permissions import can_view_practice
from programs.practice import delegation_recommend


def _own_enrollment(actor, pk: int) -> Enrollment:
    try:
        return selectors.own_enrollment_get(actor=actor, pk=pk)
    except Enrollment.DoesNotExist:
        raise Http404 from None


def _module_in(enrollment: Enrollment, module_pk: int) -> Module:
    module = (
        enrollment.cohort.program.modules.select_related("scenario__current_version")
        .filter(pk=module_pk)
        .first()
    )
    if module is None:
        raise Http404
    return module


@permission_required("learn")
def my_program(request):
    actor = request.actor
    plans = [
        selectors.learner_plan(enrollment=e) for e in selectors.learner_enrollments(actor=actor)
    ]
    return render(request, "programs/learn/my_program.html", {"plans": plans})


@permission_required("learn")
def module_page(request, enrollment: int, module: int):
    actor = request.actor
    enrollment = _own_enrollment(actor, enrollment)
    module = _module_in(enrollment, module)
    released = enrollment.cohort.week_starts(module.release_week)
    if released > enrollment.cohort.organization.today():
        messages.info(request, f"'{module.title}' opens on {released:%-d %B}.")
        return redirect("learn:home")
    progress = selectors.module_progress(enrollment=enrollment, module=module)
    context = {
        "enrollment": enrollment,
        "module": module,
        "progress": progress,
        "rating_form": RatingForm(),
        "extra_links": links_for(enrollment, module),
    }
    if progress is not None and progress.status == ProgressStatus.COMPLETED:
        context["next_module"] = selectors.next_module(
            plan=selectors.learner_plan(enrollment=enrollment)
        )
        context["show_next"] = True
    if module.kind == ModuleKind.REFLECTION:
        existing = selectors.reflection_of(enrollment=enrollment, module=module)
        form = ReflectionForm(
            request.POST or None, initial={"text": existing.text if existing else ""}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.reflection_save(
                    actor=actor,
                    enrollment=enrollment,
                    module=module,
                    text=form.cleaned_data["text"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, "Reflection saved. Only you and your coach can read it.")
                return redirect("learn:module", enrollment=enrollment.pk, module=module.pk)
        context["form"] = form
    if module.kind == ModuleKind.SCENARIO:
        context["summary"] = selectors.attempt_summary(enrollment=enrollment, module=module)
    return render(request, "programs/learn/module.html", context)


@require_POST
@permission_required("learn")
def module_complete(request, enrollment: int, module: int):
    actor = request.actor
    enrollment = _own_enrollment(actor, enrollment)
    module = _module_in(enrollment, module)
    try:
        services.module_mark_done(actor=actor, enrollment=enrollment, module=module)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"'{module.title}' marked as done.")
    return redirect("learn:module", enrollment=enrollment.pk, module=module.pk)


@require_POST
@permission_required("learn")
def module_rate(request, enrollment: int, module: int):
    actor = request.actor
    enrollment = _own_enrollment(actor, enrollment)
    module = _module_in(enrollment, module)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.module_rate(
                actor=actor, enrollment=enrollment, module=module, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Thanks for rating this module.")
    else:
        messages.error(request, "Choose a rating from 1 to 5.")
    return redirect("learn:module", enrollment=enrollment.pk, module=module.pk)


@require_POST
@permission_required("learn")
def scenario_start(request, enrollment: int, module: int):
    actor = request.actor
    enrollment = _own_enrollment(actor, enrollment)
    module = _module_in(enrollment, module)
    try:
        attempt = services.attempt_start(
            actor=actor,
            enrollment=enrollment,
            module=module,
            replay=request.POST.get("replay") == "1",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learn:module", enrollment=enrollment.pk, module=module.pk)
    return redirect("learn:attempt", pk=attempt.pk)


@permission_required("learn")
def attempt_play(request, pk: int):
    actor = request.actor
    try:
        attempt = selectors.attempt_get(actor=actor, pk=pk, own_only=True)
    except ScenarioAttempt.DoesNotExist:
        raise Http404 from None
    definition = attempt.version.definition
    last_feedback = None
    if request.method == "POST":
        try:
            choice = int(request.POST.get("choice", ""))
        except ValueError:
            choice = -1
        try:
            attempt = services.attempt_choose(
                actor=actor, attempt=attempt, step_id=request.POST.get("step", ""), choice=choice
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("learn:attempt", pk=attempt.pk)
        return redirect("learn:attempt", pk=attempt.pk)
    score_changes = []
    if attempt.path:
        last = attempt.path[-1]
        step = scenario_format.step_of(definition, last["step"])
        last_feedback = step["choices"][last["choice"]] if step else None
        if last_feedback:
            names = dict(
                selectors.competency_list(organization=actor.organization).values_list(
                    "key", "name"
                )
            )
            score_changes = [
                (names.get(k, k), delta) for k, delta in last_feedback["scores"].items()
            ]
    context = {
        "attempt": attempt,
        "scenario": attempt.version.scenario,
        "last_feedback": last_feedback,
        "score_changes": score_changes,
        "step": scenario_format.step_of(definition, attempt.current_step)
        if attempt.status == AttemptStatus.IN_PROGRESS
        else None,
        "ending": scenario_format.ending_of(definition, attempt.ending) if attempt.ending else None,
        "step_number": len(attempt.path) + 1,
        "scale": scenario_format.score_range(definition) if attempt.ending else None,
    }
    return render(request, "programs/learn/attempt.html", context)


@permission_required("learn")
def practice(request, enrollment: int):
    """The practice log: SBI feedback builder and delegation matrix, with past entries."""
    actor = request.actor
    enrollment = _own_enrollment(actor, enrollment)
    sbi_form = SbiForm(prefix="sbi")
    delegation_form = DelegationForm(prefix="del")
    flags = []
    advice = None
    if request.method == "POST" and "sbi-behavior" in request.POST:
        sbi_form = SbiForm(request.POST, prefix="sbi")
        if sbi_form.is_valid():
            try:
                entry, flags = services.sbi_entry_save(
                    actor=actor, enrollment=enrollment, **sbi_form.cleaned_data
                )
            except ValidationError as exc:
                sbi_form.add_error(None, exc.messages)
            else:
                if entry is not None:
                    messages.success(request, "SBI entry saved to your practice log.")
                    return redirect("learn:practice", enrollment=enrollment.pk)
    elif request.method == "POST" and "del-task" in request.POST:
        delegation_form = DelegationForm(request.POST, prefix="del")
        if delegation_form.is_valid():
            try:
                decision = services.delegation_decision_log(
                    actor=actor, enrollment=enrollment, **delegation_form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(delegation_form, exc)
            else:
                advice = delegation_recommend(
                    complexity=decision.complexity, readiness=decision.readiness
                )
                messages.success(
                    request,
                    f"Logged. The matrix recommends '{advice.level}': {advice.reason} "
                    "Come back to record how it went.",
                )
                return redirect("learn:practice", enrollment=enrollment.pk)
    context = {
        "enrollment": enrollment,
        "sbi_form": sbi_form,
        "delegation_form": delegation_form,
        "flags": flags,
        "outcome_form": OutcomeForm(),
        "shift": selectors.delegation_shift(enrollment=enrollment),
        **selectors.practice_log(actor=actor, enrollment=enrollment),
    }
    return render(request, "programs/learn/practice.html", context)


@require_POST
@permission_required("learn")
def delegation_outcome(request, pk: int):
    actor = request.actor
    try:
        decision = selectors.own_delegation_decision(actor=actor, pk=pk)
    except DelegationDecision.DoesNotExist:
        raise Http404 from None
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.delegation_outcome_record(
                actor=actor, decision=decision, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Outcome recorded.")
    else:
        messages.error(request, "Say how it went before saving.")
    return redirect("learn:practice", enrollment=decision.enrollment_id)


# --- Coaches and line managers ----------------------------------------------------------------------


@permission_required("coach_learners")
def coach_learners(request):
    """The coach's learners, running cohorts first (by cohort), finished ones folded away."""
    enrollments = selectors.with_summaries(
        enrollments=list(selectors.coach_enrollments(actor=request.actor))
    )
    enrollments.sort(key=lambda e: (e.cohort.start_date, e.cohort_id), reverse=True)
    running, finished = selectors.by_cohort_end(
        enrollments, today=request.actor.organization.today()
    )
    return render(
        request,
        "programs/coach/learners.html",
        {"enrollments": running, "finished": finished},
    )


@permission_required("member")
def learner_detail(request, pk: int):
    """A learner's progress for their coach, line manager or L&D; the practice log and
    reflections only for the learner's own coach."""
    actor = request.actor
    try:
        enrollment = selectors.enrollment_get(actor=actor, pk=pk)
    except Enrollment.DoesNotExist:
        raise Http404 from None
    context = {
        "enrollment": enrollment,
        "plan": selectors.learner_plan(enrollment=enrollment),
        "practice_visible": can_view_practice(actor, enrollment),
        "links": team_links(actor, [enrollment])[enrollment.pk],
    }
    if context["practice_visible"]:
        context.update(selectors.practice_log(actor=actor, enrollment=enrollment))
    return render(request, "programs/coach/learner_detail.html", context)


@permission_required("member")
def reflection_detail(request, pk: int):
    """One reflection: the learner and their own coach only. Anyone else gets a 404."""
    actor = request.actor
    try:
        reflection = selectors.reflection_get(actor=actor, pk=pk)
    except Reflection.DoesNotExist:
        raise Http404 from None
    return render(request, "programs/coach/reflection.html", {"reflection": reflection})


@permission_required("line_manager")
def team_progress(request):
    enrollments = selectors.with_summaries(
        enrollments=list(selectors.report_enrollments(actor=request.actor))
    )
    links = team_links(request.actor, enrollments)
    for enrollment in enrollments:
        enrollment.team_links = links[enrollment.pk]
    running, finished = selectors.by_cohort_end(
        enrollments, today=request.actor.organization.today()
    )
    return render(
        request,
        "programs/team_progress.html",
        {"enrollments": running, "finished": finished},
    )
