from rest_framework import serializers

from people import bounds
from people.bounds import validate_date_range
from people.models import (
    ApiToken,
    Employee,
    EmployeeRecord,
    Job,
    Membership,
    Role,
    RosterImport,
    RosterImportRow,
    Team,
    TerminationReason,
)
from people.permissions import can_view_salary

MAX_ID = 2**63 - 1


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class EmployeeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["id", "full_name", "email"]


class EmployeeSerializer(serializers.ModelSerializer):
    """A roster person. `annual_salary` is present for L&D managers only (see
    people.api.schema, which documents it as optional)."""

    team = TeamRefSerializer(read_only=True, allow_null=True)
    manager = EmployeeRefSerializer(read_only=True, allow_null=True)
    termination_reason = serializers.ChoiceField(
        choices=TerminationReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty while the person has not left.",
    )
    is_active = serializers.BooleanField(
        source="is_current", read_only=True, help_text="Employed today (not yet left)."
    )
    has_login = serializers.SerializerMethodField()
    annual_salary = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Employee
        fields = [
            "id",
            "employee_id",
            "full_name",
            "email",
            "team",
            "manager",
            "job_title",
            "level",
            "hire_date",
            "termination_date",
            "termination_reason",
            "is_active",
            "is_top_performer",
            "time_zone",
            "has_login",
            "annual_salary",
        ]
        read_only_fields = fields

    def get_has_login(self, obj) -> bool:
        return obj.user_id is not None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        actor = self.context["request"].auth
        if not can_view_salary(actor):
            data.pop("annual_salary", None)
        return data


class EmployeeRecordSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer(read_only=True, allow_null=True)
    manager = EmployeeRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = EmployeeRecord
        fields = [
            "id",
            "effective_date",
            "event",
            "changed_fields",
            "is_employed",
            "team",
            "manager",
            "job_title",
            "level",
            "is_top_performer",
            "termination_reason",
            "source",
        ]


class TeamSerializer(serializers.ModelSerializer):
    lead = EmployeeRefSerializer(read_only=True, allow_null=True)
    lead_id = serializers.IntegerField(
        required=False, allow_null=True, write_only=True, min_value=1, max_value=MAX_ID
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "lead", "lead_id", "member_count"]


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    employee_id = serializers.IntegerField(
        write_only=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="The roster person (Employee id) to give this role.",
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "user_id", "email", "role", "employee_id", "created_at"]
        read_only_fields = ["id", "user_id", "email", "created_at"]


class ApiTokenSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.slug", read_only=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, max_length=len(Role)
    )
    prefix = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "organization",
            "roles",
            "read_only",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = [
            "id",
            "organization",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_prefix(self, obj) -> str:
        return f"{ApiToken.PREFIX}_{obj.key_id}_"


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "message",
            "attempts",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        ]


class RosterImportSerializer(serializers.ModelSerializer):
    job = JobSerializer(read_only=True)
    file = serializers.FileField(
        write_only=True,
        help_text="A CSV (UTF-8) or XLSX roster.",
        validators=[bounds.UploadSizeValidator(bounds.import_max_bytes)],
    )

    class Meta:
        model = RosterImport
        fields = [
            "id",
            "filename",
            "status",
            "file_errors",
            "summary",
            "job",
            "created_at",
            "committed_at",
            "file",
        ]
        read_only_fields = [
            "id",
            "filename",
            "status",
            "file_errors",
            "summary",
            "job",
            "created_at",
            "committed_at",
        ]


class RosterImportRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = RosterImportRow
        fields = ["row_number", "action", "errors", "changes", "data", "employee"]


class EmployeeUpdateSerializer(serializers.Serializer):
    """Fields an L&D manager may change on one person; omitted fields keep their value."""

    team_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    manager_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    level = serializers.CharField(required=False, allow_blank=True, max_length=40)
    annual_salary = serializers.DecimalField(
        required=False, allow_null=True, max_digits=12, decimal_places=2, min_value=0
    )
    is_top_performer = serializers.BooleanField(required=False)
    effective_date = serializers.DateField(
        help_text="When the change takes effect, for the HR history: never before the hire.",
        validators=[validate_date_range],
    )
    termination_date = serializers.DateField(
        required=False, allow_null=True, validators=[validate_date_range]
    )
    termination_reason = serializers.ChoiceField(
        choices=TerminationReason.choices, required=False, allow_blank=True
    )

    # The body is never partial: every field but effective_date may be left out, and
    # effective_date is always needed. Without this the schema, which marks every PATCH
    # body partial, documented effective_date as optional.
    @property
    def partial(self):
        return False

    @partial.setter
    def partial(self, value):
        pass
