from decimal import Decimal

from django import forms

from assessments.models import Phase
from people.bounds import NOTE_LENGTH, validate_date_range
from programs.scenario_format import MAX_FILE_BYTES

# 500 candidates with long work emails, one a line.
NOMINATION_TEXT_LENGTH = 500 * 255


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker only reads ISO dates, whatever the site's locale.
        super().__init__(attrs, format="%Y-%m-%d")


class RoundForm(forms.Form):
    phase = forms.ChoiceField(choices=Phase.choices)
    opens_on = forms.DateField(widget=DateInput, label="Opens on", validators=[validate_date_range])
    closes_on = forms.DateField(
        widget=DateInput, label="Closes on", validators=[validate_date_range]
    )

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "The window must close after it opens.")
        return data


class CheckForm(forms.Form):
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        max_length=MAX_FILE_BYTES,
        label="Questions (YAML)",
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason for reopening")
    closes_on = forms.DateField(
        widget=DateInput, required=False, label="Open until", validators=[validate_date_range]
    )


class GoalForm(forms.Form):
    goal = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_LENGTH,
        label="Goal, in your words",
    )
    practice_commitment = forms.CharField(
        max_length=300, required=False, label="Practice commitment"
    )
    due_date = forms.DateField(widget=DateInput, label="Due", validators=[validate_date_range])


class TargetsForm(forms.Form):
    """A target level per competency, 1 to 5 in steps of 0.5: required (4.0 unless set)
    for the program's chosen competencies, optional for the others."""

    def __init__(self, *args, competencies=(), initial_targets=None, chosen_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        for competency in competencies:
            chosen = competency.pk in chosen_ids
            initial = (initial_targets or {}).get(competency.pk)
            self.fields[f"c{competency.pk}"] = forms.DecimalField(
                label=competency.name,
                min_value=1,
                max_value=5,
                step_size=Decimal("0.5"),
                decimal_places=1,
                required=chosen,
                initial=initial if initial is not None else (Decimal("4.0") if chosen else None),
            )


class NominateForm(forms.Form):
    emails = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Candidates' work emails",
        max_length=NOMINATION_TEXT_LENGTH,
        help_text="One per line. Each candidate's line manager is asked to assess them.",
    )
    closes_on = forms.DateField(
        widget=DateInput, label="Assessment closes on", validators=[validate_date_range]
    )
