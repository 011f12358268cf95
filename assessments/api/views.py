from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from assessments import selectors, services
from assessments.api import serializers
from assessments.models import Assessment, AssessmentTemplate, DevelopmentPlan, PlanGoal
from people.api.mixins import ScopedQuerysetMixin
from programs.models import Enrollment


class AssessmentViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Assessments you are asked to fill in (L&D managers see all of the organisation's)."""

    serializer_class = serializers.AssessmentSerializer
    queryset = Assessment.objects.none()
    permissions = {
        "list": "member",
        "retrieve": "member",
        "answers": "member",
        "reopen": "manage_assessments",
    }
    lookup_value_regex = r"\d+"
    filterset_fields = ["status", "phase"]
    ordering_fields = ["closes_on"]

    def scoped_queryset(self, actor):
        if self.action == "answers":
            # Only the rater answers, L&D managers included.
            return selectors.assessment_list(actor=actor, as_rater=True)
        return selectors.assessment_list(actor=actor)

    @extend_schema(
        request=serializers.AnswersSerializer, responses=serializers.AssessmentSerializer
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Saves a draft, or submits (final). A 400 names every bad answer; nothing is saved then."""
        assessment = self.get_object()
        payload = serializers.AnswersSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.assessment_answer(
            actor=request.auth,
            assessment=assessment,
            answers=payload.validated_data["answers"],
            submit=payload.validated_data["submit"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data)

    @extend_schema(request=serializers.ReasonSerializer, responses=serializers.AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        assessment = self.get_object()
        payload = serializers.ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.assessment_reopen(
            actor=request.auth, assessment=assessment, reason=payload.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data)


class ResultsViewSet(viewsets.ViewSet):
    """A learner's scores and gaps: the learner, their coach and L&D. Keyed by enrolment id."""

    permissions = {"retrieve": "member"}
    lookup_value_regex = r"\d+"

    @extend_schema(responses=serializers.ResultsSerializer)
    def retrieve(self, request, pk=None):
        try:
            enrollment = selectors.enrollment_for_results(actor=request.auth, pk=int(pk))
        except Enrollment.DoesNotExist:
            raise NotFound from None
        results = selectors.results_read(actor=request.auth, enrollment=enrollment)
        return Response(
            serializers.ResultsSerializer(
                {
                    "scores": results.scores,
                    "gaps": results.gaps,
                    "plan_draft_awaits": services.plan_draft_awaits(enrollment=enrollment),
                }
            ).data
        )


class PlanViewSet(viewsets.ViewSet):
    """Development plans, keyed by enrolment id: read, draft from the gaps, agree."""

    permissions = {"retrieve": "member", "share": "member", "draft": "member", "agree": "member"}
    lookup_value_regex = r"\d+"

    def _enrollment(self, lookup, pk):
        try:
            return lookup(actor=self.request.auth, pk=int(pk))
        except Enrollment.DoesNotExist:
            raise NotFound from None

    def _plan(self, enrollment):
        plan = selectors.plan_for(enrollment=enrollment)
        if plan is None:
            raise NotFound("No plan yet.")
        return plan

    @extend_schema(responses=serializers.DevelopmentPlanSerializer)
    def retrieve(self, request, pk=None):
        """The plan; a line manager it was shared with sees goals without gaps or scores."""
        enrollment = self._enrollment(selectors.enrollment_for_plan, pk)
        plan, with_scores = selectors.plan_read(actor=request.auth, enrollment=enrollment)
        if plan is None:
            raise NotFound("No plan yet.")
        if not with_scores:
            services.plan_shared_seen(actor=request.auth, plan=plan)
            return Response(serializers.SharedPlanSerializer(plan).data)
        return Response(serializers.DevelopmentPlanSerializer(plan).data)

    @extend_schema(
        request=serializers.ShareSerializer, responses=serializers.DevelopmentPlanSerializer
    )
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """The learner shares the plan with their line manager (or stops sharing)."""
        enrollment = self._enrollment(selectors.enrollment_for_plan_edit, pk)
        plan = self._plan(enrollment)
        payload = serializers.ShareSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.plan_share(
                actor=request.auth, plan=plan, shared=payload.validated_data["shared"]
            )
        except DevelopmentPlan.DoesNotExist:
            raise NotFound from None
        return Response(
            serializers.DevelopmentPlanSerializer(selectors.plan_for(enrollment=enrollment)).data
        )

    @extend_schema(request=None, responses={201: serializers.DevelopmentPlanSerializer})
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        enrollment = self._enrollment(selectors.enrollment_for_plan_draft, pk)
        try:
            services.plan_draft(actor=request.auth, enrollment=enrollment)
        except Enrollment.DoesNotExist:
            raise NotFound from None
        return Response(
            serializers.DevelopmentPlanSerializer(selectors.plan_for(enrollment=enrollment)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=serializers.DevelopmentPlanSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        enrollment = self._enrollment(selectors.enrollment_for_plan_edit, pk)
        plan = self._plan(enrollment)
        try:
            services.plan_agree(actor=request.auth, plan=plan)
        except DevelopmentPlan.DoesNotExist:
            raise NotFound from None
        return Response(
            serializers.DevelopmentPlanSerializer(selectors.plan_for(enrollment=enrollment)).data
        )


class GoalViewSet(ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Edit a plan goal (the learner or their coach). Any change asks both to agree again."""

    serializer_class = serializers.GoalSerializer
    queryset = PlanGoal.objects.none()
    permissions = {"update": "member", "partial_update": "member"}
    lookup_value_regex = r"\d+"
    http_method_names = ["patch", "put"]

    def scoped_queryset(self, actor):
        return selectors.goals_for_edit(actor=actor)

    def perform_update(self, serializer):
        goal, data = serializer.instance, serializer.validated_data
        serializer.instance = services.plan_goal_update(
            actor=self.request.auth,
            goal=goal,
            text=data.get("goal", goal.goal),
            practice_commitment=data.get("practice_commitment", goal.practice_commitment),
            due_date=data.get("due_date", goal.due_date),
        )


class ReadinessViewSet(viewsets.ViewSet):
    """The pre-promotion readiness list (L&D managers), and nominating candidates."""

    permissions = {"list": "manage_assessments", "create": "manage_assessments"}

    @extend_schema(responses=serializers.ReadinessRowSerializer(many=True))
    def list(self, request):
        rows = selectors.readiness_list(organization=request.auth.organization)
        data = [
            {
                "nomination_id": r.nomination.pk,
                "candidate": r.nomination.candidate.full_name,
                "status": r.nomination.assessment.status,
                "overall": r.readiness.overall if r.readiness else None,
                "band": r.readiness.band if r.readiness else "unknown",
                "per_competency": r.readiness.per_competency if r.readiness else {},
                "large_gaps": r.readiness.large_gaps if r.readiness else [],
                "recommended_program_id": r.recommendation.pk if r.recommendation else None,
            }
            for r in rows
        ]
        return Response(serializers.ReadinessRowSerializer(data, many=True).data)

    @extend_schema(request=serializers.NominateSerializer, responses={201: None})
    def create(self, request):
        """Nominates candidates by work email; each one's line manager is asked to assess them."""
        payload = serializers.NominateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        nominations = services.readiness_nominate(actor=request.auth, **payload.validated_data)
        return Response({"nominated": [n.pk for n in nominations]}, status=status.HTTP_201_CREATED)


class TemplateViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Questionnaires: the shipped self, manager and readiness assessments and the
    knowledge checks (correct answers are never exposed)."""

    serializer_class = serializers.TemplateSerializer
    queryset = AssessmentTemplate.objects.none()
    permissions = {"list": "manage_assessments", "retrieve": "manage_assessments"}
    lookup_value_regex = r"\d+"
    filterset_fields = ["kind"]

    def scoped_queryset(self, actor):
        return selectors.template_list(organization=actor.organization)
