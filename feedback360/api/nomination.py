"""360 API: nomination. The same services and rules as the pages: a learner nominates
their own raters; their line manager or an L&D manager approves, moves, adds and
removes. Each area keeps its own urlpatterns; feedback360/api/urls.py joins them."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from feedback360.models import FeedbackCycle, RaterAssignment, RaterGroup, RaterStatus
from feedback360.selectors import nomination as selectors
from feedback360.services import nomination as services
from people.api.mixins import ScopedQuerysetMixin
from programs.models import Enrollment


class NominationRaterSerializer(serializers.ModelSerializer):
    group_label = serializers.CharField(source="get_group_display", read_only=True)
    status = serializers.SerializerMethodField(
        help_text="nominated, approved, invited, declined or removed. A rater who has "
        "answered reads 'invited' like one who has not: who answered is never shown."
    )
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = RaterAssignment
        fields = [
            "id",
            "cycle",
            "subject",
            "group",
            "group_label",
            "employee",
            "name",
            "email",
            "status",
            "status_label",
            "replaces",
            "approved_at",
        ]
        read_only_fields = fields

    def get_status(self, assignment: RaterAssignment) -> str:
        return selectors.shown_status(assignment)

    def get_status_label(self, assignment: RaterAssignment) -> str:
        return RaterStatus(selectors.shown_status(assignment)).label


class NominationPersonSerializer(serializers.Serializer):
    employee = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    name = serializers.CharField(required=False, allow_blank=True, max_length=services.NAME_LENGTH)
    email = serializers.EmailField(
        required=False, allow_blank=True, max_length=services.EMAIL_LENGTH
    )


class NominationCreateSerializer(NominationPersonSerializer):
    cycle = serializers.IntegerField(min_value=1)
    subject = serializers.IntegerField(min_value=1)
    group = serializers.ChoiceField(choices=RaterGroup.choices)


class NominationSubjectSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(min_value=1)
    subject = serializers.IntegerField(min_value=1)


class NominationGroupSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=RaterGroup.choices)


class NominationProposalSerializer(serializers.Serializer):
    group = serializers.CharField()
    employee = serializers.IntegerField(source="employee_id", allow_null=True)
    name = serializers.CharField()
    email = serializers.EmailField()


class RaterAssignmentViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """360 raters you may see: your own (as the learner), your reports' (as their line
    manager), every learner's (as an L&D manager). Filter with ?cycle= and ?subject=."""

    serializer_class = NominationRaterSerializer
    queryset = RaterAssignment.objects.none()
    permissions = {
        "list": "member",
        "retrieve": "member",
        "create": "member",
        "partial_update": "member",
        "destroy": "member",
        "replace": "member",
        "approve": "member",
        "proposals": "member",
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"
    # No status filter: filtering by 'submitted' would list who answered.
    filterset_fields = ["cycle", "subject", "group"]

    def scoped_queryset(self, actor):
        return selectors.assignments_visible(actor=actor)

    def _cycle_subject(self, data) -> tuple[FeedbackCycle, Enrollment]:
        actor = self.request.auth
        try:
            cycle = selectors.cycle_get(actor=actor, pk=data["cycle"])
            subject = selectors.subject_get(actor=actor, cycle=cycle, pk=data["subject"])
        except (FeedbackCycle.DoesNotExist, Enrollment.DoesNotExist):
            raise NotFound("No such cycle or learner.") from None
        return cycle, subject

    def _answer(self, assignment, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=assignment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=NominationCreateSerializer, responses={201: NominationRaterSerializer})
    def create(self, request):
        """Nominates a rater: `employee` from the roster, or `name` and `email`. A 400 names
        the field that breaks a rule (the cap, a group's maximum, one group per person)."""
        payload = NominationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        cycle, subject = self._cycle_subject(data)
        row = services.rater_nominate(
            actor=request.auth,
            cycle=cycle,
            subject=subject,
            group=data["group"],
            employee_id=data.get("employee"),
            name=data.get("name", ""),
            email=data.get("email", ""),
        )
        return self._answer(row, status.HTTP_201_CREATED)

    @extend_schema(request=NominationGroupSerializer, responses=NominationRaterSerializer)
    def partial_update(self, request, pk=None):
        """Moves a rater to another group (line manager or L&D)."""
        assignment = self.get_object()
        payload = NominationGroupSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.rater_change_group(
            actor=request.auth, assignment=assignment, group=payload.validated_data["group"]
        )
        return self._answer(assignment)

    def destroy(self, request, pk=None):
        """Removes a rater who has not answered (the row stays, marked removed)."""
        services.rater_remove(actor=request.auth, assignment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=NominationPersonSerializer, responses={201: NominationRaterSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        """Nominates someone in place of a rater who declined, in the same group."""
        declined = self.get_object()
        payload = NominationPersonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        row = services.rater_replace(
            actor=request.auth,
            declined=declined,
            employee_id=data.get("employee"),
            name=data.get("name", ""),
            email=data.get("email", ""),
        )
        return self._answer(row, status.HTTP_201_CREATED)

    @extend_schema(
        request=NominationSubjectSerializer, responses=NominationRaterSerializer(many=True)
    )
    @action(detail=False, methods=["post"])
    def approve(self, request):
        """Approves every rater of one learner awaiting approval, once each group has its
        minimum. Answers the approved raters."""
        payload = NominationSubjectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        cycle, subject = self._cycle_subject(payload.validated_data)
        ids = services.raters_approve(actor=request.auth, cycle=cycle, subject=subject)
        rows = self.get_queryset().filter(pk__in=ids)
        return Response(self.get_serializer(rows, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("cycle", int, required=True),
            OpenApiParameter("subject", int, required=True),
        ],
        responses=NominationProposalSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def proposals(self, request):
        """Whom the learner is offered: self, manager and direct reports from the HR history
        as of the cycle's opening (or the pre cycle's raters, for a post cycle)."""
        payload = NominationSubjectSerializer(data=request.query_params)
        payload.is_valid(raise_exception=True)
        cycle, subject = self._cycle_subject(payload.validated_data)
        raters = selectors.subject_raters(cycle=cycle, subject=subject)
        proposals = selectors.rater_proposals(cycle=cycle, subject=subject, raters=raters)
        return Response(NominationProposalSerializer(proposals, many=True).data)


router = SimpleRouter()
router.register("360-raters", RaterAssignmentViewSet, basename="feedback360-rater")
urlpatterns = router.urls
