"""Lodestar's shipped questionnaires: checked as they load, refused whole when invalid."""

import pytest

from assessments import services
from assessments.models import AssessmentTemplate
from assessments.services import library as library_module
from programs.questionnaire_format import QuestionnaireFileError

RATED = """
key: rated
title: Rated
kind: self
items:
  - id: dl-one
    competency: delegation
    text: They delegate.
    anchors: {1: a, 2: b, 3: c, 4: d, 5: e}
"""


def library(monkeypatch, tmp_path, **files: str) -> None:
    for name, content in files.items():
        (tmp_path / f"{name}.yaml").write_text(content)
    monkeypatch.setattr(library_module, "LIBRARY_DIR", tmp_path)


def test_the_shipped_questionnaires_load_as_the_file_says(org):
    assert services.assessment_library_load(organization=org) == 3
    readiness = AssessmentTemplate.objects.get(organization=org, key="pre-promotion-readiness")
    assert (readiness.title, readiness.kind, readiness.is_library) == (
        "Pre-promotion readiness",
        "readiness",
        True,
    )
    assert readiness.description.startswith("For line managers assessing a candidate")
    first = readiness.items.order_by("position").first()
    assert (first.key, first.competency.key, first.item_type) == (
        "ei-composure-under-pressure",
        "emotional_intelligence",
        "likert",
    )
    assert first.anchors["1"].startswith("Visibly loses composure")


@pytest.mark.parametrize(
    "extra",
    [
        "  - {id: keep-doing, type: open, text: 'What should they keep doing?'}\n",
        "  - {id: dl-two, competency: delegation, text: T, not_observed: true,"
        " anchors: {1: a, 2: b, 3: c, 4: d, 5: e}}\n",
    ],
)
def test_items_assessments_cannot_store_are_refused_not_dropped(monkeypatch, tmp_path, org, extra):
    library(monkeypatch, tmp_path, rated=RATED + extra)
    with pytest.raises(QuestionnaireFileError, match=r"rated\.yaml: assessments store only"):
        services.assessment_library_load(organization=org)
    assert not AssessmentTemplate.objects.filter(organization=org).exists()


def test_an_invalid_shipped_file_is_named(monkeypatch, tmp_path, org):
    library(monkeypatch, tmp_path, rated=RATED, broken=RATED.replace("delegation", "listening"))
    with pytest.raises(QuestionnaireFileError) as exc:
        services.assessment_library_load(organization=org)
    assert exc.value.errors == [
        "broken.yaml: item 1 (dl-one): competency 'listening' is not in the framework."
    ]


def test_loading_the_questionnaires_again_adds_nothing(org):
    services.assessment_library_load(organization=org)
    before = set(AssessmentTemplate.objects.filter(organization=org).values_list("pk", "key"))
    assert len(before) == 3
    assert services.assessment_library_load(organization=org) == 0
    assert (
        set(AssessmentTemplate.objects.filter(organization=org).values_list("pk", "key")) == before
    )
