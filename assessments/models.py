from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from people.bounds import NOTE_LENGTH, PROSE_LENGTH, text_validators, validate_date_range
from people.models import Employee, Organization, User
from programs.models import Competency, Enrollment, Module, Program


class AssessmentKind(models.TextChoices):
    SELF = "self", "Skills-gap self-assessment"
    MANAGER = "manager", "Manager assessment"
    READINESS = "readiness", "Pre-promotion readiness"
    KNOWLEDGE_CHECK = "knowledge_check", "Knowledge check"


class AssessmentTemplate(models.Model):
    """A questionnaire: Likert items with behavioural anchors, or a knowledge check."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="assessment_templates"
    )
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    description = models.TextField(
        blank=True, max_length=PROSE_LENGTH, validators=text_validators(PROSE_LENGTH)
    )
    # A knowledge check points at its module; programs never imports assessments.
    module = models.ForeignKey(
        Module, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pass_mark = models.PositiveSmallIntegerField(default=70, validators=[MaxValueValidator(100)])
    is_library = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="assessment_template_key")
        ]

    def __str__(self) -> str:
        return self.title


class ItemType(models.TextChoices):
    LIKERT = "likert", "Rating 1-5"
    CHOICE = "choice", "Multiple choice"


class AssessmentItem(models.Model):
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField()
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="assessment_items"
    )
    item_type = models.CharField(max_length=10, choices=ItemType.choices, default=ItemType.LIKERT)
    text = models.TextField(max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH))
    anchors = models.JSONField(default=dict, blank=True, help_text="Likert: what 1..5 look like.")
    options = models.JSONField(default=list, blank=True, help_text="Choice: [{key, text}].")
    correct = models.JSONField(default=list, blank=True, help_text="Choice: the right option keys.")
    explanation = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )

    class Meta:
        ordering = ["template_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="assessment_item_key")
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Phase(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    FINAL = "final", "End of program"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Assessment(models.Model):
    """One person's answers to one template about one learner, within a window."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="assessments"
    )
    template = models.ForeignKey(
        AssessmentTemplate, on_delete=models.PROTECT, related_name="assessments"
    )
    subject = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="assessments_about"
    )
    rater = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assessments_given")
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.BASELINE)
    opens_on = models.DateField(validators=[validate_date_range])
    closes_on = models.DateField(validators=[validate_date_range])
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "subject", "rater", "phase", "enrollment"],
                name="assessment_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.subject} ({self.phase})"


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(AssessmentItem, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    choices = models.JSONField(default=list, blank=True)
    comment = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class TargetLevel(models.Model):
    """A program's target profile: the level (1-5) it aims for per competency."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="target_levels")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    target = models.DecimalField(
        max_digits=3, decimal_places=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "competency"], name="target_once")
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.target}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"


class DevelopmentPlan(models.Model):
    """A learner's plan for one enrolment, drafted from their top gaps."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="development_plan"
    )
    learner_agreed_at = models.DateTimeField(null=True, blank=True)
    coach_agreed_at = models.DateTimeField(null=True, blank=True)
    coach_agreed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shared with one named line manager: a manager who takes the team over later does
    # not inherit what the learner chose to show the previous one.
    shared_with = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the manager it is shared with last opened it: their to-do asks them to read a
    # plan shared since, or changed since (updated_at).
    shared_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Plan for {self.enrollment}"

    @property
    def status(self) -> str:
        return (
            PlanStatus.AGREED
            if self.learner_agreed_at and self.coach_agreed_at
            else PlanStatus.DRAFT
        )


class PlanGoal(models.Model):
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField()
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    gap = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    goal = models.TextField(max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH))
    practice_commitment = models.CharField(max_length=300, blank=True)
    due_date = models.DateField(validators=[validate_date_range])
    modules = models.ManyToManyField(Module, blank=True, related_name="+")
    # Set when the learner or coach edits the goal: a redraft would throw their words away.
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]

    def __str__(self) -> str:
        return self.goal[:60]


class KnowledgeCheckAttempt(models.Model):
    """One go at a module's knowledge check. Retakes add attempts; the best one counts."""

    template = models.ForeignKey(
        AssessmentTemplate, on_delete=models.PROTECT, related_name="attempts"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="knowledge_attempts"
    )
    answers = models.JSONField(default=dict)
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    percent = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.percent}% ({'passed' if self.passed else 'not passed'})"


class ReadinessNomination(models.Model):
    """A candidate an L&D manager nominated for a pre-promotion readiness assessment."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="readiness_nominations"
    )
    candidate = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="readiness_nominations"
    )
    nominated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="nomination"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.candidate} (readiness)"


class PlanCheckIn(models.Model):
    """A coach's check-in on a plan goal. Coaching records these through
    services.plan_checkin_record; assessments never imports coaching."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="checkins")
    goal = models.ForeignKey(
        PlanGoal, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH))
    progress = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 = not started, 5 = done.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Check-in {self.created_at:%Y-%m-%d}"
