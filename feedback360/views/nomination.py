"""360 pages: nomination. The learner nominates their raters; their line manager or an
L&D manager approves, moves, adds and removes. Each area keeps its own urlpatterns;
feedback360/urls.py joins them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from feedback360.models import FeedbackCycle, RaterAssignment, RaterGroup, RaterStatus
from feedback360.permissions.nomination import can_approve, can_nominate
from feedback360.selectors import nomination as selectors
from feedback360.services import nomination as services
from people.decorators import permission_required
from people.forms import add_service_errors
from programs.models import Enrollment


class RaterForm(forms.Form):
    group = forms.ChoiceField(choices=RaterGroup.choices)
    employee = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="From the roster",
        help_text="Or leave this empty and give the name and email of someone outside it.",
    )
    name = forms.CharField(max_length=services.NAME_LENGTH, required=False, label="Name")
    email = forms.EmailField(max_length=services.EMAIL_LENGTH, required=False, label="Email")

    def __init__(self, *args, candidates=(), groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].choices = [("", "Someone outside the roster")] + [
            (c.pk, f"{c.full_name} · {c.job_title}" if c.job_title else c.full_name)
            for c in candidates
        ]
        if groups is not None:
            self.fields["group"].choices = [(g, RaterGroup(g).label) for g in groups]


class GroupForm(forms.Form):
    group = forms.ChoiceField(choices=RaterGroup.choices)


def _cycle_or_404(actor, pk: int) -> FeedbackCycle:
    try:
        return selectors.cycle_get(actor=actor, pk=pk)
    except FeedbackCycle.DoesNotExist:
        raise Http404 from None


def _subject_or_404(actor, cycle, pk: int) -> Enrollment:
    try:
        return selectors.subject_get(actor=actor, cycle=cycle, pk=pk)
    except Enrollment.DoesNotExist:
        raise Http404 from None


def _assignment_or_404(actor, pk: int) -> RaterAssignment:
    try:
        return selectors.assignment_get(actor=actor, pk=pk)
    except RaterAssignment.DoesNotExist:
        raise Http404 from None


def _back(cycle_id: int, subject_id: int):
    return redirect("feedback360:subject_raters", cycle=cycle_id, subject=subject_id)


@permission_required("learn")
def my_raters(request, cycle: int):
    """The learner's own list in a cycle: where their to-do item points."""
    actor = request.actor
    cycle = _cycle_or_404(actor, cycle)
    try:
        subject = selectors.own_subject_get(actor=actor, cycle=cycle)
    except Enrollment.DoesNotExist:
        raise Http404 from None
    return _back(cycle.pk, subject.pk)


def _group_rows(raters, bounds):
    counts = selectors.active_counts(raters)
    short = selectors.short_groups(counts=counts, bounds=bounds)
    return [
        {
            "key": group,
            "label": RaterGroup(group).label,
            "count": counts[group],
            "bounds": bounds[group],
            "short": group in short,
            "raters": [r for r in raters if r.group == group],
        }
        for group in RaterGroup.values
    ]


@permission_required("member")
def subject_raters(request, cycle: int, subject: int):
    """One learner's raters in one cycle: the learner nominates here; their line manager or
    L&D approves, moves, adds and removes here."""
    actor = request.actor
    cycle = _cycle_or_404(actor, cycle)
    subject = _subject_or_404(actor, cycle, subject)
    is_approver = can_approve(actor, subject)
    may_change = is_approver or can_nominate(actor, subject)
    today = actor.organization.today()
    candidates = list(selectors.rater_candidates(organization=actor.organization, on=today))
    groups = [g for g in RaterGroup.values if g != RaterGroup.SELF]
    form = RaterForm(request.POST or None, candidates=candidates, groups=groups)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                row = services.rater_nominate(
                    actor=actor,
                    cycle=cycle,
                    subject=subject,
                    group=form.cleaned_data["group"],
                    employee_id=form.cleaned_data["employee"],
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Added {row.name} to {row.get_group_display()}"
                    + ("." if row.status == RaterStatus.APPROVED else "; awaiting approval."),
                )
                return _back(cycle.pk, subject.pk)
    raters = selectors.subject_raters(cycle=cycle, subject=subject)
    settings = selectors.feedback_settings(organization=actor.organization)
    bounds = selectors.group_bounds(settings=settings)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback360/nomination/subject.html",
        {
            "cycle": cycle,
            "subject": subject,
            "is_own": subject.employee_id == actor.employee_id,
            "is_approver": is_approver,
            "may_change": may_change and cycle.status != "closed",
            "groups": _group_rows(raters, bounds),
            "awaiting": sum(r.status == RaterStatus.NOMINATED for r in raters),
            "proposals": selectors.rater_proposals(cycle=cycle, subject=subject, raters=raters),
            "cap": selectors.rater_cap(cycle=cycle, settings=settings),
            "form": form,
            "group_choices": [(g, RaterGroup(g).label) for g in groups],
        },
        status=status,
    )


@require_POST
@permission_required("member")
def nominate_proposed(request, cycle: int, subject: int):
    actor = request.actor
    cycle = _cycle_or_404(actor, cycle)
    subject = _subject_or_404(actor, cycle, subject)
    try:
        added = services.raters_nominate_proposed(actor=actor, cycle=cycle, subject=subject)
    except ValidationError as exc:
        messages.error(request, "Nobody was added: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Added {len(added)} proposed raters.")
    return _back(cycle.pk, subject.pk)


@require_POST
@permission_required("member")
def approve(request, cycle: int, subject: int):
    actor = request.actor
    cycle = _cycle_or_404(actor, cycle)
    subject = _subject_or_404(actor, cycle, subject)
    try:
        ids = services.raters_approve(actor=actor, cycle=cycle, subject=subject)
    except ValidationError as exc:
        messages.error(request, "Not approved: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Approved {len(ids)} raters for {subject.employee.full_name}.")
    return _back(cycle.pk, subject.pk)


@require_POST
@permission_required("member")
def change_group(request, pk: int):
    actor = request.actor
    assignment = _assignment_or_404(actor, pk)
    form = GroupForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the groups.")
        return _back(assignment.cycle_id, assignment.subject_id)
    try:
        services.rater_change_group(
            actor=actor, assignment=assignment, group=form.cleaned_data["group"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{assignment.name} is now in {assignment.get_group_display()}.")
    return _back(assignment.cycle_id, assignment.subject_id)


@permission_required("member")
def remove(request, pk: int):
    """GET asks for confirmation; POST removes."""
    actor = request.actor
    assignment = _assignment_or_404(actor, pk)
    if request.method != "POST":
        return render(request, "feedback360/nomination/remove.html", {"rater": assignment})
    try:
        services.rater_remove(actor=actor, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{assignment.name} is no longer asked.")
    return _back(assignment.cycle_id, assignment.subject_id)


@permission_required("member")
def replace(request, pk: int):
    """Nominates someone in place of a rater who declined."""
    actor = request.actor
    declined = _assignment_or_404(actor, pk)
    candidates = list(
        selectors.rater_candidates(organization=actor.organization, on=actor.organization.today())
    )
    form = RaterForm(request.POST or None, candidates=candidates, groups=[declined.group])
    if request.method == "POST" and form.is_valid():
        try:
            row = services.rater_replace(
                actor=actor,
                declined=declined,
                employee_id=form.cleaned_data["employee"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{row.name} replaces {declined.name}.")
            return _back(declined.cycle_id, declined.subject_id)
    return render(
        request,
        "feedback360/nomination/replace.html",
        {"declined": declined, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@permission_required("approve_raters")
def overview(request):
    """Learners whose raters the actor approves: their reports, or everyone for L&D."""
    rows = selectors.nomination_overview(actor=request.actor)
    return render(
        request,
        "feedback360/nomination/overview.html",
        {
            "rows": rows,
            "groups": [(g, RaterGroup(g).label) for g in RaterGroup.values],
        },
    )


urlpatterns = [
    path("raters/", overview, name="rater_overview"),
    path("cycles/<int:cycle>/raters/", my_raters, name="my_raters"),
    path("cycles/<int:cycle>/raters/<int:subject>/", subject_raters, name="subject_raters"),
    path(
        "cycles/<int:cycle>/raters/<int:subject>/proposed/",
        nominate_proposed,
        name="nominate_proposed",
    ),
    path("cycles/<int:cycle>/raters/<int:subject>/approve/", approve, name="raters_approve"),
    path("raters/<int:pk>/group/", change_group, name="rater_group"),
    path("raters/<int:pk>/remove/", remove, name="rater_remove"),
    path("raters/<int:pk>/replace/", replace, name="rater_replace"),
]
