"""The questionnaires shipped with Lodestar, loaded into every organisation."""

import functools
from pathlib import Path

from django.db import transaction

from assessments.models import (
    AssessmentItem,
    AssessmentKind,
    AssessmentTemplate,
    ItemType,
)
from people.models import Organization
from programs.models import Competency
from programs.questionnaire_format import (
    Questionnaire,
    QuestionnaireFileError,
    RatingItem,
    questionnaire_parse,
)
from programs.services import competencies_seed

LIBRARY_DIR = Path(__file__).resolve().parents[1] / "content"


# The kinds of questionnaire assessments store; knowledge checks have their own format.
QUESTIONNAIRE_KINDS = (AssessmentKind.SELF, AssessmentKind.MANAGER, AssessmentKind.READINESS)


def _library_questionnaire(path: Path, known_competencies: set[str]) -> Questionnaire:
    """A shipped questionnaire, checked. Raises QuestionnaireFileError naming the file for
    any problem, including items assessments cannot store: every item here is a 1-5
    rating each rater must give (no open questions, no "not observed")."""
    return _checked(path, path.stat().st_mtime_ns, frozenset(known_competencies))


@functools.lru_cache(maxsize=64)
def _checked(path: Path, _mtime_ns: int, known_competencies: frozenset[str]) -> Questionnaire:
    # Parsing the shipped YAML costs about 70 ms a file and every new organisation and
    # every round reads it; the result is pure (immutable dataclasses), so it is kept per
    # file version and competency set.
    try:
        questionnaire = questionnaire_parse(
            path.read_bytes(),
            known_competencies=set(known_competencies),
            kinds=QUESTIONNAIRE_KINDS,
        )
    except QuestionnaireFileError as exc:
        raise QuestionnaireFileError([f"{path.name}: {error}" for error in exc.errors]) from None
    unsupported = [
        item.id
        for item in questionnaire.items
        if not isinstance(item, RatingItem) or item.not_observed
    ]
    if unsupported:
        raise QuestionnaireFileError(
            [
                f"{path.name}: assessments store only 1-5 ratings that every rater gives, "
                f"not {', '.join(unsupported)}."
            ]
        )
    return questionnaire


def assessment_library_load(*, organization: Organization) -> int:
    """Loads Lodestar's questionnaires into an organisation and returns how many were new.
    Safe to run again. Raises QuestionnaireFileError if a shipped file is invalid."""
    competencies_seed(organization=organization)
    by_key = {c.key: c for c in Competency.objects.filter(organization=organization)}
    have = set(
        AssessmentTemplate.objects.filter(organization=organization).values_list("key", flat=True)
    )
    loaded = 0
    for path in sorted(LIBRARY_DIR.glob("*.yaml")):
        questionnaire = _library_questionnaire(path, set(by_key))
        if questionnaire.key in have:
            continue
        with transaction.atomic():
            template = AssessmentTemplate.objects.create(
                organization=organization,
                key=questionnaire.key,
                title=questionnaire.title,
                kind=questionnaire.kind,
                description=questionnaire.description,
                is_library=True,
            )
            AssessmentItem.objects.bulk_create(
                AssessmentItem(
                    template=template,
                    key=item.id,
                    position=i,
                    competency=by_key[item.competency],
                    item_type=ItemType.LIKERT,
                    text=item.text,
                    anchors={str(level): text for level, text in item.anchors.items()},
                )
                for i, item in enumerate(questionnaire.rating_items)
            )
        loaded += 1
    return loaded
