import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.checks import STARTER
from assessments.forms import CheckForm, GoalForm, NominateForm, ReopenForm, RoundForm, TargetsForm
from assessments.models import (
    Assessment,
    AssessmentStatus,
    DevelopmentPlan,
    PlanGoal,
    ReadinessNomination,
)
from assessments.permissions import can_edit_plan, plan_shows_scores
from people import charts
from people.decorators import permission_required
from people.forms import add_service_errors
from programs import selectors as program_selectors
from programs.models import Cohort, Enrollment, Module, Program
from programs.permissions import is_own_enrollment


@permission_required("member")
def my_assessments(request):
    actor = request.actor
    context = {
        "to_do": selectors.assessments_to_do(actor=actor),
        "enrollments": list(program_selectors.learner_enrollments(actor=actor)),
        "coachees": list(program_selectors.coach_enrollments(actor=actor))
        if actor.is_coach
        else [],
    }
    if actor.is_lnd_manager:
        context["cohorts"] = program_selectors.cohort_list(organization=actor.organization)
        context["programs"] = program_selectors.program_list(organization=actor.organization)
    return render(request, "assessments/my_assessments.html", context)


@permission_required("learn")
def my_plan(request):
    """The learner's development plan: straight to it when they are in one program, a
    choice when in several."""
    enrollments = list(program_selectors.learner_enrollments(actor=request.actor))
    if len(enrollments) == 1:
        return redirect("assessments:results", enrollment=enrollments[0].pk)
    return render(request, "assessments/my_plan.html", {"enrollments": enrollments})


def _rater_assessment_or_404(actor, pk: int) -> Assessment:
    try:
        return selectors.assessment_for_rater(actor=actor, pk=pk)
    except Assessment.DoesNotExist:
        raise Http404 from None


def _posted_answers(request, assessment: Assessment) -> dict:
    """The form's answers by item key: an item left blank clears its draft answer; the
    service refuses anything that is not a rating from 1 to 5."""
    answers = {}
    for item in assessment.template.items.all():
        raw = request.POST.get(f"item-{item.key}", "")
        if raw == "":
            answers[item.key] = None
        else:
            try:
                answers[item.key] = int(raw)
            except ValueError:
                answers[item.key] = raw
    return answers


@permission_required("member")
def take(request, pk: int):
    """The rater's questionnaire, grouped by competency, with how many items remain.
    Saving a draft keeps the answers. "Submit (final)" saves them as a draft too, so a
    refused submission loses nothing, and asks for confirmation; only the confirming
    button ("confirm") makes them final."""
    actor = request.actor
    assessment = _rater_assessment_or_404(actor, pk)
    errors, error_title, show_unanswered, confirm = [], "", False, False
    if request.method == "POST" and "confirm" in request.POST:
        try:
            services.assessment_answer(actor=actor, assessment=assessment, answers={}, submit=True)
        except ValidationError as exc:
            errors, show_unanswered = exc.messages, True
            error_title = "Not submitted yet. Your answers are saved as a draft."
        else:
            messages.success(request, "Submitted. Thank you: your answers are final.")
            return redirect("assessments:mine")
    elif request.method == "POST":
        submit = "submit" in request.POST
        try:
            services.assessment_answer(
                actor=actor,
                assessment=assessment,
                answers=_posted_answers(request, assessment),
                submit=False,
            )
        except ValidationError as exc:
            errors, error_title = exc.messages, "Nothing was saved:"
        else:
            if not submit:
                messages.success(request, "Draft saved. You can finish later.")
                return redirect("assessments:take", pk=assessment.pk)
            refusal = services.assessment_submit_refusal(assessment=assessment)
            if refusal:
                errors, show_unanswered = [refusal], True
                error_title = "Not submitted yet. Your answers are saved as a draft."
            else:
                confirm = True
    return render(
        request,
        "assessments/take.html",
        {
            "assessment": assessment,
            "progress": selectors.assessment_progress(assessment=assessment),
            "errors": errors,
            "error_title": error_title,
            "show_unanswered": show_unanswered,
            "confirm": confirm,
            "final": assessment.status == AssessmentStatus.SUBMITTED,
        },
    )


@require_POST
@permission_required("member")
def take_draft(request, pk: int):
    """Saves the rater's answers as a draft while they answer (htmx posts the form on
    every change) and answers with the updated counts; without htmx, back to the page."""
    actor = request.actor
    assessment = _rater_assessment_or_404(actor, pk)
    error = ""
    try:
        services.assessment_answer(
            actor=actor,
            assessment=assessment,
            answers=_posted_answers(request, assessment),
            submit=False,
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, f"Nothing was saved: {error}")
        else:
            messages.success(request, "Draft saved. You can finish later.")
        return redirect("assessments:take", pk=assessment.pk)
    # A refused save answers 200 with the reason in the status line: htmx swaps only
    # successful responses, and the person must see why their answer was not kept.
    return render(
        request,
        "assessments/_take_progress.html",
        {
            "progress": selectors.assessment_progress(assessment=assessment),
            "saved_at": None if error else timezone.now(),
            "save_error": error,
            "oob": True,
        },
    )


def _scores_chart(results: selectors.Results):
    """Self against manager per competency, on the 1-5 scale, with the program's target."""
    targets = {g.competency: g.target for g in results.gaps}
    return charts.grouped_bars(
        title="Self and manager scores by competency, with the program's target",
        categories=[results.names.get(s.competency, s.competency) for s in results.scores],
        series=[
            charts.Series("Self", [s.self_score for s in results.scores]),
            charts.Series("Manager", [s.manager_score for s in results.scores]),
        ],
        targets=[targets.get(s.competency) for s in results.scores],
        scale=(1, 5),
        decimals=1,
        empty="No competencies to show yet.",
        chart_id="scores-chart",
        numbers=False,  # the scores table right below the chart shows them
    )


def _results_context(actor, enrollment):
    plan, _with_scores = selectors.plan_read(actor=actor, enrollment=enrollment)
    results = selectors.results_read(actor=actor, enrollment=enrollment)
    context = {
        "enrollment": enrollment,
        "results": results,
        "scores_chart": _scores_chart(results),
        "plan": plan,
        "can_edit": can_edit_plan(actor, enrollment),
        "is_learner": is_own_enrollment(actor, enrollment),
    }
    if not (plan and plan.goals.exists()):
        context["draft_awaits"] = services.plan_draft_awaits(enrollment=enrollment)
    if plan:
        progress = selectors.plan_progress(plan=plan)
        context["goals"] = [
            (
                goal,
                GoalForm(
                    prefix=f"g{goal.pk}",
                    initial={
                        "goal": goal.goal,
                        "practice_commitment": goal.practice_commitment,
                        "due_date": goal.due_date,
                    },
                ),
                progress[goal.pk],
            )
            for goal in plan.goals.all()
        ]
        unwritten = services.goals_to_write(plan)
        context["unwritten_goal_ids"] = {goal.pk for goal in unwritten}
        context["goals_to_write"] = services.goals_to_write_message(unwritten) if unwritten else ""
    return context


@permission_required("member")
def results(request, enrollment: int):
    """Scores, blind spots, gaps and the development plan: the learner, their coach, L&D.
    The line manager sees only the plan, and only once the learner shares it."""
    actor = request.actor
    try:
        enrollment = selectors.enrollment_for_plan(actor=actor, pk=enrollment)
    except Enrollment.DoesNotExist:
        raise Http404 from None
    if not plan_shows_scores(actor, enrollment):
        plan, _ = selectors.plan_read(actor=actor, enrollment=enrollment)
        if plan is not None:
            services.plan_shared_seen(actor=actor, plan=plan)
        return render(
            request, "assessments/shared_plan.html", {"enrollment": enrollment, "plan": plan}
        )
    return render(request, "assessments/results.html", _results_context(actor, enrollment))


def _enrollment_or_404(lookup, actor, pk):
    try:
        return lookup(actor=actor, pk=pk)
    except Enrollment.DoesNotExist:
        raise Http404 from None


def _plan_or_404(actor, pk):
    enrollment = _enrollment_or_404(selectors.enrollment_for_plan_edit, actor, pk)
    plan = selectors.plan_for(enrollment=enrollment)
    if plan is None:
        raise Http404
    return enrollment, plan


@require_POST
@permission_required("member")
def plan_draft(request, enrollment: int):
    actor = request.actor
    enrollment = _enrollment_or_404(selectors.enrollment_for_plan_draft, actor, enrollment)
    try:
        services.plan_draft(actor=actor, enrollment=enrollment)
    except (ValidationError, Enrollment.DoesNotExist) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", ["You cannot draft this plan."])))
    else:
        messages.success(
            request, "Plan drafted from the top gaps. Edit the goals in your own words, then agree."
        )
    return redirect("assessments:results", enrollment=enrollment.pk)


@require_POST
@permission_required("member")
def goal_update(request, pk: int):
    actor = request.actor
    try:
        goal = selectors.plan_goal_for_edit(actor=actor, pk=pk)
    except PlanGoal.DoesNotExist:
        raise Http404 from None
    form = GoalForm(request.POST, prefix=f"g{goal.pk}")
    if form.is_valid():
        try:
            services.plan_goal_update(
                actor=actor,
                goal=goal,
                text=form.cleaned_data["goal"],
                practice_commitment=form.cleaned_data["practice_commitment"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Goal saved. The plan needs both agreements again.")
    else:
        messages.error(
            request, "Check the goal: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect("assessments:results", enrollment=goal.plan.enrollment_id)


@require_POST
@permission_required("member")
def plan_agree(request, enrollment: int):
    actor = request.actor
    enrollment, plan = _plan_or_404(actor, enrollment)
    try:
        services.plan_agree(actor=actor, plan=plan)
    except DevelopmentPlan.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Agreement recorded.")
    return redirect("assessments:results", enrollment=enrollment.pk)


@require_POST
@permission_required("member")
def plan_share(request, enrollment: int):
    actor = request.actor
    enrollment, plan = _plan_or_404(actor, enrollment)
    try:
        services.plan_share(actor=actor, plan=plan, shared=request.POST.get("shared") == "1")
    except DevelopmentPlan.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{plan.shared_with.full_name} can now see your goals (not your scores)."
            if plan.shared_with_id
            else "Plan no longer shared.",
        )
    return redirect("assessments:results", enrollment=enrollment.pk)


@permission_required("manage_assessments")
def cohort_round(request, cohort: int):
    actor = request.actor
    try:
        cohort = program_selectors.cohort_get(organization=actor.organization, pk=cohort)
    except Cohort.DoesNotExist:
        raise Http404 from None
    form = RoundForm(
        request.POST or None,
        initial={
            "phase": "baseline",
            "opens_on": actor.organization.today(),
            "closes_on": selectors.default_round_close(cohort=cohort),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.assessment_round_open(actor=actor, cohort=cohort, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            note = (
                f" No manager with a login for: {', '.join(result['without_manager'])}."
                if result["without_manager"]
                else ""
            )
            messages.success(request, f"Asked for {result['created']} assessments.{note}")
            return redirect("assessments:cohort_round", cohort=cohort.pk)
    return render(
        request,
        "assessments/cohort_round.html",
        {
            "cohort": cohort,
            "form": form,
            "assessments": selectors.round_status(cohort=cohort),
            "reopen_form": ReopenForm(),
        },
    )


@require_POST
@permission_required("manage_assessments")
def reopen(request, pk: int):
    actor = request.actor
    try:
        assessment = selectors.assessment_get(organization=actor.organization, pk=pk)
    except Assessment.DoesNotExist:
        raise Http404 from None
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_reopen(
                actor=actor,
                assessment=assessment,
                reason=form.cleaned_data["reason"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Reopened; the rater can change their answers again.")
    else:
        messages.error(request, "Give a reason for reopening.")
    cohort_id = assessment.enrollment.cohort_id if assessment.enrollment else None
    return redirect("assessments:cohort_round", cohort=cohort_id) if cohort_id else redirect("home")


@permission_required("manage_assessments")
def program_targets(request, program: int):
    actor = request.actor
    try:
        program = program_selectors.program_get(organization=actor.organization, pk=program)
    except Program.DoesNotExist:
        raise Http404 from None
    competencies = list(
        program_selectors.competency_list(organization=actor.organization, include_retired=False)
    )
    current = selectors.target_levels(program=program)
    chosen_ids = {c.pk for c in program.competencies.all()}
    competencies.sort(key=lambda c: c.pk not in chosen_ids)
    form = TargetsForm(
        request.POST or None,
        competencies=competencies,
        initial_targets=current,
        chosen_ids=chosen_ids,
    )
    if request.method == "POST" and form.is_valid():
        for competency in competencies:
            value = form.cleaned_data.get(f"c{competency.pk}")
            if value is not None:
                services.target_set(
                    actor=actor, program=program, competency=competency, target=value
                )
            elif competency.pk in current:
                services.target_clear(actor=actor, program=program, competency=competency)
        messages.success(
            request,
            f"Target levels saved for {_targets_owner(program)}."
            if program.is_cohort_copy
            else "Target levels saved for the template; cohorts created from now on copy them.",
        )
        return redirect("programs:program_detail", pk=program.pk)
    return render(
        request,
        "assessments/targets.html",
        {"program": program, "form": form, "owner": _targets_owner(program)},
    )


def _targets_owner(program: Program) -> str:
    """Whose targets these are, in words: a template, or one cohort's own copy."""
    if not program.is_cohort_copy:
        return f"the template {program.title}"
    cohort = program.cohorts.first()
    return f"{cohort.name}'s own copy" if cohort else "a cohort's own copy"


# --- Knowledge checks ---------------------------------------------------------------------------


@permission_required("manage_assessments")
def check_edit(request, module: int):

    actor = request.actor
    try:
        module = program_selectors.module_get(organization=actor.organization, pk=module)
    except Module.DoesNotExist:
        raise Http404 from None
    if module.kind != "knowledge_check":
        raise Http404
    current = services.knowledge_check_for(module=module)
    form = CheckForm(
        request.POST or None,
        initial={"content": selectors.check_as_yaml(current) if current else STARTER},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.knowledge_check_publish(
                actor=actor, module=module, content=form.cleaned_data["content"]
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("content", exc.messages):
                form.add_error("content", message)
        else:
            messages.success(request, "Questions saved.")
            return redirect("programs:module_edit", pk=module.pk)
    return render(request, "assessments/check_edit.html", {"module": module, "form": form})


@permission_required("learn")
def check_take(request, enrollment: int, module: int):
    actor = request.actor
    try:
        enrollment = program_selectors.own_enrollment_get(actor=actor, pk=enrollment)
    except Enrollment.DoesNotExist:
        raise Http404 from None
    module = enrollment.cohort.program.modules.filter(pk=module, kind="knowledge_check").first()
    template = services.knowledge_check_for(module=module) if module else None
    if template is None:
        raise Http404
    if enrollment.cohort.week_starts(module.release_week) > enrollment.cohort.organization.today():
        raise Http404
    items = list(template.items.all())
    result = None
    if request.method == "POST":
        answers = {item.key: request.POST.getlist(f"q-{item.key}") for item in items}
        try:
            result = services.knowledge_check_submit(
                actor=actor, enrollment=enrollment, module=module, answers=answers
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    attempts = selectors.check_attempts(template=template, enrollment=enrollment)
    return render(
        request,
        "assessments/check_take.html",
        {
            "enrollment": enrollment,
            "module": module,
            "template": template,
            "items": items,
            "result": result,
            "attempts": attempts,
            "best": max((a.percent for a in attempts), default=None),
        },
    )


# --- Readiness ------------------------------------------------------------------------------------


@permission_required("manage_assessments")
def readiness(request):

    actor = request.actor
    form = NominateForm(
        request.POST or None,
        initial={"closes_on": actor.organization.today() + datetime.timedelta(days=14)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            nominations = services.readiness_nominate(
                actor=actor,
                emails=form.cleaned_data["emails"].splitlines(),
                closes_on=form.cleaned_data["closes_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Nominated {len(nominations)}; their line managers have been emailed."
            )
            return redirect("assessments:readiness")
    return render(
        request,
        "assessments/readiness.html",
        {
            "form": form,
            "rows": selectors.readiness_list(
                organization=actor.organization,
                nominated_by=actor.user if request.GET.get("mine") == "1" else None,
            ),
            "mine": request.GET.get("mine") == "1",
        },
    )


@permission_required("manage_assessments")
def readiness_detail(request, pk: int):
    try:
        nomination, evidence = selectors.readiness_evidence(
            organization=request.actor.organization, pk=pk
        )
    except ReadinessNomination.DoesNotExist:
        raise Http404 from None
    services.readiness_view_audit(actor=request.actor, nomination=nomination)
    return render(
        request,
        "assessments/readiness_detail.html",
        {"nomination": nomination, "evidence": evidence},
    )
