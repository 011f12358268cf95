from rest_framework import serializers

from people import bounds
from people.bounds import validate_date_range
from programs.models import (
    Audience,
    Cohort,
    Competency,
    Enrollment,
    EnrollmentImport,
    EnrollmentImportRow,
    Module,
    ModuleKind,
    Program,
    Scenario,
)
from programs.scenario_format import MAX_FILE_BYTES

MAX_ID = 2**63 - 1


class CompetencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Competency
        fields = ["id", "key", "name", "description", "is_retired"]
        read_only_fields = ["id", "key"]


class ModuleSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ModuleKind.choices)
    competency_ids = serializers.PrimaryKeyRelatedField(
        source="competencies", many=True, read_only=True
    )
    scenario_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    competencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        write_only=True,
        required=False,
        max_length=200,
    )

    class Meta:
        model = Module
        fields = [
            "id",
            "title",
            "kind",
            "release_week",
            "body",
            "scenario_id",
            "competency_ids",
            "competencies",
            "estimated_minutes",
            "session_starts_at",
            "session_location",
        ]


class ProgramSerializer(serializers.ModelSerializer):
    audience = serializers.ChoiceField(choices=Audience.choices)
    competencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        write_only=True,
        required=False,
        max_length=200,
    )
    competency_ids = serializers.PrimaryKeyRelatedField(
        source="competencies", many=True, read_only=True
    )
    modules = ModuleSerializer(many=True, read_only=True)
    template_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Set on a cohort's own copy: the template it was copied from.",
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "title",
            "audience",
            "description",
            "duration_weeks",
            "cost_per_participant",
            "competencies",
            "competency_ids",
            "modules",
            "template_id",
        ]


class ScenarioSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="current_version.number", read_only=True)
    competencies = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    definition = serializers.JSONField(source="current_version.definition", read_only=True)

    class Meta:
        model = Scenario
        fields = [
            "id",
            "key",
            "title",
            "summary",
            "competencies",
            "estimated_minutes",
            "version",
            "definition",
        ]


class ScenarioImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False,
        help_text="A YAML scenario file.",
        validators=[bounds.UploadSizeValidator(MAX_FILE_BYTES)],
    )
    content = serializers.CharField(
        required=False, max_length=MAX_FILE_BYTES, help_text="Or the YAML text itself."
    )

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("content"):
            raise serializers.ValidationError({"file": "Send a YAML file or its content."})
        return attrs


class CohortSerializer(serializers.ModelSerializer):
    program_id = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The program template; the cohort runs its own copy.",
    )
    coach_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        write_only=True,
        max_length=200,
    )
    coaches = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    facilitator_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    end_date = serializers.DateField(
        required=False, allow_null=True, validators=[validate_date_range]
    )
    learner_count = serializers.IntegerField(read_only=True)
    program_copy_id = serializers.IntegerField(
        source="program_id",
        read_only=True,
        help_text="The cohort's own copy of the program, whose modules its learners see.",
    )

    class Meta:
        model = Cohort
        fields = [
            "id",
            "name",
            "program_id",
            "program_copy_id",
            "start_date",
            "end_date",
            "capacity",
            "facilitator_id",
            "coaches",
            "coach_ids",
            "learner_count",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # The template the cohort was opened from, as written: never the copy's id, which
        # the programs endpoint does not list.
        data["program_id"] = instance.program.template_id or instance.program_id
        return data


class EnrollmentSerializer(serializers.ModelSerializer):
    employee = serializers.SerializerMethodField()
    coach = serializers.EmailField(
        source="coach.email", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "cohort",
            "employee",
            "coach",
            "status",
            "enrolled_at",
            "ended_at",
            "moved_to",
        ]

    def get_employee(self, obj) -> dict:
        return {
            "id": obj.employee_id,
            "full_name": obj.employee.full_name,
            "email": obj.employee.email,
        }


class EnrollmentMoveSerializer(serializers.Serializer):
    cohort_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class EnrollmentCreateSerializer(serializers.Serializer):
    employee_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=2000
    )


class CohortNudgeSerializer(serializers.Serializer):
    enrollment_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=2000,
        help_text="Enrolments of this cohort to nudge; others are ignored.",
    )


class CohortNudgeResultSerializer(serializers.Serializer):
    nudged = serializers.IntegerField(help_text="How many learners were emailed.")
    enrollment_ids = serializers.ListField(child=serializers.IntegerField())
    ignored_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids sent that are not active learners of this cohort who can sign in.",
    )


class ProgressCellSerializer(serializers.Serializer):
    module_id = serializers.IntegerField()
    status = serializers.CharField()
    overdue = serializers.BooleanField()
    best_score = serializers.IntegerField(allow_null=True)


class ProgressRowSerializer(serializers.Serializer):
    enrollment_id = serializers.IntegerField()
    learner = serializers.CharField()
    completed = serializers.IntegerField()
    behind = serializers.IntegerField()
    cells = ProgressCellSerializer(many=True)


class PlanModuleSerializer(serializers.Serializer):
    module_id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    release_week = serializers.IntegerField()
    released_on = serializers.DateField()
    status = serializers.CharField(help_text="locked, open, in_progress or completed")
    overdue = serializers.BooleanField()


class PlanSerializer(serializers.Serializer):
    week = serializers.IntegerField()
    total_weeks = serializers.IntegerField()
    completed = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    modules = PlanModuleSerializer(many=True)


class EnrollmentImportProblemSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True)


class EnrollmentImportSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField(read_only=True)
    ready = serializers.IntegerField(read_only=True, help_text="Rows that can be enrolled.")
    with_problems = serializers.IntegerField(read_only=True)
    problems = EnrollmentImportProblemSerializer(
        many=True, read_only=True, help_text="How many rows have each kind of problem."
    )


class EnrollmentImportSerializer(serializers.ModelSerializer):
    cohort_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The cohort to enrol into."
    )
    file = serializers.FileField(
        write_only=True,
        help_text="A UTF-8 CSV: one work email per line, or a column 'email'.",
        validators=[bounds.UploadSizeValidator(bounds.import_max_bytes)],
    )
    summary = EnrollmentImportSummarySerializer(read_only=True)

    class Meta:
        model = EnrollmentImport
        fields = [
            "id",
            "cohort_id",
            "filename",
            "status",
            "file_error",
            "summary",
            "created_at",
            "committed_at",
            "file",
        ]
        read_only_fields = [
            "id",
            "filename",
            "status",
            "file_error",
            "summary",
            "created_at",
            "committed_at",
        ]


class EnrollmentImportRowSerializer(serializers.ModelSerializer):
    employee_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The roster person this email matched."
    )

    class Meta:
        model = EnrollmentImportRow
        fields = ["row_number", "email", "employee_id", "errors"]
