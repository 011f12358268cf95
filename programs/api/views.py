import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from people import selectors as people_selectors
from people.api.mixins import ScopedQuerysetMixin
from people.api.parsers import BoundedJSONParser
from programs import selectors, services
from programs.api import serializers
from programs.models import (
    Cohort,
    Competency,
    Enrollment,
    EnrollmentImport,
    Module,
    Program,
    Scenario,
)


class CompetencyViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's competency framework. Competencies are retired, never deleted."""

    serializer_class = serializers.CompetencySerializer
    queryset = Competency.objects.none()
    lookup_value_regex = r"\d+"
    permissions = {
        "list": "member",
        "retrieve": "member",
        "create": "manage_programs",
        "update": "manage_programs",
        "partial_update": "manage_programs",
    }
    filterset_fields = ["is_retired"]
    search_fields = ["name", "key"]
    ordering_fields = ["name", "position"]

    def scoped_queryset(self, actor):
        return selectors.competency_list(organization=actor.organization)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.competency_save(
            actor=self.request.auth, name=data["name"], description=data.get("description", "")
        )

    def perform_update(self, serializer):
        data, competency = serializer.validated_data, serializer.instance
        if "name" in data or "description" in data:
            services.competency_save(
                actor=self.request.auth,
                competency=competency,
                name=data.get("name", competency.name),
                description=data.get("description", competency.description),
            )
        if "is_retired" in data:
            services.competency_set_retired(
                actor=self.request.auth, competency=competency, retired=data["is_retired"]
            )


class ProgramViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Program templates with their modules."""

    serializer_class = serializers.ProgramSerializer
    queryset = Program.objects.none()
    lookup_value_regex = r"\d+"
    permissions = dict.fromkeys(
        ["list", "retrieve", "create", "update", "partial_update", "modules"], "manage_programs"
    )
    filterset_fields = ["audience"]
    search_fields = ["title"]
    ordering_fields = ["title", "duration_weeks"]

    def scoped_queryset(self, actor):
        return selectors.program_list(organization=actor.organization).prefetch_related(
            "modules__competencies"
        )

    def _save(self, serializer, program=None):
        data = serializer.validated_data
        current = program
        serializer.instance = services.program_save(
            actor=self.request.auth,
            program=program,
            title=data.get("title", current.title if current else ""),
            audience=data.get("audience", current.audience if current else ""),
            duration_weeks=data.get("duration_weeks", current.duration_weeks if current else 0),
            description=data.get("description", current.description if current else ""),
            cost_per_participant=data.get(
                "cost_per_participant", current.cost_per_participant if current else 0
            ),
            competency_ids=data.get(
                "competencies", [c.pk for c in current.competencies.all()] if current else []
            ),
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(
        request=serializers.ModuleSerializer, responses={201: serializers.ModuleSerializer}
    )
    @action(detail=True, methods=["post"])
    def modules(self, request, pk=None):
        """Adds a module to the program."""
        program = self.get_object()
        serializer = serializers.ModuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scenario = None
        if data.get("scenario_id"):
            scenario = selectors.scenario_or_none(
                organization=request.auth.organization, pk=data["scenario_id"]
            )
            if scenario is None:
                raise ValidationError({"scenario_id": "No such scenario in this organisation."})
        module = services.module_save(
            actor=request.auth,
            program=program,
            title=data["title"],
            kind=data["kind"],
            release_week=data["release_week"],
            body=data.get("body", ""),
            scenario=scenario,
            competency_ids=data.get("competencies", []),
            estimated_minutes=data.get("estimated_minutes", 15),
            session_starts_at=data.get("session_starts_at"),
            session_location=data.get("session_location", ""),
        )
        return Response(serializers.ModuleSerializer(module).data, status=status.HTTP_201_CREATED)


class ScenarioViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The scenario library, with YAML import (a new scenario or a new version) and export."""

    serializer_class = serializers.ScenarioSerializer
    queryset = Scenario.objects.none()
    lookup_value_regex = r"\d+"
    permissions = dict.fromkeys(
        ["list", "retrieve", "import_yaml", "export_yaml"], "manage_programs"
    )
    search_fields = ["title", "key"]
    ordering_fields = ["title"]
    filterset_fields = []
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    def scoped_queryset(self, actor):
        return selectors.scenario_list(organization=actor.organization)

    @extend_schema(
        request=serializers.ScenarioImportSerializer,
        responses={201: serializers.ScenarioSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_yaml(self, request):
        """Publishes a YAML scenario. A 400 lists every validation error under `file`."""
        payload = serializers.ScenarioImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data.get("file")
        content = upload.read() if upload else payload.validated_data["content"]
        scenario, _ = services.scenario_import(actor=request.auth, content=content)
        scenario = selectors.scenario_get(organization=request.auth.organization, pk=scenario.pk)
        return Response(self.get_serializer(scenario).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiResponse(description="The scenario as YAML")})
    @action(detail=True, methods=["get"], url_path="export")
    def export_yaml(self, request, pk=None):
        scenario = self.get_object()
        return HttpResponse(
            services.scenario_export_yaml(scenario=scenario),
            content_type="application/yaml; charset=utf-8",
        )


class CohortViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cohorts, their enrolments and their progress grid."""

    serializer_class = serializers.CohortSerializer
    queryset = Cohort.objects.none()
    lookup_value_regex = r"\d+"
    permissions = dict.fromkeys(
        [
            "list",
            "retrieve",
            "create",
            "update",
            "partial_update",
            "enrollments",
            "progress",
            "nudge",
        ],
        "manage_programs",
    )
    filterset_fields = ["program"]
    search_fields = ["name"]
    ordering_fields = ["start_date", "name"]

    def scoped_queryset(self, actor):
        return selectors.cohort_list(organization=actor.organization).prefetch_related("coaches")

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def perform_create(self, serializer):
        self._save(serializer, None)

    def _save(self, serializer, cohort):
        data, actor = serializer.validated_data, self.request.auth
        current = cohort
        program_id = data.get("program_id") or (current.program.template_id or current.program_id)
        try:
            # Templates only: a cohort's copy is never the start of another cohort.
            program = selectors.program_list(organization=actor.organization).get(pk=program_id)
        except Program.DoesNotExist:
            raise ValidationError(
                {"program_id": "No such program template in this organisation."}
            ) from None
        facilitator = None
        if data.get("facilitator_id"):
            facilitator = people_selectors.member_user_or_none(
                organization=actor.organization, pk=data["facilitator_id"]
            )
            if facilitator is None:
                raise ValidationError({"facilitator_id": "Choose someone from this organisation."})
        if current is not None and "facilitator_id" not in data:
            facilitator = current.facilitator
        cohort = services.cohort_save(
            actor=actor,
            cohort=current,
            program=program,
            name=data.get("name", current.name if current else ""),
            start_date=data.get("start_date", current.start_date if current else None),
            end_date=data.get("end_date", current.end_date if current else None),
            capacity=data.get("capacity", current.capacity if current else 0),
            facilitator=facilitator,
            coach_ids=data.get(
                "coach_ids", [c.pk for c in current.coaches.all()] if current else []
            ),
        )
        serializer.instance = selectors.cohort_list(organization=actor.organization).get(
            pk=cohort.pk
        )

    @extend_schema(
        request=serializers.EnrollmentCreateSerializer,
        responses=serializers.EnrollmentSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"])
    def enrollments(self, request, pk=None):
        """GET lists active enrolments; POST enrols roster people (all or none)."""
        cohort = self.get_object()
        if request.method == "POST":
            payload = serializers.EnrollmentCreateSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            ids = payload.validated_data["employee_ids"]
            people = list(
                people_selectors.employees_by_ids(organization=request.auth.organization, ids=ids)
            )
            if len(people) != len(set(ids)):
                raise ValidationError(
                    {"employee_ids": "Some ids are not on this organisation's roster."}
                )
            try:
                created = services.enrollment_add(
                    actor=request.auth, cohort=cohort, employees=people
                )
            except DjangoValidationError as exc:
                raise ValidationError({"employee_ids": exc.messages}) from None
            return Response(
                serializers.EnrollmentSerializer(created, many=True).data,
                status=status.HTTP_201_CREATED,
            )
        enrollments = selectors.cohort_enrollments(cohort=cohort)
        page = self.paginate_queryset(enrollments)
        return self.get_paginated_response(serializers.EnrollmentSerializer(page, many=True).data)

    @extend_schema(
        request=serializers.CohortNudgeSerializer,
        responses=serializers.CohortNudgeResultSerializer,
    )
    @action(detail=True, methods=["post"])
    def nudge(self, request, pk=None):
        """Emails the chosen learners of this cohort a link to their next module. Ids of
        other cohorts' or ended enrolments are ignored and listed in `ignored_ids`."""
        cohort = self.get_object()
        payload = serializers.CohortNudgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(payload.validated_data["enrollment_ids"]))
        nudged = services.cohort_nudge(actor=request.auth, cohort=cohort, enrollment_ids=ids)
        done = {e.pk for e in nudged}
        return Response(
            serializers.CohortNudgeResultSerializer(
                {
                    "nudged": len(done),
                    "enrollment_ids": [e.pk for e in nudged],
                    "ignored_ids": [i for i in ids if i not in done],
                }
            ).data
        )

    @extend_schema(responses=serializers.ProgressRowSerializer(many=True))
    # Every row at once, as the schema says: not paged, not filtered.
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def progress(self, request, pk=None):
        """The progress grid: one row per learner, one cell per module."""
        _modules, rows = selectors.progress_grid(cohort=self.get_object())
        data = [
            {
                "enrollment_id": r.enrollment.pk,
                "learner": r.enrollment.employee.full_name,
                "completed": r.completed,
                "behind": r.behind,
                "cells": [
                    {
                        "module_id": c["module"].pk,
                        "status": c["status"],
                        "overdue": c["overdue"],
                        "best_score": c["score"],
                    }
                    for c in r.cells
                ],
            }
            for r in rows
        ]
        return Response(serializers.ProgressRowSerializer(data, many=True).data)


class EnrollmentViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Enrolments: L&D sees all; learners their own; coaches their assigned learners';
    line managers their direct reports'."""

    serializer_class = serializers.EnrollmentSerializer
    queryset = Enrollment.objects.none()
    lookup_value_regex = r"\d+"
    permissions = {
        "list": "member",
        "retrieve": "member",
        "plan": "member",
        "move": "manage_programs",
        "withdraw": "manage_programs",
    }
    filterset_fields = []

    def scoped_queryset(self, actor):
        # One rule for the list and for every detail lookup, so they cannot disagree.
        return selectors.enrollment_list(actor=actor)

    @extend_schema(
        request=serializers.EnrollmentMoveSerializer,
        responses={201: serializers.EnrollmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Moves the learner to another cohort; this enrolment keeps its history."""
        enrollment = self.get_object()
        payload = serializers.EnrollmentMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            target = selectors.cohort_get(
                organization=request.auth.organization, pk=payload.validated_data["cohort_id"]
            )
        except Cohort.DoesNotExist:
            raise ValidationError({"cohort_id": "No such cohort in this organisation."}) from None
        new = services.enrollment_move(actor=request.auth, enrollment=enrollment, to_cohort=target)
        return Response(self.get_serializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrollment = self.get_object()
        services.enrollment_withdraw(actor=request.auth, enrollment=enrollment)
        enrollment.refresh_from_db()
        return Response(self.get_serializer(enrollment).data)

    @extend_schema(responses=serializers.PlanSerializer)
    @action(detail=True, methods=["get"])
    def plan(self, request, pk=None):
        """The learner's program: this week, what is overdue and what is done."""
        plan = selectors.learner_plan(enrollment=self.get_object())
        states = sorted(
            plan.overdue + plan.this_week + plan.earlier + plan.upcoming,
            key=lambda s: (s.module.release_week, s.module.position, s.module.pk),
        )
        data = {
            "week": plan.week,
            "total_weeks": plan.total_weeks,
            "completed": plan.completed,
            "total": plan.total,
            "percent": plan.percent,
            "modules": [
                {
                    "module_id": s.module.pk,
                    "title": s.module.title,
                    "kind": s.module.kind,
                    "release_week": s.module.release_week,
                    "released_on": s.released_on,
                    "status": s.status,
                    "overdue": s.overdue,
                }
                for s in states
            ],
        }
        return Response(serializers.PlanSerializer(data).data)


class ModuleViewSet(
    ScopedQuerysetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """One module of a program (a template or a cohort's own copy): edit or remove it.
    Add modules with POST /programs/{id}/modules/."""

    serializer_class = serializers.ModuleSerializer
    queryset = Module.objects.none()
    permissions = dict.fromkeys(
        ["retrieve", "update", "partial_update", "destroy"], "manage_programs"
    )
    lookup_value_regex = r"\d+"
    filterset_fields = []

    def scoped_queryset(self, actor):
        return selectors.module_list(organization=actor.organization)

    def perform_update(self, serializer):
        data, module = serializer.validated_data, serializer.instance
        scenario = module.scenario
        if "scenario_id" in data:
            scenario = selectors.scenario_or_none(
                organization=self.request.auth.organization, pk=data["scenario_id"]
            )
            if data["scenario_id"] and scenario is None:
                raise ValidationError({"scenario_id": "No such scenario in this organisation."})
        serializer.instance = services.module_save(
            actor=self.request.auth,
            program=module.program,
            module=module,
            title=data.get("title", module.title),
            kind=data.get("kind", module.kind),
            release_week=data.get("release_week", module.release_week),
            body=data.get("body", module.body),
            scenario=scenario,
            competency_ids=data.get("competencies", [c.pk for c in module.competencies.all()]),
            estimated_minutes=data.get("estimated_minutes", module.estimated_minutes),
            session_starts_at=data.get("session_starts_at", module.session_starts_at),
            session_location=data.get("session_location", module.session_location),
        )

    def perform_destroy(self, instance):
        services.module_delete(actor=self.request.auth, module=instance)


class EnrollmentImportFilter(django_filters.FilterSet):
    # A plain number, not a choice of every cohort: a filter must not tell another
    # organisation's ids from ids that do not exist.
    cohort = django_filters.NumberFilter(
        field_name="cohort_id", min_value=1, max_value=serializers.MAX_ID
    )

    class Meta:
        model = EnrollmentImport
        fields = ["status", "cohort"]


class EnrollmentImportViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Enrolment files, like roster imports: upload a CSV of emails for a cohort (checked
    at once), list its rows with their problems, then enrol every row or nobody, or
    discard it."""

    serializer_class = serializers.EnrollmentImportSerializer
    queryset = EnrollmentImport.objects.none()  # for the schema; get_queryset scopes reads
    lookup_value_regex = r"\d+"
    permissions = dict.fromkeys(
        ["list", "retrieve", "create", "rows", "commit", "discard"], "manage_programs"
    )
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]
    filterset_class = EnrollmentImportFilter
    ordering_fields = ["created_at"]

    def scoped_queryset(self, actor):
        return selectors.enrollment_import_list(organization=actor.organization)

    def perform_create(self, serializer):
        actor, data = self.request.auth, serializer.validated_data
        try:
            cohort = selectors.cohort_get(organization=actor.organization, pk=data["cohort_id"])
        except Cohort.DoesNotExist:
            raise ValidationError({"cohort_id": "No such cohort in this organisation."}) from None
        upload = data["file"]
        serializer.instance = services.enrollment_import_start(
            actor=actor, cohort=cohort, filename=upload.name, content=upload.read()
        )

    @extend_schema(
        responses=serializers.EnrollmentImportRowSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "errors", int, enum=[1], description="1: only the rows that have a problem."
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        """Every row of the file in order, with the person it matched and its problems."""
        rows = selectors.enrollment_import_rows(
            enrollment_import=self.get_object(),
            problems_only=request.query_params.get("errors") == "1",
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            serializers.EnrollmentImportRowSerializer(page, many=True).data
        )

    @extend_schema(request=None, responses=serializers.EnrollmentImportSerializer)
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Enrols every row in one transaction, checking each again first; a 400 explains
        why nobody was enrolled."""
        batch = self.get_object()
        services.enrollment_import_commit(actor=request.auth, enrollment_import=batch)
        return Response(self.get_serializer(self.get_queryset().get(pk=batch.pk)).data)

    @extend_schema(request=None, responses=serializers.EnrollmentImportSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        """Marks the file as discarded; nobody is enrolled."""
        batch = self.get_object()
        services.enrollment_import_discard(actor=request.auth, enrollment_import=batch)
        return Response(self.get_serializer(self.get_queryset().get(pk=batch.pk)).data)
