"""Questionnaire files: what a valid one reads as, and every problem an invalid one names."""

import pytest

from programs.questionnaire_format import (
    MAX_ITEMS,
    OpenItem,
    Questionnaire,
    QuestionnaireFileError,
    RatingItem,
    questionnaire_parse,
)

COMPETENCIES = {"delegation", "feedback_delivery"}
KINDS = ("self", "feedback360")

FEEDBACK_360 = """
key: leadership-360
title: Leadership 360
kind: feedback360
description: How you see this person lead.
items:
  - id: dl-outcome
    competency: delegation
    text: They delegate by outcome and leave the approach to the person doing it.
    not_observed: true
    anchors:
      1: Dictates how.
      2: Often redirects.
      3: Sometimes steers.
      4: Agrees the outcome, then steps back.
      5: A model others copy.
  - id: fd-specific
    type: rating
    competency: feedback_delivery
    text: Their feedback names a specific behaviour and its impact.
    anchors: {"1": Vague., "2": Late., "3": Sometimes specific., "4": Specific., "5": Specific and followed up.}
  - id: keep-doing
    type: open
    text: What should they keep doing?
  - id: start-doing
    type: open
    text: What should they start doing?
  - id: stop-doing
    type: open
    text: What should they stop doing?
"""

ANCHORS = "{1: a, 2: b, 3: c, 4: d, 5: e}"


def parse(content: str) -> Questionnaire:
    return questionnaire_parse(content, known_competencies=COMPETENCIES, kinds=KINDS)


def problems(content: str) -> list[str]:
    with pytest.raises(QuestionnaireFileError) as exc:
        parse(content)
    return exc.value.errors


def one_item(item: str) -> str:
    return f"key: q\ntitle: Q\nkind: self\nitems:\n  - {item}\n"


def test_a_360_questionnaire_reads_as_rated_and_open_items_in_order():
    questionnaire = parse(FEEDBACK_360)
    assert (questionnaire.key, questionnaire.title, questionnaire.kind) == (
        "leadership-360",
        "Leadership 360",
        "feedback360",
    )
    assert questionnaire.description == "How you see this person lead."
    delegation, feedback, *open_items = questionnaire.items
    assert delegation == RatingItem(
        id="dl-outcome",
        competency="delegation",
        text="They delegate by outcome and leave the approach to the person doing it.",
        anchors={
            1: "Dictates how.",
            2: "Often redirects.",
            3: "Sometimes steers.",
            4: "Agrees the outcome, then steps back.",
            5: "A model others copy.",
        },
        not_observed=True,
    )
    # Rating is the default type; "not observed" is allowed only where the file says so;
    # quoted levels mean the same as numbers.
    assert not feedback.not_observed
    assert feedback.anchors[5] == "Specific and followed up."
    assert open_items == [
        OpenItem("keep-doing", "What should they keep doing?"),
        OpenItem("start-doing", "What should they start doing?"),
        OpenItem("stop-doing", "What should they stop doing?"),
    ]
    assert questionnaire.rating_items == [delegation, feedback]
    assert questionnaire.item_competency == {
        "dl-outcome": "delegation",
        "fd-specific": "feedback_delivery",
    }


def test_every_problem_is_listed_at_once():
    errors = problems(
        """
key: Bad Key
kind: appraisal
colour: blue
items:
  - id: dup
    competency: listening
    text: One.
    anchors: {1: a, 2: b, 3: c, 4: d, 6: f}
  - id: dup
    competency: delegation
    text: Two.
    anchors: {1: a, 2: b, 3: c, 4: d, 5: e}
    not_observed: "yes"
  - id: tell-us
    type: open
    text: Anything else?
    anchors: {1: a}
  - id: pick
    type: choice
    text: Which?
"""
    )
    assert errors == [
        "The questionnaire: unknown field(s) colour.",
        "key must use lowercase letters, digits and hyphens (at most 80).",
        "title is missing.",
        "kind must be one of: feedback360, self.",
        "item 1 (dup): competency 'listening' is not in the framework.",
        "item 1 (dup): anchor level 6 is not one of 1, 2, 3, 4, 5.",
        "item 1 (dup): anchors are missing for level(s) 5.",
        "item 2 (dup): not_observed must be true or false.",
        "item 2: id 'dup' is used twice.",
        "item 3 (tell-us): unknown field(s) anchors.",
        "item 4 (pick): type must be rating or open.",
    ]


@pytest.mark.parametrize(
    ("item", "error"),
    [
        (f"{{id: x, text: T, anchors: {ANCHORS}}}", "item 1 (x): competency is missing."),
        ("{id: x, competency: delegation, text: T}", "item 1 (x): anchors must describe"),
        (
            "{id: x, competency: delegation, text: T, anchors: {1: a, 2: b, 3: c, 4: d, 5: ''}}",
            "item 1 (x): anchor 5 is missing.",
        ),
        (
            "{id: x, competency: delegation, text: T, anchors: {1: a, 2: b, 3: c, 4: d, 5: e, '5': f}}",
            "item 1 (x): anchor level 5 is described twice.",
        ),
        (
            "{id: x, competency: delegation, text: T, anchors: {true: a, 2: b, 3: c, 4: d, 5: e}}",
            "item 1 (x): anchor level True is not one of 1, 2, 3, 4, 5.",
        ),
        (f"{{id: X_1, competency: delegation, text: T, anchors: {ANCHORS}}}", "item 1: id must"),
        (f"{{id: x, competency: delegation, anchors: {ANCHORS}}}", "item 1 (x): text is missing."),
        (
            f"{{id: x, competency: delegation, text: [a], anchors: {ANCHORS}}}",
            "item 1 (x): text must be text.",
        ),
        (
            f"{{id: x, competency: delegation, text: {'a' * 2001}, anchors: {ANCHORS}}}",
            "item 1 (x): text is longer than 2000 characters.",
        ),
        ("just words", "item 1 must be a mapping"),
    ],
)
def test_a_bad_item_is_named(item, error):
    assert any(e.startswith(error) for e in problems(one_item(item))), problems(one_item(item))


def test_items_are_required_and_bounded():
    assert problems("key: q\ntitle: Q\nkind: self\nitems: []\n") == [
        "items must list at least one item."
    ]
    many = "".join(f"  - {{id: i{n}, type: open, text: T}}\n" for n in range(MAX_ITEMS + 1))
    assert problems(f"key: q\ntitle: Q\nkind: self\nitems:\n{many}") == [
        f"A questionnaire has at most {MAX_ITEMS} items."
    ]
    exactly = "".join(f"  - {{id: i{n}, type: open, text: T}}\n" for n in range(MAX_ITEMS))
    assert len(parse(f"key: q\ntitle: Q\nkind: self\nitems:\n{exactly}").items) == MAX_ITEMS


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("key: [unclosed", "The YAML could not be read at line 1"),
        ("- a list\n- not a mapping\n", "The file must be a YAML mapping"),
        ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed"),
    ],
)
def test_unreadable_yaml_is_a_questionnaire_error(content, error):
    assert error in problems(content)[0]
