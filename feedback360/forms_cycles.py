"""Forms of the L&D manager's 360 pages: a new cycle, and the organisation's settings.

Forms bound the input; the floors and every other rule live in
feedback360.services.cycles and come back as field errors."""

from django import forms

from feedback360.models import CyclePhase
from feedback360.services.cycles import SETTINGS_BOUNDS, settings_bound_message
from programs.forms import DateInput


class CycleForm(forms.Form):
    cohort = forms.TypedChoiceField(coerce=int)
    phase = forms.ChoiceField(choices=CyclePhase.choices, label="When")
    questionnaire = forms.TypedChoiceField(
        coerce=int,
        help_text="A cycle after the program asks what the cycle before it asked.",
    )
    opens_on = forms.DateField(widget=DateInput, label="Opens on")
    closes_on = forms.DateField(
        widget=DateInput,
        label="Closes on",
        help_text="Answers are taken until this day begins; reminders go out in between.",
    )

    def __init__(self, *args, cohorts=(), questionnaires=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [(c.pk, c.name) for c in cohorts]
        self.fields["questionnaire"].choices = [
            (q.pk, f"{q.title} (version {q.version})") for q in questionnaires
        ]


LABELS = {
    "peer_threshold": "Smallest group of peers shown",
    "direct_report_threshold": "Smallest group of direct reports shown",
    "stakeholder_threshold": "Smallest group of stakeholders shown",
    "overall_threshold": "Smallest 'all raters except self' figure shown",
    "rater_cap": "Most learners who may ask one person, per cycle",
    "peers_min": "Fewest peers a learner nominates",
    "peers_max": "Most peers a learner nominates",
    "direct_reports_max": "Most direct reports a learner nominates",
    "stakeholders_min": "Fewest stakeholders a learner nominates",
    "stakeholders_max": "Most stakeholders a learner nominates",
    "reminder_interval_days": "Days between reminders",
}
HELP = {
    "peer_threshold": "Never below 3: with fewer answers one rater could work out another's.",
    "overall_threshold": "Never below 4.",
    "rater_cap": "The manager group is exempt.",
}


class FeedbackSettingsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in SETTINGS_BOUNDS.items():
            self.fields[name] = forms.IntegerField(
                min_value=low,
                max_value=high,
                label=LABELS[name],
                help_text=HELP.get(name, ""),
                error_messages={
                    "min_value": settings_bound_message(name, below=True),
                    "max_value": settings_bound_message(name, below=False),
                },
            )
