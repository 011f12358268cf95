"""360 API: cycles and settings, for L&D managers. Each area keeps its own
urlpatterns; feedback360/api/urls.py joins them. Writes call the same services as the
pages; a service's ValidationError becomes a field-keyed 400."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from feedback360.models import (
    CyclePhase,
    FeedbackCycle,
    FeedbackSettings,
    Questionnaire,
    RaterGroup,
)
from feedback360.selectors import cycles as selectors
from feedback360.selectors.settings import feedback_settings
from feedback360.services import cycles as services
from feedback360.services.cycles import SETTINGS_BOUNDS
from people.api.mixins import ScopedQuerysetMixin
from programs.models import Cohort

MAX_ID = 2**63 - 1


class CycleSerializer(serializers.ModelSerializer):
    cohort_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    questionnaire_id = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Ignored for a post cycle whose cohort has a pre cycle: it reuses that one.",
    )
    phase = serializers.ChoiceField(choices=CyclePhase.choices)
    asked_count = serializers.IntegerField(read_only=True)
    answered_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = FeedbackCycle
        fields = [
            "id",
            "cohort_id",
            "phase",
            "questionnaire_id",
            "opens_on",
            "closes_on",
            "status",
            "peer_threshold",
            "direct_report_threshold",
            "stakeholder_threshold",
            "overall_threshold",
            "rater_cap",
            "reminder_interval_days",
            "opened_at",
            "closed_at",
            "asked_count",
            "answered_count",
        ]
        read_only_fields = [
            "status",
            "peer_threshold",
            "direct_report_threshold",
            "stakeholder_threshold",
            "overall_threshold",
            "rater_cap",
            "reminder_interval_days",
            "opened_at",
            "closed_at",
        ]


class GroupRatesSerializer(serializers.Serializer):
    group = serializers.CharField()
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()


class LearnerRatesSerializer(serializers.Serializer):
    enrollment_id = serializers.IntegerField()
    name = serializers.CharField()
    groups = serializers.SerializerMethodField()
    declined = serializers.IntegerField()

    def get_groups(self, rates) -> list[dict]:
        return [
            {"group": group, "asked": asked, "answered": answered}
            for group, (answered, asked) in zip(RaterGroup.values, rates.cells(), strict=True)
        ]


class CycleViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A cohort's 360 cycles. Create schedules one; `open` opens it now (copying the
    organisation's thresholds); `close` closes it for good (audited)."""

    serializer_class = CycleSerializer
    queryset = FeedbackCycle.objects.none()
    lookup_value_regex = r"\d+"
    permissions = dict.fromkeys(
        ["list", "retrieve", "create", "open", "close", "response_rates"], "manage_feedback"
    )
    filterset_fields = ["status", "phase"]
    ordering_fields = ["opens_on", "closes_on"]

    def scoped_queryset(self, actor):
        return selectors.cycle_list(actor=actor)

    def perform_create(self, serializer):
        data, actor = serializer.validated_data, self.request.auth
        try:
            cohort = selectors.cohort_get(actor=actor, pk=data["cohort_id"])
        except Cohort.DoesNotExist:
            raise ValidationError({"cohort_id": ["No such cohort in this organisation."]}) from None
        questionnaire = None
        if data.get("questionnaire_id"):
            try:
                questionnaire = selectors.questionnaire_get(
                    actor=actor, pk=data["questionnaire_id"]
                )
            except Questionnaire.DoesNotExist:
                raise ValidationError(
                    {"questionnaire_id": ["No such questionnaire in this organisation."]}
                ) from None
        cycle = services.cycle_create(
            actor=actor,
            cohort=cohort,
            phase=data["phase"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            questionnaire=questionnaire,
        )
        serializer.instance = selectors.cycle_get(actor=actor, pk=cycle.pk)

    def _after(self, cycle):
        return Response(
            self.get_serializer(selectors.cycle_get(actor=self.request.auth, pk=cycle.pk)).data
        )

    @extend_schema(request=None, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Opens a scheduled cycle now. 400 if it is open or closed (never reopens)."""
        return self._after(services.cycle_open(actor=request.auth, cycle=self.get_object()))

    @extend_schema(request=None, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Closes an open cycle for good; audited. 400 if it is not open."""
        return self._after(services.cycle_close(actor=request.auth, cycle=self.get_object()))

    @extend_schema(responses=LearnerRatesSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="response-rates")
    def response_rates(self, request, pk=None):
        """Per learner and group: raters asked and answered. Counts only."""
        rates = selectors.response_rates(cycle=self.get_object())
        return Response(LearnerRatesSerializer(rates, many=True).data)


class SettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackSettings
        fields = [*SETTINGS_BOUNDS, "updated_at"]
        read_only_fields = ["updated_at"]
        # The real bounds, so the schema states them, with the service's words for why.
        extra_kwargs = {
            name: {
                "min_value": low,
                "max_value": high,
                "validators": [],
                "error_messages": {
                    "min_value": services.settings_bound_message(name, below=True),
                    "max_value": services.settings_bound_message(name, below=False),
                },
            }
            for name, (low, high) in SETTINGS_BOUNDS.items()
        }


class SettingsViewSet(viewsets.GenericViewSet):
    """The organisation's 360 settings. A cycle copies them when it opens."""

    serializer_class = SettingsSerializer
    queryset = FeedbackSettings.objects.none()
    permissions = dict.fromkeys(["retrieve", "update", "partial_update"], "manage_feedback")

    def get_object(self):
        return feedback_settings(organization=self.request.auth.organization)

    def retrieve(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    def update(self, request, partial=False):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        settings = services.feedback_settings_update(
            actor=request.auth, **serializer.validated_data
        )
        return Response(self.get_serializer(settings).data, status=status.HTTP_200_OK)

    def partial_update(self, request):
        return self.update(request, partial=True)


router = SimpleRouter()
router.register("feedback360/cycles", CycleViewSet, basename="feedback-cycle")

urlpatterns = [
    *router.urls,
    path(
        "feedback360/settings/",
        SettingsViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"}),
        name="feedback-settings",
    ),
]
