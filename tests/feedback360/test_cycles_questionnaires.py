"""360 questionnaires: loaded per organisation from YAML, versioned, locked once used."""

import shutil

import pytest

from feedback360.models import ItemKind, Questionnaire
from feedback360.services import questionnaires
from people.models import Organization
from people.signals import organization_created
from programs.questionnaire_format import QuestionnaireFileError
from tests.factories import OrganizationFactory
from tests.feedback360.factories_cycles import DATA, SMALL_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(tmp_path):
    """A content folder of our own, holding a copy of the small questionnaire."""
    shutil.copy(DATA / "small-360.yaml", tmp_path / "small-360.yaml")
    return tmp_path


def _load(org, content):
    return questionnaires.questionnaire_library_load(organization=org, content_dir=content)


def _versions(org):
    return list(
        Questionnaire.objects.filter(organization=org, key=SMALL_KEY)
        .order_by("version")
        .values_list("version", "title")
    )


def test_a_file_is_stored_with_its_items_in_order(org, content):
    assert _load(org, content) == {SMALL_KEY: "created"}
    stored = Questionnaire.objects.get(organization=org, key=SMALL_KEY)
    items = list(stored.items.select_related("competency"))
    assert [(i.key, i.kind, i.competency and i.competency.key) for i in items] == [
        ("delegation-hands-over", ItemKind.RATING, "delegation"),
        ("feedback-specific", ItemKind.RATING, "feedback_delivery"),
        ("keep-doing", ItemKind.OPEN, None),
    ]
    assert items[0].anchors["1"] == "Keeps it all"
    assert items[0].not_observed is True and items[2].not_observed is False


def test_loading_again_changes_nothing(org, content):
    _load(org, content)
    assert _load(org, content) == {SMALL_KEY: "unchanged"}
    assert _versions(org) == [(1, "Small 360 for tests")]


def test_every_yaml_file_of_the_folder_is_loaded(org, content):
    text = (content / "small-360.yaml").read_text()
    (content / "other.yaml").write_text(text.replace("key: small-360", "key: other-360"))
    (content / "notes.txt").write_text("not a questionnaire")
    assert _load(org, content) == {SMALL_KEY: "created", "other-360": "created"}


def test_a_changed_file_edits_a_version_no_open_cycle_uses(org, content):
    _load(org, content)
    path = content / "small-360.yaml"
    path.write_text(path.read_text().replace("Small 360 for tests", "Small 360, revised"))
    assert _load(org, content) == {SMALL_KEY: "updated"}
    assert _versions(org) == [(1, "Small 360, revised")]


def test_a_changed_file_makes_a_new_version_once_a_cycle_has_opened(org, open_cycle, content):
    used = open_cycle.questionnaire
    assert questionnaires.questionnaire_is_locked(questionnaire=used)
    path = content / "small-360.yaml"
    path.write_text(path.read_text().replace("keep doing?", "keep on doing?"))
    assert _load(org, content) == {SMALL_KEY: "new_version"}
    assert [v for v, _ in _versions(org)] == [1, 2]
    # The locked version still asks what raters were asked, and the cycle keeps it.
    assert used.items.get(key="keep-doing").text == "What should they keep doing?"
    new = Questionnaire.objects.get(organization=org, key=SMALL_KEY, version=2)
    assert new.items.get(key="keep-doing").text == "What should they keep on doing?"
    open_cycle.refresh_from_db()
    assert open_cycle.questionnaire_id == used.pk


def test_a_scheduled_cycle_does_not_lock_its_questionnaire(pre_cycle):
    assert not questionnaires.questionnaire_is_locked(questionnaire=pre_cycle.questionnaire)


def test_an_invalid_file_is_refused_naming_it_and_stores_nothing(org, content):
    (content / "broken.yaml").write_text(
        "key: broken\ntitle: Broken\nkind: self\nitems:\n  - id: x\n    competency: nope\n"
    )
    with pytest.raises(QuestionnaireFileError) as caught:
        _load(org, content)
    assert any(e.startswith("broken.yaml: kind must be one of: 360") for e in caught.value.errors)
    assert not Questionnaire.objects.filter(organization=org, key="broken").exists()


def test_a_new_organisation_gets_the_shipped_questionnaires(monkeypatch, content):
    monkeypatch.setattr(questionnaires, "CONTENT_DIR", content)
    org = OrganizationFactory()
    organization_created.send(sender=Organization, organization=org)
    assert _versions(org) == [(1, "Small 360 for tests")]
