"""Pages for L&D managers: competencies, programs, modules, scenarios, cohorts, enrolment."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from people import charts
from people import selectors as people_selectors
from people.decorators import permission_required
from people.forms import add_service_errors
from people.models import Role
from programs import completion, home_reads, program_links, scenario_format, selectors, services
from programs.forms import (
    CohortForm,
    CompetencyForm,
    EnrolCsvForm,
    EnrolPickerFilterForm,
    ModuleForm,
    MoveForm,
    ProgramForm,
    ScenarioEditForm,
    ScenarioUploadForm,
)
from programs.models import (
    Cohort,
    Competency,
    Enrollment,
    EnrollmentImport,
    EnrollmentImportStatus,
    EnrollmentStatus,
    Module,
    Program,
    Scenario,
)
from programs.module_links import links_for

MAX_ID = 2**63 - 1


def _posted_ids(values: list[str]) -> set[int]:
    """Ids from checkboxes; anything that is not a plain number in range is ignored."""
    # The length check first: int() refuses more than 4,300 digits with an error.
    return {
        int(v)
        for v in values
        if len(v) <= 19 and v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID
    }


def _errors_to_form(form, exc: ValidationError) -> None:
    add_service_errors(form, exc)


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except (
        Program.DoesNotExist,
        Module.DoesNotExist,
        Scenario.DoesNotExist,
        Cohort.DoesNotExist,
        Competency.DoesNotExist,
        Enrollment.DoesNotExist,
        EnrollmentImport.DoesNotExist,
    ):
        raise Http404 from None


# --- Competencies -------------------------------------------------------------------------


@permission_required("manage_programs")
def competency_list(request):
    actor = request.actor
    form = CompetencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.competency_save(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"Competency '{form.cleaned_data['name']}' added.")
            return redirect("programs:competencies")
    return render(
        request,
        "programs/competency_list.html",
        {
            "competencies": selectors.competency_list(organization=actor.organization),
            "form": form,
            "review": home_reads.framework_review(organization=actor.organization),
        },
    )


@require_POST
@permission_required("manage_programs")
def framework_reviewed(request):
    services.framework_mark_reviewed(actor=request.actor)
    messages.success(request, "Competency framework marked as reviewed.")
    return redirect("programs:competencies")


@permission_required("manage_programs")
def competency_edit(request, pk: int):
    actor = request.actor
    competency = _get_or_404(selectors.competency_get, organization=actor.organization, pk=pk)
    form = CompetencyForm(
        request.POST or None,
        initial={"name": competency.name, "description": competency.description},
    )
    if request.method == "POST":
        if "retire" in request.POST or "restore" in request.POST:
            services.competency_set_retired(
                actor=actor, competency=competency, retired="retire" in request.POST
            )
            messages.success(
                request,
                f"'{competency.name}' {'retired' if 'retire' in request.POST else 'restored'}.",
            )
            return redirect("programs:competencies")
        if form.is_valid():
            try:
                services.competency_save(actor=actor, competency=competency, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "Competency saved.")
                return redirect("programs:competencies")
    return render(
        request, "programs/competency_edit.html", {"competency": competency, "form": form}
    )


# --- Programs and modules ---------------------------------------------------------------------


@permission_required("manage_programs")
def program_list(request):
    return render(
        request,
        "programs/program_list.html",
        {"programs": selectors.program_list(organization=request.actor.organization)},
    )


@permission_required("manage_programs")
def program_edit(request, pk: int | None = None):
    actor = request.actor
    program = (
        _get_or_404(selectors.program_get, organization=actor.organization, pk=pk) if pk else None
    )
    competencies = selectors.competency_list(organization=actor.organization, include_retired=False)
    initial = {}
    if program:
        initial = {
            "title": program.title,
            "audience": program.audience,
            "duration_weeks": program.duration_weeks,
            "description": program.description,
            "cost_per_participant": program.cost_per_participant,
            "competencies": [str(c.pk) for c in program.competencies.all()],
        }
    form = ProgramForm(request.POST or None, competencies=competencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = services.program_save(
                actor=actor,
                program=program,
                title=data["title"],
                audience=data["audience"],
                duration_weeks=data["duration_weeks"],
                description=data["description"],
                cost_per_participant=data["cost_per_participant"],
                competency_ids=[int(c) for c in data["competencies"]],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            step = None if pk else program_links.step_after_create(program)
            if step:
                label, url = step
                messages.success(
                    request, f"Program '{program.title}' created. Next: {label.lower()}."
                )
                return redirect(url)
            messages.success(request, f"Program '{program.title}' saved.")
            return redirect("programs:program_detail", pk=program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


def _module_form(request, actor, module=None):
    initial = {}
    if module:
        initial = {
            "title": module.title,
            "kind": module.kind,
            "release_week": module.release_week,
            "body": module.body,
            "scenario": str(module.scenario_id or ""),
            "competencies": [str(c.pk) for c in module.competencies.all()],
            "estimated_minutes": module.estimated_minutes,
            "session_starts_at": module.session_starts_at,
            "session_location": module.session_location,
        }
    return ModuleForm(
        request.POST or None,
        competencies=selectors.competency_list(
            organization=actor.organization, include_retired=False
        ),
        scenarios=selectors.scenario_list(organization=actor.organization),
        initial=initial,
        prefix="module",
    )


def _save_module(request, actor, program, form, module=None):
    data = form.cleaned_data
    scenario = selectors.scenario_or_none(organization=actor.organization, pk=data["scenario"])
    return services.module_save(
        actor=actor,
        program=program,
        module=module,
        title=data["title"],
        kind=data["kind"],
        release_week=data["release_week"],
        body=data["body"],
        scenario=scenario,
        competency_ids=[int(c) for c in data["competencies"]],
        estimated_minutes=data["estimated_minutes"] or 15,
        session_starts_at=data["session_starts_at"],
        session_location=data["session_location"],
    )


@permission_required("manage_programs")
def program_detail(request, pk: int):
    actor = request.actor
    program = _get_or_404(selectors.program_get, organization=actor.organization, pk=pk)
    form = _module_form(request, actor)
    if request.method == "POST" and form.is_valid():
        try:
            module = _save_module(request, actor, program, form)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request, f"Module '{module.title}' added to week {module.release_week}."
            )
            return redirect("programs:program_detail", pk=program.pk)
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "modules": selectors.program_modules(program=program),
            "form": form,
            "program_links": program_links.links_for(program),
        },
    )


@permission_required("manage_programs")
def module_edit(request, pk: int):
    actor = request.actor
    module = _get_or_404(selectors.module_get, organization=actor.organization, pk=pk)
    form = _module_form(request, actor, module)
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                services.module_delete(actor=actor, module=module)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("programs:module_edit", pk=module.pk)
            messages.success(request, "Module removed.")
            return redirect("programs:program_detail", pk=module.program_id)
        if form.is_valid():
            try:
                _save_module(request, actor, module.program, form, module)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "Module saved.")
                return redirect("programs:program_detail", pk=module.program_id)
    return render(
        request,
        "programs/module_edit.html",
        {"module": module, "form": form, "extra_links": links_for(None, module)},
    )


# --- Scenarios ----------------------------------------------------------------------------------


@permission_required("manage_programs")
def scenario_list(request):
    actor = request.actor
    form = ScenarioUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario, changed = services.scenario_import(
                actor=actor, content=form.cleaned_data["file"].read()
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            note = f"version {scenario.current_version.number}" if changed else "no changes"
            messages.success(request, f"Scenario '{scenario.title}' imported ({note}).")
            return redirect("programs:scenario_detail", pk=scenario.pk)
    return render(
        request,
        "programs/scenario_list.html",
        {"scenarios": selectors.scenario_list(organization=actor.organization), "form": form},
    )


@permission_required("manage_programs")
def scenario_new(request):
    """Authoring from scratch: a valid starter scenario to edit, checked on save."""
    actor = request.actor
    form = ScenarioEditForm(request.POST or None, initial={"content": scenario_format.STARTER_YAML})
    if request.method == "POST" and form.is_valid():
        try:
            scenario, _ = services.scenario_import(
                actor=actor, content=form.cleaned_data["content"], must_be_new=True
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("content", message)
        else:
            messages.success(request, f"Scenario '{scenario.title}' published.")
            return redirect("programs:scenario_detail", pk=scenario.pk)
    return render(request, "programs/scenario_new.html", {"form": form})


@permission_required("manage_programs")
def scenario_detail(request, pk: int):
    actor = request.actor
    scenario = _get_or_404(selectors.scenario_get, organization=actor.organization, pk=pk)
    form = ScenarioEditForm(
        request.POST or None, initial={"content": services.scenario_export_yaml(scenario=scenario)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            scenario, changed = services.scenario_import(
                actor=actor, content=form.cleaned_data["content"], expected_key=scenario.key
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("content", message)
        else:
            messages.success(
                request,
                f"Published version {scenario.current_version.number}. Attempts already made keep "
                "the version they were played on."
                if changed
                else "Nothing changed.",
            )
            return redirect("programs:scenario_detail", pk=scenario.pk)
    return render(
        request,
        "programs/scenario_detail.html",
        {"scenario": scenario, "definition": scenario.current_version.definition, "form": form},
    )


@permission_required("manage_programs")
def scenario_export(request, pk: int):
    scenario = _get_or_404(selectors.scenario_get, organization=request.actor.organization, pk=pk)
    response = HttpResponse(
        services.scenario_export_yaml(scenario=scenario),
        content_type="application/yaml; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{scenario.key}.yaml"'
    return response


# --- Cohorts and enrolment ----------------------------------------------------------------------


@permission_required("manage_programs")
def cohort_list(request):
    return render(
        request,
        "programs/cohort_list.html",
        {"cohorts": selectors.cohort_list(organization=request.actor.organization)},
    )


def _cohort_form(request, actor, cohort=None):
    org = actor.organization
    staff = people_selectors.organization_users(organization=org)
    coaches = people_selectors.organization_users(organization=org, role=Role.COACH)
    initial = {}
    if cohort:
        initial = {
            "name": cohort.name,
            "program": str(cohort.program.template_id or cohort.program_id),
            "start_date": cohort.start_date,
            "end_date": cohort.end_date,
            "capacity": cohort.capacity,
            "facilitator": str(cohort.facilitator_id or ""),
            "coaches": [str(c.pk) for c in cohort.coaches.all()],
        }
    return CohortForm(
        request.POST or None,
        programs=selectors.program_list(organization=org),
        people=staff,
        coaches=coaches,
        initial=initial,
    )


@permission_required("manage_programs")
def cohort_edit(request, pk: int | None = None):
    actor = request.actor
    cohort = (
        _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk) if pk else None
    )
    form = _cohort_form(request, actor, cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        program = _get_or_404(
            selectors.program_get, organization=actor.organization, pk=int(data["program"])
        )
        facilitator = (
            people_selectors.organization_users(organization=actor.organization)
            .filter(pk=data["facilitator"])
            .first()
            if data["facilitator"]
            else None
        )
        try:
            cohort = services.cohort_save(
                actor=actor,
                cohort=cohort,
                program=program,
                name=data["name"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                capacity=data["capacity"],
                facilitator=facilitator,
                coach_ids=[int(c) for c in data["coaches"]],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"Cohort '{cohort.name}' saved.")
            return redirect("programs:cohort_detail", pk=cohort.pk)
    return render(request, "programs/cohort_form.html", {"form": form, "cohort": cohort})


@permission_required("manage_programs")
def cohort_detail(request, pk: int):
    actor = request.actor
    cohort = _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk)
    modules, rows = selectors.progress_grid(cohort=cohort)
    others = selectors.cohort_list(organization=actor.organization).exclude(pk=cohort.pk)
    weeks = completion.cohort_weekly_completion(cohort=cohort)
    return render(
        request,
        "programs/cohort_detail.html",
        {
            "cohort": cohort,
            "completion_chart": charts.columns(
                title=f"{cohort.name}: released modules completed by the end of each week",
                labels=[f"Week {w.week}" for w in weeks],
                values=[w.percent for w in weeks],
                axis_labels=[str(w.week) for w in weeks],
                axis_title="Week",
                series_label="Released modules completed",
                empty="No weeks yet: the program has no duration.",
                chart_id="completion-chart",
            ),
            "modules": modules,
            "rows": _with_cell_labels(rows),
            "move_form": MoveForm(cohorts=others),
            "csv_form": EnrolCsvForm(),
        },
    )


# The words a grid cell says, in its tooltip and to screen readers.
CELL_STATUS_WORDS = {
    "completed": "done",
    "in_progress": "started",
    "open": "open",
    "locked": "not released yet",
}


def _with_cell_labels(rows):
    """Gives each grid cell a `label` naming the module, its week and the learner's status
    (shown on hover and read by screen readers, as the square itself is only a glyph)."""
    for row in rows:
        for cell in row.cells:
            module = cell["module"]
            words = CELL_STATUS_WORDS.get(cell["status"], cell["status"])
            if cell["overdue"]:
                words += ", overdue"
            if cell["score"] is not None:
                words += f", {_best_score_words(cell)}"
            cell["label"] = f"Week {module.release_week}: {module.title}: {words}"
    return rows


@require_POST
@permission_required("manage_programs")
def cohort_nudge(request, pk: int):
    """Emails the chosen learners of this cohort a link to their next module."""
    actor = request.actor
    cohort = _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk)
    chosen = _posted_ids(request.POST.getlist("enrollment"))
    if not chosen:
        messages.error(request, "Choose the learners to nudge first: nobody was nudged.")
        return redirect("programs:cohort_detail", pk=cohort.pk)
    nudged = services.cohort_nudge(actor=actor, cohort=cohort, enrollment_ids=sorted(chosen))
    if nudged:
        count = len(nudged)
        messages.success(request, f"Nudged {count} learner{'s' if count != 1 else ''}.")
    left_out = len(chosen) - len(nudged)
    if left_out:
        messages.warning(
            request,
            f"{left_out} of the selected {'was' if left_out == 1 else 'were'} not nudged: "
            "only active learners of this cohort who can sign in are emailed.",
        )
    return redirect("programs:cohort_detail", pk=cohort.pk)


def _csv_safe(value) -> str:
    """Spreadsheets run cells that start with these characters as formulas."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@permission_required("manage_programs")
def cohort_progress_csv(request, pk: int):
    actor = request.actor
    cohort = _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk)
    modules, rows = selectors.progress_grid(cohort=cohort)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-progress.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["Learner", "Email", "Coach", "Completed", "Behind schedule"]
        + [f"W{m.release_week}: {m.title}" for m in modules]
    )
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.enrollment.employee.full_name),
                _csv_safe(row.enrollment.employee.email),
                _csv_safe(row.enrollment.coach or ""),
                f"{row.completed}/{len(modules)}",
                row.behind,
            ]
            + [_grid_cell_text(cell) for cell in row.cells]
        )
    services.progress_export_audit(actor=actor, cohort=cohort)
    return response


def _grid_cell_text(cell: dict) -> str:
    text = cell["status"].replace("_", " ")
    if cell["overdue"]:
        text += " (overdue)"
    if cell["score"] is not None:
        text += f", {_best_score_words(cell)}"
    return text


def _best_score_words(cell: dict) -> str:
    """ "best -1 of -10 to 24": a raw scenario score means nothing without its scale."""
    low, high = cell["scale"]
    return f"best {cell['score']} of {low} to {high}"


@permission_required("manage_programs")
def enrol_picker(request, pk: int):
    actor = request.actor
    cohort = _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk)
    teams = people_selectors.team_list(organization=actor.organization)
    managers = people_selectors.line_managers(organization=actor.organization)
    filters = EnrolPickerFilterForm(request.GET or None, teams=teams, managers=managers)
    chosen: set[int] = set()
    if request.method == "POST":
        ids = _posted_ids(request.POST.getlist("employee"))
        chosen = set(ids)
        people = people_selectors.employees_by_ids(organization=actor.organization, ids=ids)
        if not people:
            messages.error(request, "Choose at least one person to enrol.")
        else:
            try:
                services.enrollment_add(actor=actor, cohort=cohort, employees=people)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request, f"Enrolled {len(people)} learner{'s' if len(people) != 1 else ''}."
                )
                return redirect("programs:cohort_detail", pk=cohort.pk)
    data = filters.cleaned_data if filters.is_valid() else {}
    candidates = people_selectors.employee_search(
        actor=actor, text=data.get("q", ""), team_id=int(data["team"]) if data.get("team") else None
    )
    if data.get("level"):
        candidates = candidates.filter(level__iexact=data["level"])
    if data.get("manager"):
        candidates = candidates.filter(manager_id=int(data["manager"]))
    enrolled = set(
        selectors.cohort_enrollments(cohort=cohort).values_list("employee_id", flat=True)
    )
    return render(
        request,
        "programs/enrol_picker.html",
        {
            "cohort": cohort,
            "filters": filters,
            "candidates": candidates[:200],
            "enrolled": enrolled,
            "chosen": chosen,
        },
    )


@permission_required("manage_programs")
def enrol_csv(request, pk: int):
    actor = request.actor
    cohort = _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk)
    form = EnrolCsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.enrollment_import_start(
                actor=actor, cohort=cohort, filename=upload.name, content=upload.read()
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect("programs:enrol_csv_preview", pk=cohort.pk, batch=batch.pk)
    recent = selectors.enrollment_import_list(organization=actor.organization).filter(
        cohort=cohort
    )[:10]
    return render(
        request, "programs/enrol_csv.html", {"cohort": cohort, "form": form, "imports": recent}
    )


ROWS_PER_PAGE = 200


@permission_required("manage_programs")
def enrol_csv_preview(request, pk: int, batch: int):
    actor = request.actor
    cohort = _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk)
    batch = _get_or_404(selectors.enrollment_import_get, cohort=cohort, pk=batch)
    default = "problems" if batch.status == EnrollmentImportStatus.INVALID else "all"
    show = request.GET.get("show", default)
    show = show if show in ("problems", "all") else default
    rows = selectors.enrollment_import_rows(
        enrollment_import=batch, problems_only=show == "problems"
    )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/enrol_csv_preview.html",
        {"cohort": cohort, "batch": batch, "page": page, "show": show},
    )


@require_POST
@permission_required("manage_programs")
def enrol_csv_commit(request, pk: int, batch: int):
    actor = request.actor
    cohort = _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk)
    batch = _get_or_404(selectors.enrollment_import_get, cohort=cohort, pk=batch)
    try:
        enrolled = services.enrollment_import_commit(actor=actor, enrollment_import=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("programs:enrol_csv_preview", pk=cohort.pk, batch=batch.pk)
    messages.success(
        request,
        f"Enrolled {len(enrolled)} learner{'s' if len(enrolled) != 1 else ''} "
        f"from {batch.filename}.",
    )
    return redirect("programs:cohort_detail", pk=cohort.pk)


@require_POST
@permission_required("manage_programs")
def enrol_csv_discard(request, pk: int, batch: int):
    actor = request.actor
    cohort = _get_or_404(selectors.cohort_get, organization=actor.organization, pk=pk)
    batch = _get_or_404(selectors.enrollment_import_get, cohort=cohort, pk=batch)
    try:
        services.enrollment_import_discard(actor=actor, enrollment_import=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("programs:enrol_csv_preview", pk=cohort.pk, batch=batch.pk)
    messages.info(request, f"{batch.filename} discarded; nobody was enrolled.")
    return redirect("programs:enrol_csv", pk=cohort.pk)


@require_http_methods(["GET", "POST"])
@permission_required("manage_programs")
def enrollment_withdraw(request, pk: int):
    """GET asks for confirmation; POST withdraws."""
    actor = request.actor
    enrollment = _get_or_404(selectors.enrollment_get, actor=actor, pk=pk)
    if request.method == "GET":
        return render(
            request,
            "programs/enrollment_withdraw.html",
            {
                "enrollment": enrollment,
                "cohort": enrollment.cohort,
                "active": enrollment.status == EnrollmentStatus.ACTIVE,
            },
        )
    try:
        services.enrollment_withdraw(actor=actor, enrollment=enrollment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{enrollment.employee.full_name} withdrawn; their history is kept."
        )
    return redirect("programs:cohort_detail", pk=enrollment.cohort_id)


@require_POST
@permission_required("manage_programs")
def enrollment_move(request, pk: int):
    actor = request.actor
    enrollment = _get_or_404(selectors.enrollment_get, actor=actor, pk=pk)
    others = selectors.cohort_list(organization=actor.organization).exclude(pk=enrollment.cohort_id)
    form = MoveForm(request.POST, cohorts=others)
    if form.is_valid():
        target = _get_or_404(
            selectors.cohort_get,
            organization=actor.organization,
            pk=int(form.cleaned_data["cohort"]),
        )
        try:
            services.enrollment_move(actor=actor, enrollment=enrollment, to_cohort=target)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{enrollment.employee.full_name} moved to {target.name}.")
    else:
        messages.error(
            request,
            f"Choose the cohort to move {enrollment.employee.full_name} to: nobody was moved.",
        )
    return redirect("programs:cohort_detail", pk=enrollment.cohort_id)


@permission_required("member")
def attendance(request, pk: int, module: int):
    """The facilitator (or an L&D manager) takes attendance for a live session."""
    actor = request.actor
    cohort = _get_or_404(selectors.facilitated_cohort_get, actor=actor, pk=pk)
    session = cohort.program.modules.filter(pk=module, kind="live_session").first()
    if session is None:
        raise Http404
    enrollments = list(selectors.cohort_enrollments(cohort=cohort))
    if request.method == "POST":
        present = _posted_ids(request.POST.getlist("present"))
        count = services.attendance_record(
            actor=actor, cohort=cohort, module=session, attended_ids=present
        )
        messages.success(request, f"Attendance saved: {count} of {len(enrollments)} present.")
        return redirect("programs:cohort_detail", pk=cohort.pk)
    marked = selectors.attendance_of(module=session, enrollments=enrollments)
    return render(
        request,
        "programs/attendance.html",
        {"cohort": cohort, "session": session, "enrollments": enrollments, "marked": marked},
    )
