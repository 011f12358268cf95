from django import forms
from django.conf import settings

from people.bounds import BODY_LENGTH, NOTE_LENGTH, PROSE_LENGTH, validate_date_range
from programs.models import Audience, ModuleKind
from programs.practice import COMPLEXITY_CHOICES, READINESS_CHOICES, DelegationLevel
from programs.scenario_format import MAX_FILE_BYTES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker only reads ISO dates, whatever the site's locale.
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class CompetencyForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE_LENGTH
    )


class ProgramForm(forms.Form):
    title = forms.CharField(max_length=200)
    audience = forms.ChoiceField(choices=Audience.choices)
    duration_weeks = forms.IntegerField(
        min_value=1,
        max_value=52,
        label="Duration (weeks)",
        help_text="12-16 weeks for a program, 2-4 for a bootcamp.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=PROSE_LENGTH
    )
    cost_per_participant = forms.DecimalField(
        min_value=0,
        max_digits=10,
        decimal_places=2,
        initial=0,
        help_text="Used by the ROI reports.",
    )
    competencies = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Target competencies"
    )

    def __init__(self, *args, competencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].choices = [(str(c.pk), c.name) for c in competencies]


# Fields that only some kinds of module use: (id, legend, kinds, fields, note). The page
# groups each in a fieldset marked with its kinds; static/js/module-form.js shows only the
# chosen kind's, and without the script every fieldset shows, its legend saying who it is
# for. services.module_save checks each kind's required fields either way.
KIND_SECTIONS = (
    (
        "text",
        "Text: for lessons, reflections, practice, knowledge checks and live sessions",
        [k for k in ModuleKind.values if k != ModuleKind.SCENARIO],
        ["body"],
        "",
    ),
    ("scenario", "Scenario modules only", [ModuleKind.SCENARIO], ["scenario"], ""),
    (
        "check",
        "Knowledge checks only",
        [ModuleKind.KNOWLEDGE_CHECK],
        [],
        "Save the module, then set its questions from the module's page.",
    ),
    (
        "session",
        "Live sessions only",
        [ModuleKind.LIVE_SESSION],
        ["session_starts_at", "session_location"],
        "",
    ),
)


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(
        choices=ModuleKind.choices, widget=forms.Select(attrs={"data-module-kind": ""})
    )
    release_week = forms.IntegerField(min_value=1, max_value=52, label="Released in week")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=BODY_LENGTH,
        label="Content (Markdown)",
        help_text="The lesson, the reflection prompt, or what learners read first.",
    )
    scenario = forms.ChoiceField(required=False, help_text="The scenario this module plays.")
    competencies = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False)
    estimated_minutes = forms.IntegerField(min_value=1, max_value=600, initial=15)
    session_starts_at = forms.DateTimeField(
        required=False,
        widget=DateTimeInput,
        validators=[validate_date_range],
        label="Live session starts",
    )
    session_location = forms.CharField(max_length=300, required=False, label="Room or video link")

    def __init__(self, *args, competencies=(), scenarios=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].choices = [(str(c.pk), c.name) for c in competencies]
        self.fields["scenario"].choices = [("", "—")] + [(str(s.pk), s.title) for s in scenarios]

    def kind_sections(self) -> list[dict]:
        """The fieldsets of fields only some kinds use, for the template."""
        return [
            {
                "id": key,
                "legend": legend,
                "kinds": " ".join(kinds),
                "fields": [self[name] for name in names],
                "note": note,
            }
            for key, legend, kinds, names, note in KIND_SECTIONS
        ]

    def shared_fields(self) -> tuple[list, list]:
        """The fields every kind uses: those shown before the kind's own, and after."""
        return (
            [self["title"], self["kind"], self["release_week"]],
            [self["competencies"], self["estimated_minutes"]],
        )


class ScenarioUploadForm(forms.Form):
    file = forms.FileField(label="Scenario file (YAML)")


class ScenarioEditForm(forms.Form):
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        max_length=MAX_FILE_BYTES,
        label="Scenario (YAML)",
    )


class CohortForm(forms.Form):
    name = forms.CharField(max_length=200)
    program = forms.ChoiceField()
    # No date-range validator here: services.cohort_save holds a tighter rule (from 2000
    # to five years ahead) and says so in its own words.
    start_date = forms.DateField(
        widget=DateInput,
        help_text="Modules release week by week from this date. A past date is fine.",
    )
    end_date = forms.DateField(
        widget=DateInput,
        required=False,
        help_text="Leave empty for the program's length.",
    )
    capacity = forms.IntegerField(min_value=1, max_value=10000, initial=20)
    facilitator = forms.ChoiceField(required=False)
    coaches = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Each learner is assigned one of these coaches.",
    )

    def __init__(self, *args, programs=(), people=(), coaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(str(p.pk), p.title) for p in programs]
        self.fields["facilitator"].choices = [("", "—")] + [(str(u.pk), str(u)) for u in people]
        self.fields["coaches"].choices = [(str(u.pk), str(u)) for u in coaches]

    def clean(self):
        data = super().clean()
        if (
            data.get("start_date")
            and data.get("end_date")
            and data["end_date"] <= data["start_date"]
        ):
            self.add_error("end_date", "The cohort must end after it starts.")
        return data


class EnrolPickerFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    team = forms.ChoiceField(required=False)
    level = forms.CharField(required=False, max_length=40)
    manager = forms.ChoiceField(required=False)

    def __init__(self, *args, teams=(), managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "All teams")] + [(str(t.pk), t.name) for t in teams]
        self.fields["manager"].choices = [("", "Any manager")] + [
            (str(m.pk), m.full_name) for m in managers
        ]


class EnrolCsvForm(forms.Form):
    file = forms.FileField(
        label="CSV of emails", help_text="One work email per line; a header 'email' is allowed."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.LODESTAR_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024} KB; the limit is "
                f"{settings.LODESTAR_IMPORT_MAX_BYTES // 1024} KB."
            )
        return upload


class MoveForm(forms.Form):
    # No cohort is chosen in advance: a move is deliberate, never the first name in a list.
    cohort = forms.ChoiceField(label="Move to cohort")

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", "Choose a cohort")] + [
            (str(c.pk), c.name) for c in cohorts
        ]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        widget=forms.RadioSelect,
        label="How useful was this module? (1-5)",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE_LENGTH
    )


class ReflectionForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Your reflection",
        max_length=PROSE_LENGTH,
        help_text="Only you and your coach can read this.",
    )


class SbiForm(forms.Form):
    situation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_LENGTH,
        help_text="When and where, e.g. 'In Tuesday's sprint review on Zoom'.",
    )
    behavior = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_LENGTH,
        label="Behaviour",
        help_text="What the person did or said, as a camera would record it.",
    )
    impact = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_LENGTH,
        help_text="The concrete effect on the team, the work, users or you.",
    )
    request = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=NOTE_LENGTH,
        label="Request (optional)",
        help_text="What you would like to happen next.",
    )
    save_anyway = forms.BooleanField(required=False, label="Save anyway, with the checker's notes")


class DelegationForm(forms.Form):
    task = forms.CharField(max_length=300)
    delegate_name = forms.CharField(max_length=200, label="Delegated to")
    complexity = forms.TypedChoiceField(
        coerce=int, choices=COMPLEXITY_CHOICES, label="Task complexity"
    )
    readiness = forms.TypedChoiceField(
        coerce=int, choices=READINESS_CHOICES, label="Their readiness for it"
    )
    chosen_level = forms.ChoiceField(
        choices=[("", "Use the recommendation"), *DelegationLevel.choices],
        required=False,
        label="Level you chose",
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=NOTE_LENGTH, label="How did it go?"
    )
