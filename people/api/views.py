import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from people import selectors, services
from people.api import serializers
from people.api.mixins import ScopedQuerysetMixin
from people.api.parsers import BoundedJSONParser
from people.models import ApiToken, Employee, Job, Membership, RosterImport, Team

MAX_ID = 2**63 - 1


class EmployeeFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team_id", min_value=1, max_value=MAX_ID)
    manager = django_filters.NumberFilter(field_name="manager_id", min_value=1, max_value=MAX_ID)
    level = django_filters.CharFilter()
    is_top_performer = django_filters.BooleanFilter()
    active = django_filters.BooleanFilter(method="filter_active")

    class Meta:
        model = Employee
        fields = ["team", "manager", "level", "is_top_performer", "active"]

    def filter_active(self, queryset, name, value):
        # employee_list annotates is_current in the organisation's own time zone.
        return queryset.filter(is_current=value)


class EmployeeViewSet(ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The roster: every person for L&D managers; yourself and your reports otherwise."""

    serializer_class = serializers.EmployeeSerializer
    queryset = Employee.objects.none()
    http_method_names = [
        "get",
        "patch",
        "head",
        "options",
    ]  # for the schema; get_queryset scopes reads
    permissions = {
        "list": "member",
        "retrieve": "member",
        "history": "member",
        "partial_update": "manage_roster",
    }
    filterset_class = EmployeeFilter
    search_fields = ["full_name", "email", "employee_id", "job_title"]
    ordering_fields = ["full_name", "hire_date", "level", "email"]
    ordering = ["full_name", "id"]

    def scoped_queryset(self, actor):
        return selectors.employee_list(actor=actor)

    @extend_schema(
        request=serializers.EmployeeUpdateSerializer, responses=serializers.EmployeeSerializer
    )
    def partial_update(self, request, pk=None):
        """Changes one person's team, manager, level, salary, flag or leaving date, kept as
        dated HR history (L&D managers)."""
        employee = self.get_object()
        payload = serializers.EmployeeUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data, actor = payload.validated_data, request.auth

        def ref(lookup, model, key, current):
            if key not in data:
                return current
            if data[key] is None:
                return None
            try:
                return lookup(pk=data[key])
            except model.DoesNotExist:
                raise ValidationError({key: "Not found in this organisation."}) from None

        teams = selectors.team_list(organization=actor.organization)
        termination_date = data.get("termination_date", employee.termination_date)
        services.employee_update(
            actor=actor,
            employee=employee,
            team=ref(teams.get, Team, "team_id", employee.team),
            manager=ref(
                lambda pk: selectors.employee_get(actor=actor, pk=pk),
                Employee,
                "manager_id",
                employee.manager,
            ),
            job_title=data.get("job_title", employee.job_title),
            level=data.get("level", employee.level),
            annual_salary=data.get("annual_salary", employee.annual_salary),
            is_top_performer=data.get("is_top_performer", employee.is_top_performer),
            effective_date=data["effective_date"],
            termination_date=termination_date,
            # Clearing the leaving date clears its reason, unless one is sent.
            termination_reason=data.get(
                "termination_reason", employee.termination_reason if termination_date else ""
            ),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=employee.pk)).data)

    @extend_schema(responses=serializers.EmployeeRecordSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every dated HR change for this person, newest first."""
        employee = self.get_object()
        records = selectors.employee_history(actor=request.auth, employee=employee)
        page = self.paginate_queryset(records)
        return self.get_paginated_response(
            serializers.EmployeeRecordSerializer(page, many=True).data
        )


class TeamViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = serializers.TeamSerializer
    queryset = Team.objects.none()  # for the schema; get_queryset scopes reads
    permissions = {
        "list": "member",
        "retrieve": "member",
        "create": "manage_roster",
        "update": "manage_roster",
        "partial_update": "manage_roster",
    }
    search_fields = ["name"]
    ordering_fields = ["name"]
    filterset_fields = []

    def scoped_queryset(self, actor):
        return selectors.team_list(organization=actor.organization)

    def _lead(self, data):
        lead_id = data.get("lead_id")
        if lead_id is None:
            return None
        try:
            return selectors.employee_get(actor=self.request.auth, pk=lead_id)
        except Employee.DoesNotExist:
            raise ValidationError({"lead_id": "No such person on this roster."}) from None

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.team_create(
            actor=self.request.auth, name=data["name"], lead=self._lead(data)
        )
        serializer.instance.member_count = 0

    def perform_update(self, serializer):
        data = serializer.validated_data
        team = serializer.instance
        lead = self._lead(data) if "lead_id" in data else team.lead
        services.team_update(
            actor=self.request.auth, team=team, name=data.get("name", team.name), lead=lead
        )


class MembershipViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Roles held in this organisation. Granting one to a roster person gives them a
    login (and an invitation email) if they have none."""

    serializer_class = serializers.MembershipSerializer
    queryset = Membership.objects.none()  # for the schema; get_queryset scopes reads
    permissions = {
        "list": "manage_memberships",
        "create": "manage_memberships",
        "destroy": "manage_memberships",
    }
    filterset_fields = ["role"]
    search_fields = ["user__email"]
    ordering_fields = ["created_at", "role"]

    def scoped_queryset(self, actor):
        return selectors.membership_list(organization=actor.organization)

    def perform_create(self, serializer):
        actor = self.request.auth
        try:
            employee = selectors.employee_get(
                actor=actor, pk=serializer.validated_data["employee_id"]
            )
        except Employee.DoesNotExist:
            raise ValidationError({"employee_id": "No such person on this roster."}) from None
        user = services.employee_access_grant(
            actor=actor, employee=employee, roles=[serializer.validated_data["role"]]
        )
        serializer.instance = selectors.membership_list(organization=actor.organization).get(
            user=user, role=serializer.validated_data["role"]
        )

    def perform_destroy(self, instance):
        services.membership_revoke(actor=self.request.auth, membership=instance)


class ApiTokenViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your own personal API tokens. DELETE revokes; the secret is shown only on create."""

    serializer_class = serializers.ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; get_queryset scopes reads
    permissions = {"list": "member", "retrieve": "member", "create": "member", "destroy": "member"}
    filterset_fields = []
    ordering_fields = ["created_at"]

    def scoped_queryset(self, actor):
        return selectors.api_token_list(actor=actor)

    @extend_schema(responses={201: serializers.ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        """Create a token (signed in through the browser session only)."""
        if getattr(request, "api_token", None) is not None:
            # Otherwise a leaked token could mint fresh ones and outlive its revocation.
            raise PermissionDenied("Tokens are created from a signed-in session, not with a token.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, secret = services.api_token_create(
            actor=request.auth,
            name=data["name"],
            roles=data.get("roles"),
            read_only=data.get("read_only", False),
        )
        token.token = secret
        return Response(
            serializers.ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED
        )

    def perform_destroy(self, instance: ApiToken):
        services.api_token_revoke(user=self.request.user, token=instance)


class JobViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Background jobs of this organisation, with status and progress."""

    serializer_class = serializers.JobSerializer
    queryset = Job.objects.none()  # for the schema; get_queryset scopes reads
    permissions = {"list": "manage_roster", "retrieve": "manage_roster"}
    filterset_fields = ["status", "kind"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self, actor):
        return selectors.job_list(organization=actor.organization)


class RosterImportViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Roster imports: upload (checked in the background), preview rows, then commit
    all rows or none."""

    serializer_class = serializers.RosterImportSerializer
    queryset = RosterImport.objects.none()  # for the schema; get_queryset scopes reads
    permissions = {
        "list": "manage_roster",
        "retrieve": "manage_roster",
        "create": "manage_roster",
        "rows": "manage_roster",
        "commit": "manage_roster",
        "discard": "manage_roster",
    }
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]
    filterset_fields = ["status"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self, actor):
        return selectors.roster_import_list(organization=actor.organization)

    def perform_create(self, serializer):
        upload = serializer.validated_data["file"]
        serializer.instance = services.roster_import_start(
            actor=self.request.auth, filename=upload.name, content=upload.read()
        )

    @extend_schema(responses=serializers.RosterImportRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        """Every row of the preview with its errors and the changes it would make."""
        batch = self.get_object()
        rows = selectors.roster_import_rows(roster_import=batch)
        if request.query_params.get("errors") == "1":
            rows = rows.exclude(errors=[])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            serializers.RosterImportRowSerializer(page, many=True).data
        )

    @extend_schema(request=None, responses=serializers.RosterImportSerializer)
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Applies every row in one transaction; a 400 explains why nothing was applied."""
        batch = self.get_object()
        services.roster_import_commit(actor=request.auth, roster_import=batch)
        batch.refresh_from_db()
        return Response(self.get_serializer(batch).data)

    @extend_schema(request=None, responses=serializers.RosterImportSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        batch = self.get_object()
        services.roster_import_discard(actor=request.auth, roster_import=batch)
        batch.refresh_from_db()
        return Response(self.get_serializer(batch).data)


class MeViewSet(viewsets.ViewSet):
    permissions = {"list": "member"}

    @extend_schema(responses=None)
    def list(self, request):
        """Who you are in this organisation: roles, roster record, line-manager status."""
        actor = request.auth
        return Response(
            {
                "email": actor.user.email,
                "organization": {
                    "id": actor.organization.pk,
                    "slug": actor.organization.slug,
                    "name": actor.organization.name,
                },
                "roles": sorted(actor.roles),
                "is_line_manager": actor.is_line_manager,
                "employee_id": actor.employee.pk if actor.employee else None,
                "read_only": actor.read_only,
            }
        )
