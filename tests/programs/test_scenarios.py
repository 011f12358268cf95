import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs import scenario_format, services
from programs.models import Scenario
from tests.programs.conftest import SMALL_SCENARIO

KEYS = {"feedback_delivery", "psychological_safety", "delegation"}


def check(text: str) -> list[str]:
    try:
        scenario_format.validate(scenario_format.parse_yaml(text), known_competencies=KEYS)
    except scenario_format.ScenarioFileError as exc:
        return exc.errors
    return []


def test_small_scenario_is_valid():
    assert check(SMALL_SCENARIO) == []


def test_yaml_round_trips_exactly(lnd, scenario):
    exported = services.scenario_export_yaml(scenario=scenario)
    again, changed = services.scenario_import(actor=lnd, content=exported)
    assert again.pk == scenario.pk
    assert changed is False, "importing the exported file changes nothing"
    spec = scenario_format.validate(scenario_format.parse_yaml(exported), known_competencies=KEYS)
    assert spec.definition == scenario.current_version.definition
    assert scenario_format.to_yaml(spec) == exported


def test_importing_a_changed_file_publishes_a_new_version(lnd, scenario):
    edited = SMALL_SCENARIO.replace("Fixed together", "Fixed as a team")
    again, changed = services.scenario_import(actor=lnd, content=edited)
    assert changed and again.current_version.number == 2
    assert scenario.versions.count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("        next: private\n", ""), "needs exactly one target"),
        (("next: private", "next: nowhere"), "leads to step 'nowhere', which does not exist"),
        (("ending: blame", "ending: nowhere"), "leads to ending 'nowhere', which does not exist"),
        (("{psychological_safety: -3}", "{psychological_safety: -4}"), "must be between -3 and 3"),
        (
            ("{psychological_safety: -3}", "{delegation: 1}"),
            "not one of this scenario's competencies",
        ),
        (("{psychological_safety: -3}", "{psychological_safety: 1.5}"), "must be a whole number"),
        (
            (
                "competencies: [feedback_delivery, psychological_safety]",
                "competencies: [feedback_delivery, psychological_safety, coding]",
            ),
            "competency 'coding' is not in",
        ),
        (("start: open", "start: nope"), "start names step 'nope'"),
        (("ending: good\n", "next: open\n"), "loop back"),
        (("        ending: blame\n", "        ending: good\n"), "ending 'blame' cannot be reached"),
        (("  - id: private\n", "  - id: open\n"), "is used twice"),
        (("title: A small talk\n", ""), "title is missing"),
    ],
)
def test_each_validation_error_is_named(change, message):
    old, new = change
    assert old in SMALL_SCENARIO
    errors = check(SMALL_SCENARIO.replace(old, new, 1))
    assert any(message in e for e in errors), errors


def test_unreachable_step_is_named():
    text = SMALL_SCENARIO + ""
    text = text.replace(
        "endings:\n",
        "  - id: orphan\n    situation: Nobody gets here.\n    choices:\n      - text: a\n        feedback: b\n        ending: good\n      - text: c\n        feedback: d\n        ending: meh\nendings:\n",
    )
    assert any("step 'orphan' cannot be reached" in e for e in check(text))


def test_a_step_with_one_choice_is_refused():
    text = SMALL_SCENARIO.replace(
        "      - text: Tell Sam to fix it tonight.\n        feedback: Fixes the symptom.\n        ending: meh\n        scores: {}\n",
        "",
    )
    errors = check(text)
    assert any("needs 2 to 4 choices" in e for e in errors), errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key: x\ntitle: [unclosed\n", "could not be read at line"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        (b"\xff\xfe\x00k", "not UTF-8"),
    ],
)
def test_malformed_files_get_a_clear_message(lnd, text, message):
    with pytest.raises(ValidationError) as exc:
        services.scenario_import(actor=lnd, content=text)
    assert any(message in m for m in exc.value.message_dict["file"])
    assert not Scenario.objects.exists()


def test_every_shipped_scenario_is_valid_and_loads_into_a_new_organisation(lnd, org):
    paths = sorted(services.LIBRARY_DIR.glob("*.yaml"))
    assert len(paths) >= 8
    loaded = services.scenario_library_load(organization=org)
    assert loaded == len(paths)
    assert services.scenario_library_load(organization=org) == 0, "loading twice adds nothing"
    for scenario in Scenario.objects.filter(organization=org):
        definition = scenario.current_version.definition
        assert len(definition["steps"]) >= 4 and len(definition["endings"]) >= 3, scenario.key
        outcomes = {e["outcome"] for e in definition["endings"]}
        assert outcomes == {"strong", "mixed", "weak"}, scenario.key


def test_a_step_with_five_choices_is_refused():
    extra = "      - text: Say nothing.\n        feedback: Silence.\n        ending: meh\n"
    last = "        ending: meh\n        scores: {}\n"
    assert last in SMALL_SCENARIO
    errors = check(SMALL_SCENARIO.replace(last, last + extra * 3, 1))
    assert any("step 'private' needs 2 to 4 choices" in e for e in errors), errors
    assert not any(
        "needs 2 to 4" in e for e in check(SMALL_SCENARIO.replace(last, last + extra * 2, 1))
    )


def test_yaml_aliases_are_refused():
    bomb = "key: x\ntitle: x\na: &a [x, x]\nb: &b [*a, *a]\ncompetencies: [*b]\n"
    with pytest.raises(scenario_format.ScenarioFileError, match="aliases"):
        scenario_format.parse_yaml(bomb)


def test_a_scenario_of_more_than_200_steps_is_refused():
    steps = "".join(
        f"  - id: s{i}\n    situation: s\n    choices:\n      - {{text: a, feedback: b, next: s{i + 1}}}\n"
        f"      - {{text: c, feedback: d, ending: e}}\n"
        for i in range(300)
    )
    text = f"key: long\ntitle: Long\ncompetencies: [delegation]\nstart: s0\nsteps:\n{steps}endings:\n  - {{id: e, title: E, outcome: weak, text: t}}\n"
    with pytest.raises(scenario_format.ScenarioFileError) as exc:
        scenario_format.validate(
            scenario_format.parse_yaml(text), known_competencies={"delegation"}
        )
    assert "at most 200 steps" in " ".join(exc.value.errors)


def test_a_title_longer_than_the_database_allows_is_an_error():
    with pytest.raises(scenario_format.ScenarioFileError, match="title is longer than 200"):
        scenario_format.validate(
            scenario_format.parse_yaml(SMALL_SCENARIO.replace("A small talk", "x" * 201)),
            known_competencies={"feedback_delivery", "psychological_safety"},
        )


def test_uploading_a_scenario_with_aliases_on_the_page_says_so(client, lnd_manager, lnd):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:scenarios"), {"file": SimpleUploadedFile("s.yaml", b"a: &x [1]\nb: *x\n")}
    )
    assert response.status_code == 200 and b"aliases" in response.content
    assert not Scenario.objects.exists()


def test_the_score_scale_runs_from_the_worst_to_the_best_path():
    spec = scenario_format.validate(
        scenario_format.parse_yaml(SMALL_SCENARIO), known_competencies=KEYS
    )
    # Blame at once scores -3; asking privately then fixing together scores 2+1+1.
    assert scenario_format.score_range(spec.definition) == (-3, 4)


def test_the_score_scale_of_the_longest_allowed_scenario_is_computed():
    steps = [
        {
            "id": f"s{i}",
            "choices": [
                {"next": f"s{i + 1}", "scores": {"a": 1}},
                {"next": f"s{i + 1}", "scores": {"a": -1}},
            ],
        }
        for i in range(scenario_format.MAX_STEPS - 1)
    ]
    steps.append(
        {"id": f"s{scenario_format.MAX_STEPS - 1}", "choices": [{"ending": "e", "scores": {}}]}
    )
    definition = {"start": "s0", "steps": steps, "endings": [{"id": "e"}]}
    n = scenario_format.MAX_STEPS - 1
    assert scenario_format.score_range(definition) == (-n, n)
