"""The shipped 360 questionnaire for IT leaders: valid in the shared format, and it asks
observers about every competency Lodestar seeds, with anchors and 'not observed'."""

from collections import Counter
from pathlib import Path

import pytest

from programs.models import Competency
from programs.questionnaire_format import LEVELS, OpenItem, questionnaire_parse
from programs.services import competencies_seed

FILE = Path(__file__).resolve().parents[2] / "feedback360" / "content" / "it-leader-360.yaml"
KIND = "360"


@pytest.fixture
def seeded_keys(org) -> set[str]:
    competencies_seed(organization=org)
    return set(Competency.objects.filter(organization=org).values_list("key", flat=True))


@pytest.fixture
def questionnaire(seeded_keys):
    # Raises QuestionnaireFileError listing every problem if the file is invalid.
    return questionnaire_parse(FILE.read_bytes(), known_competencies=seeded_keys, kinds=(KIND,))


def test_the_file_is_the_it_leader_360(questionnaire):
    assert (questionnaire.key, questionnaire.kind) == ("it-leader-360", KIND)
    assert questionnaire.title == "360 feedback for IT leaders"
    assert "last three months" in questionnaire.description
    assert "yourself" in questionnaire.description


def test_every_seeded_competency_has_two_or_three_rating_items(questionnaire, seeded_keys):
    per_competency = Counter(item.competency for item in questionnaire.rating_items)
    assert set(per_competency) == seeded_keys
    assert all(2 <= count <= 3 for count in per_competency.values()), per_competency


def test_every_rating_item_has_five_distinct_anchors_and_offers_not_observed(questionnaire):
    for item in questionnaire.rating_items:
        assert tuple(item.anchors) == LEVELS == (1, 2, 3, 4, 5), item.id
        assert all(item.anchors.values()), item.id
        assert len(set(item.anchors.values())) == 5, item.id
        assert item.not_observed is True, item.id


def test_the_questionnaire_ends_with_keep_start_and_stop_doing(questionnaire):
    open_items = [item for item in questionnaire.items if isinstance(item, OpenItem)]
    assert [item.id for item in open_items] == ["keep-doing", "start-doing", "stop-doing"]
    assert list(questionnaire.items[-3:]) == open_items
    assert [item.text.split("?")[0] for item in open_items] == [
        "What should they keep doing",
        "What should they start doing that would make them more effective as a leader, "
        "for you or for their team",
        "What should they stop doing, or do less of",
    ]
