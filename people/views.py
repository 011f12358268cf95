from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from people import selectors, services
from people.actors import SESSION_ORG_KEY, get_actor
from people.decorators import (
    STAFF,
    PermissionRequiredMixin,
    permission_required,
    signed_in,
    staff_required,
)
from people.forms import (
    AccessGrantForm,
    ApiTokenForm,
    EmployeeEditForm,
    OrganizationCreateForm,
    PeopleFilterForm,
    RosterUploadForm,
    TeamEditForm,
    TeamForm,
    add_service_errors,
)
from people.home import home_sections, todo_items
from people.models import Employee, ImportStatus, RosterImport, RowAction, Team
from people.permissions import can_view_salary, employee_scope
from people.selectors import org_access_for_user


@require_POST
@signed_in
def switch_organization(request):
    try:
        org_id = int(request.POST.get("organization", ""))
    except ValueError:
        raise Http404 from None
    if org_id not in org_access_for_user(user=request.user):
        raise Http404
    request.session[SESSION_ORG_KEY] = org_id
    return redirect("home")


@permission_required("view_people")
def people_list(request):
    actor = request.actor
    teams = selectors.team_list(organization=actor.organization)
    form = PeopleFilterForm(request.GET or None, teams=teams)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.employee_search(
        actor=actor,
        text=filters.get("q", ""),
        team_id=int(filters["team"]) if filters.get("team") else None,
        status=filters.get("status") or "active",
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    template = "people/_people_table.html" if request.htmx else "people/people_list.html"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_salary": can_view_salary(actor),
        },
    )


@permission_required("member")
def person_detail(request, pk: int):
    actor = request.actor
    try:
        person = selectors.employee_get(actor=actor, pk=pk)
    except Employee.DoesNotExist:
        raise Http404 from None
    context = {
        "person": person,
        "history": selectors.employee_history(actor=actor, employee=person)[:50],
        "show_salary": can_view_salary(actor),
        "reports": selectors.direct_reports(actor=actor, of=person),
        # A learner's or a line manager's own manager is named but not linked: their
        # page is outside the reader's scope and would answer 404.
        "manager_visible": person.manager is not None
        and employee_scope(actor).allows(person.manager),
    }
    if actor.is_lnd_manager:
        context["memberships"] = selectors.memberships_of(
            organization=actor.organization, user=person.user
        )
        context["access_form"] = AccessGrantForm()
    return render(request, "people/person_detail.html", context)


@require_POST
@permission_required("manage_memberships")
def person_grant_access(request, pk: int):
    actor = request.actor
    try:
        person = selectors.employee_get(actor=actor, pk=pk)
    except Employee.DoesNotExist:
        raise Http404 from None
    form = AccessGrantForm(request.POST)
    if form.is_valid():
        try:
            services.employee_access_grant(
                actor=actor, employee=person, roles=form.cleaned_data["roles"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"{person.full_name} can now sign in with those roles.")
    else:
        messages.error(request, "Choose at least one role.")
    return redirect("people:detail", pk=pk)


@require_POST
@permission_required("manage_memberships")
def membership_revoke(request, pk: int):
    actor = request.actor
    membership = get_object_or_404(
        selectors.membership_list(organization=actor.organization), pk=pk
    )
    person = selectors.employee_for_user(organization=actor.organization, user=membership.user)
    try:
        services.membership_revoke(actor=actor, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Role removed.")
    return redirect("people:detail", pk=person.pk) if person else redirect("people:list")


class TeamListView(PermissionRequiredMixin, FormView):
    permission = "manage_roster"
    template_name = "people/team_list.html"
    form_class = TeamForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["teams"] = selectors.team_list(organization=self.actor.organization)
        return context

    def form_valid(self, form):
        try:
            team = services.team_create(actor=self.actor, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Team '{team.name}' created.")
        return redirect("people:teams")


@permission_required("manage_roster")
def team_edit(request, pk: int):
    actor = request.actor
    try:
        team = selectors.team_get(organization=actor.organization, pk=pk)
    except Team.DoesNotExist:
        raise Http404 from None
    members = selectors.team_members(team=team)
    form = TeamEditForm(
        request.POST or None, members=members, initial={"name": team.name, "lead": team.lead_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                actor=actor,
                team=team,
                name=form.cleaned_data["name"],
                lead=form.cleaned_data["lead"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Team '{team.name}' saved.")
            return redirect("people:teams")
    return render(
        request, "people/team_edit.html", {"team": team, "form": form, "members": members}
    )


class RosterImportListView(PermissionRequiredMixin, FormView):
    permission = "manage_roster"
    template_name = "people/import_list.html"
    form_class = RosterUploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["imports"] = selectors.roster_import_list(organization=self.actor.organization)[:20]
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            batch = services.roster_import_start(
                actor=self.actor, filename=upload.name, content=upload.read()
            )
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
            return self.form_invalid(form)
        return redirect("people:import_detail", pk=batch.pk)


def _import_or_404(actor, pk):
    try:
        return selectors.roster_import_get(organization=actor.organization, pk=pk)
    except RosterImport.DoesNotExist:
        raise Http404 from None


@permission_required("manage_roster")
def roster_import_detail(request, pk: int):
    batch = _import_or_404(request.actor, pk)
    rows = selectors.roster_import_rows(roster_import=batch)
    show = request.GET.get("show", "errors" if batch.status == ImportStatus.INVALID else "changes")
    if show == "errors":
        rows = rows.filter(action=RowAction.ERROR)
    elif show == "changes":
        rows = rows.exclude(action=RowAction.UNCHANGED)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {"batch": batch, "job": batch.job, "page": page, "show": show}
    if request.htmx and request.GET.get("partial") == "progress":
        if batch.status == ImportStatus.PARSING:
            return render(request, "people/_import_progress.html", context)
        # The check finished: tell htmx to load the whole preview.
        response = render(request, "people/_import_progress.html", context)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "people/import_detail.html", context)


@require_POST
@permission_required("manage_roster")
def roster_import_commit(request, pk: int):
    batch = _import_or_404(request.actor, pk)
    try:
        result = services.roster_import_commit(actor=request.actor, roster_import=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("people:import_detail", pk=pk)
    messages.success(
        request,
        f"Roster updated: {result['created']} added, {result['updated']} updated, "
        f"{result['terminated']} leavers recorded.",
    )
    return redirect("people:list")


@require_POST
@permission_required("manage_roster")
def roster_import_discard(request, pk: int):
    batch = _import_or_404(request.actor, pk)
    try:
        services.roster_import_discard(actor=request.actor, roster_import=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, "Import discarded; the roster is unchanged.")
    return redirect("people:imports")


@permission_required("member")
def api_tokens(request):
    actor = request.actor
    new_secret = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST, held_roles=actor.roles)
        if form.is_valid():
            try:
                _, new_secret = services.api_token_create(
                    actor=actor,
                    name=form.cleaned_data["name"],
                    roles=form.cleaned_data["roles"],
                    read_only=form.cleaned_data["read_only"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Token created. Copy it now: it will not be shown again.")
                form = ApiTokenForm(held_roles=actor.roles)
    else:
        form = ApiTokenForm(held_roles=actor.roles)
    tokens = selectors.api_token_list(actor=actor)
    return render(
        request,
        "people/api_tokens.html",
        {"form": form, "tokens": tokens, "new_secret": new_secret},
    )


@require_POST
@permission_required("member")
def api_token_revoke(request, pk: int):
    token = get_object_or_404(selectors.api_token_list(actor=request.actor), pk=pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, f"Token '{token.name}' revoked.")
    return redirect("people:tokens")


class OrganizationCreateView(FormView):
    """Site staff create an organisation and invite its first L&D manager."""

    lodestar_permission = STAFF
    template_name = "people/organization_create.html"
    form_class = OrganizationCreateForm

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_staff):
            return staff_member_required(lambda r: None)(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            org, user = services.organization_create(
                created_by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"{org.name} created; an invitation went to {user.email}.")
        return redirect(reverse("staff:organization_create"))


@staff_required
def dev_mailbox(request):
    if not settings.DEBUG:
        raise Http404
    page = Paginator(selectors.dev_mailbox_messages(), 25).get_page(request.GET.get("page"))
    return render(request, "people/dev_mailbox.html", {"page": page})


@staff_required
def dev_mailbox_message(request, pk: int):
    if not settings.DEBUG:
        raise Http404
    message = get_object_or_404(selectors.dev_mailbox_messages(), pk=pk)
    return render(request, "people/dev_mailbox_message.html", {"message": message})


@permission_required("manage_roster")
def person_edit(request, pk: int):
    actor = request.actor
    try:
        person = selectors.employee_get(actor=actor, pk=pk)
    except Employee.DoesNotExist:
        raise Http404 from None
    form = EmployeeEditForm(
        request.POST or None,
        teams=selectors.team_list(organization=actor.organization),
        managers=selectors.employee_search(actor=actor, status="active").exclude(pk=person.pk),
        initial={
            "team": person.team_id,
            "manager": person.manager_id,
            "job_title": person.job_title,
            "level": person.level,
            "annual_salary": person.annual_salary,
            "is_top_performer": person.is_top_performer,
            "effective_date": actor.organization.today(),
            "termination_date": person.termination_date,
            "termination_reason": person.termination_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(actor=actor, employee=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{person.full_name}'s record saved; the change is in their HR history."
            )
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_edit.html", {"person": person, "form": form})


@signed_in
def home(request):
    """One home page per person: a to-do list, then a card from each app that has
    something for them (people.home)."""
    actor = get_actor(request)
    if actor is None:
        if request.user.is_staff:
            return render(request, "people/home_staff.html")
        return render(request, "people/no_organization.html", status=403)
    sections = [
        render_to_string(section.template, {**context, "actor": actor}, request=request)
        for section, context in home_sections(actor=actor)
    ]
    return render(
        request,
        "people/home.html",
        {"actor": actor, "todo": todo_items(actor=actor), "sections": sections},
    )
