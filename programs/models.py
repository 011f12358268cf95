import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from people.bounds import (
    BODY_LENGTH,
    NOTE_LENGTH,
    PROSE_LENGTH,
    text_validators,
    validate_date_range,
)
from people.models import Employee, Organization, User

SEEDED_COMPETENCIES = [
    (
        "emotional_intelligence",
        "Emotional intelligence",
        "Noticing and managing your own reactions and reading others'.",
    ),
    (
        "delegation",
        "Delegation",
        "Handing over work at the right level of support, and letting go.",
    ),
    (
        "feedback_delivery",
        "Feedback delivery",
        "Specific, timely, kind feedback on behaviour and its impact.",
    ),
    (
        "conflict_resolution",
        "Conflict resolution",
        "Turning disagreement into a decision without damaging trust.",
    ),
    (
        "stakeholder_management",
        "Stakeholder management",
        "Making trade-offs visible and negotiating scope, not dates.",
    ),
    (
        "strategic_thinking",
        "Strategic thinking",
        "Connecting today's technical choices to where the product and team must go.",
    ),
    ("communication", "Communication", "One-on-ones and written updates that people act on."),
    (
        "psychological_safety",
        "Psychological safety",
        "A team where people raise problems early and admit mistakes.",
    ),
]


class Competency(models.Model):
    """One skill in an organisation's leadership framework. Retired, never deleted once used."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="competencies"
    )
    key = models.SlugField(max_length=60, help_text="Stable identifier used in scenario files.")
    name = models.CharField(max_length=120)
    description = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )
    is_retired = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="competency_unique_key"),
            models.UniqueConstraint(fields=["organization", "name"], name="competency_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FrameworkReview(models.Model):
    """When an organisation's L&D team last confirmed (or edited) its competency
    framework: the onboarding checklist's "review the competencies" step."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="framework_review"
    )
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Framework reviewed {self.reviewed_at:%Y-%m-%d}"


class Audience(models.TextChoices):
    NEW_MANAGERS = "new_managers", "New managers"
    PRE_PROMOTION = "pre_promotion", "Pre-promotion bootcamp"
    SENIOR_TECHNICAL = "senior_technical", "Senior technical leaders"


class Program(models.Model):
    """A reusable program template: modules released week by week from a cohort's start."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    description = models.TextField(
        blank=True, max_length=PROSE_LENGTH, validators=text_validators(PROSE_LENGTH)
    )
    duration_weeks = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    competencies = models.ManyToManyField(Competency, blank=True, related_name="programs")
    cost_per_participant = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    # A cohort runs its own copy of a program (copy on first use), so improving the
    # template never rewrites what a running or finished cohort did. Set on copies only.
    template = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cohort_copy(self) -> bool:
        return self.template_id is not None


class Scenario(models.Model):
    """A branching role-play. Its content lives in versions: an attempt keeps the version
    it was played on, so editing a scenario never rewrites what a learner did."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scenarios"
    )
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.TextField(
        blank=True, max_length=PROSE_LENGTH, validators=text_validators(PROSE_LENGTH)
    )
    competencies = models.ManyToManyField(Competency, blank=True, related_name="scenarios")
    estimated_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    current_version = models.ForeignKey(
        "ScenarioVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_library = models.BooleanField(default=False, help_text="Shipped with Lodestar.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="scenario_unique_key")
        ]

    def __str__(self) -> str:
        return self.title


class ScenarioVersion(models.Model):
    """An immutable published definition: steps, choices, endings (validated on save)."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scenario_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "number"], name="scenario_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scenario} v{self.number}"


class ModuleKind(models.TextChoices):
    LESSON = "lesson", "Lesson"
    SCENARIO = "scenario", "Scenario"
    SBI_PRACTICE = "sbi_practice", "Practice: SBI feedback"
    DELEGATION_PRACTICE = "delegation_practice", "Practice: delegation matrix"
    REFLECTION = "reflection", "Reflection"
    KNOWLEDGE_CHECK = "knowledge_check", "Knowledge check"
    LIVE_SESSION = "live_session", "Live session"


class Module(models.Model):
    """One step of a program, released in a given week of the cohort."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(default=0)
    release_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    kind = models.CharField(max_length=24, choices=ModuleKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(
        blank=True,
        max_length=BODY_LENGTH,
        validators=text_validators(BODY_LENGTH),
        help_text="Markdown: the lesson, or the reflection prompt.",
    )
    scenario = models.ForeignKey(
        Scenario, null=True, blank=True, on_delete=models.PROTECT, related_name="modules"
    )
    competencies = models.ManyToManyField(Competency, blank=True, related_name="modules")
    estimated_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    session_starts_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_date_range]
    )
    session_location = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["program_id", "release_week", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Cohort(models.Model):
    """A group of learners taking a program together from a start date."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cohorts")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200)
    start_date = models.DateField(validators=[validate_date_range])
    end_date = models.DateField(validators=[validate_date_range])
    facilitator = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="facilitated_cohorts"
    )
    coaches = models.ManyToManyField(User, blank=True, related_name="coached_cohorts")
    capacity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def week_starts(self, week: int) -> datetime.date:
        return self.start_date + datetime.timedelta(weeks=week - 1)

    def has_ended(self, today: datetime.date) -> bool:
        """The one rule for a finished cohort: its end date is past. Its learners stay
        enrolled, but are no longer anyone's work for today."""
        return self.end_date < today

    @property
    def display_name(self) -> str:
        """ "Program · cohort", or the cohort's name alone when it already starts with the
        program's title ("Leading IT teams · cohort 3"), so no page repeats it."""
        title = self.program.title
        if self.name.casefold().startswith(title.casefold()):
            return self.name
        return f"{title} · {self.name}"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MOVED = "moved", "Moved to another cohort"


class Enrollment(models.Model):
    """A learner in a cohort, with their own coach. Withdrawn or moved enrolments keep
    their history."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="enrollments")
    coach = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="coached_enrollments"
    )
    status = models.CharField(
        max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    moved_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="moved_from"
    )

    class Meta:
        ordering = ["cohort_id", "employee__full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "employee"],
                condition=models.Q(status="active"),
                name="enrollment_one_active_per_cohort",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} in {self.cohort}"


class ProgressStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class ModuleProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=12, choices=ProgressStatus.choices)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module"], name="progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.module} · {self.status}"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"


class ScenarioAttempt(models.Model):
    """One play-through, on the scenario version it started on. Every step is kept."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attempts")
    version = models.ForeignKey(ScenarioVersion, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(
        max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    current_step = models.CharField(max_length=80)
    path = models.JSONField(default=list)
    scores = models.JSONField(default=dict)
    ending = models.CharField(max_length=80, blank=True)
    total_score = models.IntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Attempt {self.pk} ({self.status})"


class Reflection(models.Model):
    """Private to the learner and their own coach."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="reflections")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="reflections")
    text = models.TextField(max_length=PROSE_LENGTH, validators=text_validators(PROSE_LENGTH))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module"], name="reflection_unique")
        ]

    def __str__(self) -> str:
        return f"Reflection on {self.module}"


class SbiEntry(models.Model):
    """A learner's Situation-Behavior-Impact feedback draft in their practice log."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="sbi_entries")
    situation = models.TextField(max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH))
    behavior = models.TextField(max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH))
    impact = models.TextField(max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH))
    request = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"SBI {self.created_at:%Y-%m-%d}"


class DelegationDecision(models.Model):
    """A real delegation decision from the learner's work, and later its outcome."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="delegation_decisions"
    )
    task = models.CharField(max_length=300)
    delegate_name = models.CharField(max_length=200)
    complexity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    readiness = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    recommended_level = models.CharField(max_length=12)
    chosen_level = models.CharField(max_length=12)
    outcome = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.task


class LiveSessionAttendance(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attendance")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance")
    attended = models.BooleanField()
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "enrollment"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} at {self.module}"


class EnrollmentImportStatus(models.TextChoices):
    CHECKING = "checking", "Checking the file"
    PREVIEW = "preview", "Ready to enrol"
    INVALID = "invalid", "Has problems"
    COMMITTED = "committed", "Enrolled"
    DISCARDED = "discarded", "Discarded"


class EnrollmentImport(models.Model):
    """An uploaded CSV of emails to enrol, checked into rows before anyone is enrolled:
    the same stored-batch pattern as a roster import (people.RosterImport)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    status = models.CharField(
        max_length=12,
        choices=EnrollmentImportStatus.choices,
        default=EnrollmentImportStatus.CHECKING,
    )
    file_error = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )
    # Counts for the preview: rows, ready, with_problems, and problems as
    # [{"label": ..., "count": ...}], so the page and the API need not count rows again.
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class EnrollmentImportRow(models.Model):
    """One email of an enrolment file: who it matched on the roster and every reason
    they cannot be enrolled (none when they can)."""

    enrollment_import = models.ForeignKey(
        EnrollmentImport, on_delete=models.CASCADE, related_name="rows"
    )
    row_number = models.PositiveIntegerField()
    email = models.CharField(max_length=254, blank=True)
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment_import", "row_number"], name="enrollment_import_row_once"
            )
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.email}"


class ReminderKind(models.TextChoices):
    RELEASED = "released", "Module released"
    OVERDUE = "overdue", "Module overdue"


class ReminderSent(models.Model):
    """An outbox of reminder emails: one row per learner, module and kind, created when
    the reminder falls due and marked sent once the email went out. A re-run never sends
    twice; a failed send stays pending and is tried again on the next run."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="reminders")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module", "kind"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.module}"
