from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import selectors
from assessments.models import Assessment, AssessmentItem, DevelopmentPlan, PlanGoal
from people.bounds import validate_date_range

MAX_ANSWERS = 500


class ItemSerializer(serializers.ModelSerializer):
    competency = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = AssessmentItem
        fields = ["key", "competency", "item_type", "text", "anchors", "options"]


class ProgressSerializer(serializers.Serializer):
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    remaining = serializers.IntegerField()


class AssessmentSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template.title", read_only=True)
    kind = serializers.CharField(source="template.kind", read_only=True)
    subject = serializers.CharField(source="subject.full_name", read_only=True)
    items = ItemSerializer(source="template.items", many=True, read_only=True)
    answers = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField(help_text="Items answered so far, and left.")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "template",
            "kind",
            "subject",
            "phase",
            "opens_on",
            "closes_on",
            "status",
            "submitted_at",
            "items",
            "answers",
            "progress",
        ]

    @extend_schema_field(
        {"type": "object", "nullable": True, "additionalProperties": {"type": "integer"}}
    )
    def get_answers(self, obj) -> dict | None:
        # Answers are the rater's own; L&D managers read scores through results instead,
        # where the read is audited.
        actor = self.context["request"].auth
        if not selectors.answers_visible(actor=actor, assessment=obj):
            return None
        return {a.item.key: a.value for a in obj.answers.all()}

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, obj) -> dict:
        # Counts only, from the prefetched rows: L&D may see how far a rater has got.
        total = len(obj.template.items.all())
        answered = sum(1 for a in obj.answers.all() if a.value is not None)
        return {"answered": answered, "total": total, "remaining": total - answered}


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5, allow_null=True),
        help_text="Item key -> rating 1-5 (null clears a draft answer).",
    )
    submit = serializers.BooleanField(
        default=False, help_text="true submits: answers become final."
    )

    def validate_answers(self, value):
        # A questionnaire has at most a few dozen items, each keyed by a slug of 80.
        if len(value) > MAX_ANSWERS or any(len(key) > 80 for key in value):
            raise serializers.ValidationError(
                f"Answer at most {MAX_ANSWERS} items, each by its key (at most 80 characters)."
            )
        return value


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ScoreSerializer(serializers.Serializer):
    competency = serializers.CharField()
    self_score = serializers.FloatField(allow_null=True)
    manager_score = serializers.FloatField(allow_null=True)
    combined = serializers.FloatField(allow_null=True)
    blind_spot = serializers.BooleanField()
    blind_spot_direction = serializers.CharField()


class GapSerializer(serializers.Serializer):
    competency = serializers.CharField()
    target = serializers.FloatField()
    score = serializers.FloatField(allow_null=True)
    gap = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)


class ResultsSerializer(serializers.Serializer):
    scores = ScoreSerializer(many=True)
    gaps = GapSerializer(many=True)
    final_scores = ScoreSerializer(
        many=True, allow_null=True, help_text="End-of-program scores, side by side."
    )
    plan_draft_awaits = serializers.CharField(
        allow_null=True,
        help_text="Null when the plan can be drafted now; otherwise what drafting waits for.",
    )


class GoalSerializer(serializers.ModelSerializer):
    competency = serializers.SlugRelatedField(slug_field="key", read_only=True)
    module_ids = serializers.PrimaryKeyRelatedField(source="modules", many=True, read_only=True)

    class Meta:
        model = PlanGoal
        fields = [
            "id",
            "competency",
            "gap",
            "goal",
            "practice_commitment",
            "due_date",
            "module_ids",
        ]
        read_only_fields = ["id", "competency", "gap", "module_ids"]


class DevelopmentPlanSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    goals = GoalSerializer(many=True, read_only=True)

    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "enrollment",
            "status",
            "learner_agreed_at",
            "coach_agreed_at",
            "shared_with",
            "goals",
        ]
        read_only_fields = fields


class SharedGoalSerializer(serializers.ModelSerializer):
    """A goal as the line manager sees it once shared: no gap, no scores."""

    competency = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = PlanGoal
        fields = ["id", "competency", "goal", "practice_commitment", "due_date"]


class SharedPlanSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    goals = SharedGoalSerializer(many=True, read_only=True)

    class Meta:
        model = DevelopmentPlan
        fields = ["id", "enrollment", "status", "goals"]


class ShareSerializer(serializers.Serializer):
    shared = serializers.BooleanField()


class NominateSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.EmailField(max_length=254), min_length=1, max_length=500
    )
    closes_on = serializers.DateField(validators=[validate_date_range])


class ReadinessRowSerializer(serializers.Serializer):
    nomination_id = serializers.IntegerField()
    candidate = serializers.CharField()
    status = serializers.CharField()
    overall = serializers.FloatField(allow_null=True)
    band = serializers.CharField()
    per_competency = serializers.DictField(child=serializers.FloatField(allow_null=True))
    large_gaps = serializers.ListField(child=serializers.CharField())
    recommended_program_id = serializers.IntegerField(allow_null=True)


class TemplateSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        from assessments.models import AssessmentTemplate

        model = AssessmentTemplate
        fields = ["id", "key", "title", "kind", "description", "pass_mark", "module", "items"]
