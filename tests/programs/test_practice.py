"""The SBI feedback checker and the delegation matrix, as a learner meets them."""

import pytest

from programs.practice import (
    COMPLEXITY_CHOICES,
    READINESS_CHOICES,
    DelegationAdvice,
    DelegationLevel,
    SbiFlag,
    delegation_recommend,
    sbi_check,
)

GOOD_SITUATION = "Yesterday on the incident call for the login outage"
GOOD_BEHAVIOR = "you posted a status update in #incidents every 15 minutes and named an owner."
GOOD_IMPACT = (
    "Support answered customers without pinging engineers, so I could focus on the rollback."
)


def check(**fields: str) -> list[SbiFlag]:
    """sbi_check with a good entry, overridden by the fields under test."""
    entry = {"situation": GOOD_SITUATION, "behavior": GOOD_BEHAVIOR, "impact": GOOD_IMPACT}
    entry.update(fields)
    return sbi_check(**entry)


def codes(flags: list[SbiFlag]) -> list[tuple[str, str]]:
    return [(flag.field, flag.code) for flag in flags]


# --- Good feedback passes cleanly -------------------------------------------------

GOOD_ENTRIES = [
    pytest.param(
        {
            "situation": "In Tuesday's sprint planning, while we were sizing the checkout refactor",
            "behavior": "you split the epic into five tickets and wrote acceptance criteria "
            "for each one before we estimated.",
            "impact": "We estimated the whole epic in twenty minutes and nobody had to ask "
            "what done meant.",
            "request": "Could you do the same for the payments epic next sprint?",
        },
        id="planning-praise",
    ),
    pytest.param(
        {
            "situation": "Yesterday at 3pm on the incident call for the login outage",
            "behavior": "You posted a status update in #incidents every 15 minutes and named "
            "who owned each action.",
            "impact": "Support could answer customers without pinging the engineers, and I "
            "could focus on the rollback.",
        },
        id="incident-call",
    ),
    pytest.param(
        {
            "situation": "On PR #482 last Thursday",
            "behavior": "you left twelve comments, each with a suggested change and a link to "
            "the style guide.",
            "impact": "I fixed everything in one pass and the PR merged the same afternoon "
            "instead of dragging into next week.",
        },
        id="code-review",
    ),
    pytest.param(
        {
            "situation": "During this morning\u2019s standup",
            "behavior": "you interrupted Priya twice while she was describing the database "
            "migration blocker.",
            "impact": "She stopped before explaining the blocker, so we left without a plan "
            "and the migration is still stuck.",
            "request": "Next time, could you hold questions until she has finished?",
        },
        id="standup-interruption",
    ),
    pytest.param(
        {
            "situation": "Earlier today in Slack",
            "behavior": "you replied 'just read the docs' to Sam's question about the deploy "
            "script, with no link.",
            "impact": "Sam spent an hour searching the wiki and then asked me privately "
            "because he felt he couldn't ask again in the channel.",
        },
        id="slack-reply",
    ),
    pytest.param(
        {
            "situation": "In the retro on 12 March",
            "behavior": "you said the outage was entirely QA's fault in front of the whole team.",
            "impact": "Two testers went quiet for the rest of the retro and the action items "
            "only covered backend work.",
            "request": "Could we talk about how to raise test gaps before the next retro?",
        },
        id="retro-blame",
    ),
    pytest.param(
        {
            "situation": "On 2024-03-12 in PAY-431, after the always-on pager fired twice",
            "behavior": "you added negative-path tests for the refund API and documented the "
            "difficult-to-reproduce race.",
            "impact": "The refund bug that hit production last month would now fail in CI "
            "before anyone merges it.",
            "request": "Could you always add those for new endpoints?",
        },
        id="ticket-key-and-compounds",
    ),
]


@pytest.mark.parametrize("entry", GOOD_ENTRIES)
def test_realistic_good_feedback_passes_with_no_flags(entry):
    assert sbi_check(**entry) == []


# --- Judgement words in Behaviour --------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "lazy",
        "unprofessional",
        "careless",
        "sloppy",
        "rude",
        "arrogant",
        "incompetent",
        "disrespectful",
        "useless",
        "terrible",
        "hopeless",
        "difficult",
        "negative",
        "aggressive",
        "unreliable",
        "selfish",
    ],
)
def test_trait_word_in_behavior_is_flagged_and_quoted(word):
    flags = check(behavior=f"you were {word} about the release checklist in the meeting.")
    assert codes(flags) == [("behavior", "judgement_word")]
    assert f'"{word}"' in flags[0].message
    assert "action" in flags[0].message


@pytest.mark.parametrize("word", ["always", "never"])
def test_generalising_word_gets_advice_about_this_one_occasion(word):
    flags = check(behavior=f"the build is {word} green when you hand over on-call.")
    assert codes(flags) == [("behavior", "judgement_word")]
    assert f'"{word}"' in flags[0].message
    assert "this one occasion" in flags[0].message


def test_attitude_is_flagged_as_a_judgement():
    flags = check(behavior="the attitude in the review thread about the schema change.")
    assert codes(flags) == [("behavior", "judgement_word")]
    assert '"attitude"' in flags[0].message


def test_judgement_words_match_any_case_and_are_quoted_as_written():
    flags = check(behavior="Honestly it was SLOPPY work and Careless testing.")
    assert codes(flags) == [("behavior", "judgement_word")] * 2
    assert '"SLOPPY"' in flags[0].message
    assert '"Careless"' in flags[1].message


def test_each_judgement_word_is_flagged_once_in_text_order():
    flags = check(behavior="rude in standup, rude on Slack, and lazy with the tests, rude again.")
    assert codes(flags) == [("behavior", "judgement_word")] * 2
    assert '"rude"' in flags[0].message
    assert '"lazy"' in flags[1].message


def test_passive_aggressive_is_one_flag_for_the_whole_phrase():
    flags = check(behavior="a passive-aggressive comment on the design doc about the cache.")
    assert codes(flags) == [("behavior", "judgement_word")]
    assert '"passive-aggressive"' in flags[0].message


@pytest.mark.parametrize(
    "behavior",
    [
        "you allways ran the linter before pushing to the shared branch.",  # misspelt
        "you nevertheless shipped the fix before the end of the sprint.",
        "you restarted the always-on pager service and posted the logs.",
        "you wrote negative-path tests for the refund endpoint and the webhook.",
        "you explained the difficulty of the migration to the product owner.",
        "you spotted that the never-expiring tokens were still in the config.",
        "you added defensive checks and a 400 Bad Request for invalid payloads.",
    ],
)
def test_words_inside_other_words_or_compounds_are_not_judgements(behavior):
    assert check(behavior=behavior) == []


def test_judgement_words_outside_behavior_are_not_flagged():
    flags = check(
        situation="Last night during the always-on pager handover in #sre",
        impact="The next engineer never had to page anyone, because the runbook was complete.",
    )
    assert flags == []


# --- "You" accusations ---------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "you're so",
        "you are so",
        "you were so",
        "you don't care",
        "your attitude",
        "you made me",
        "you clearly don't",
    ],
)
def test_you_accusation_in_behavior_is_flagged_and_quoted(phrase):
    flags = check(behavior=f"{phrase} quick to dismiss the on-call rota proposal in the meeting.")
    assert ("behavior", "you_accusation") in codes(flags)
    accusation = next(flag for flag in flags if flag.code == "you_accusation")
    assert f'"{phrase}"' in accusation.message
    assert "action" in accusation.message


def test_you_always_is_flagged_both_as_accusation_and_generalisation():
    flags = check(behavior="You always push straight to main without a pull request.")
    assert codes(flags) == [("behavior", "you_accusation"), ("behavior", "judgement_word")]
    assert '"You always"' in flags[0].message
    assert '"always"' in flags[1].message


def test_you_accusation_in_impact_is_flagged():
    flags = check(impact="You made me look bad in front of the client and I lost the deal.")
    assert codes(flags) == [("impact", "you_accusation")]
    assert '"You made me"' in flags[0].message


def test_curly_apostrophes_are_read_like_straight_ones():
    flags = check(behavior="you\u2019re so focused on the backlog that nobody else speaks.")
    assert codes(flags) == [("behavior", "you_accusation")]
    assert '"you\'re so"' in flags[0].message


def test_plain_you_describing_an_action_is_fine():
    assert check(behavior="you merged PR #91 without a review and skipped the smoke tests.") == []


# --- Request ------------------------------------------------------------------------


def test_request_asking_for_a_habit_is_fine():
    assert check(request="Could you always run the migrations locally before merging?") == []


def test_request_to_change_character_is_flagged():
    flags = check(request="Please stop being so sloppy and fix your attitude.")
    assert codes(flags) == [("request", "judgement_word"), ("request", "you_accusation")]
    assert '"sloppy"' in flags[0].message
    assert '"your attitude"' in flags[1].message


# --- Impact ---------------------------------------------------------------------------


@pytest.mark.parametrize("impact", ["", "   \n "])
def test_blank_impact_is_missing(impact):
    flags = check(impact=impact)
    assert codes(flags) == [("impact", "impact_missing")]


def test_short_impact_is_vague_and_says_how_short():
    flags = check(impact="Two customers couldn't log in.")
    assert codes(flags) == [("impact", "impact_vague")]
    assert "5 words" in flags[0].message


def test_six_word_impact_is_enough():
    assert check(impact="Two customers couldn't log in today.") == []


@pytest.mark.parametrize(
    ("impact", "phrase"),
    [
        ("It was bad.", "It was bad"),
        ("Honestly that was not good for any of us.", "was not good"),
        ("It wasn't great for the team at all, really.", "wasn't great"),
        ("It was annoying for everyone on the team today.", "It was annoying"),
        ("This caused problems for the whole team this sprint.", "caused problems"),
    ],
)
def test_generic_impact_is_vague_and_quotes_the_phrase(impact, phrase):
    flags = check(impact=impact)
    assert codes(flags) == [("impact", "impact_vague")]
    assert f'"{phrase}"' in flags[0].message


@pytest.mark.parametrize(
    "impact",
    [
        "It was bad: the release slipped a day and support logged 40 tickets about it.",
        "It was annoying because I had to redo the release notes at 11pm.",
        "It caused problems: the nightly backup job failed twice.",
    ],
)
def test_generic_opener_followed_by_a_concrete_effect_passes(impact):
    assert check(impact=impact) == []


# --- Situation --------------------------------------------------------------------------


@pytest.mark.parametrize("situation", ["", "  "])
def test_blank_situation_is_missing_and_not_also_missing_time_and_place(situation):
    assert codes(check(situation=situation)) == [("situation", "situation_missing")]


def test_situation_without_time_is_flagged():
    flags = check(situation="In the PR for the billing service")
    assert codes(flags) == [("situation", "situation_no_time")]
    assert "when" in flags[0].message


def test_situation_without_place_is_flagged():
    flags = check(situation="Last week")
    assert codes(flags) == [("situation", "situation_no_place")]
    assert "where" in flags[0].message


def test_situation_without_either_gets_both_flags():
    flags = check(situation="When we talked")
    assert codes(flags) == [
        ("situation", "situation_no_time"),
        ("situation", "situation_no_place"),
    ]


def test_a_time_of_day_is_not_mistaken_for_a_place():
    assert codes(check(situation="Yesterday in the afternoon")) == [
        ("situation", "situation_no_place")
    ]


@pytest.mark.parametrize(
    "situation",
    [
        "Yesterday in the design review",
        "Today on the call with the vendor",
        "This morning in #deploys",
        "Last week on Zoom",
        "On Monday in Jira",
        "At 10:00 in the office",
        "At 3pm on Teams",
        "On 12 March in the meeting about pricing",
        "On 2024-03-12 on PR #123",
        "In yesterday's planning session",
        "Earlier today at the whiteboard",
        "At standup",
        "During the sprint review",
        "In the retro",
        "At Friday's demo",
        "On March 3rd in the architecture sync",
        "Last sprint in the ticket for the search rewrite",
    ],
)
def test_situations_with_a_time_and_place_pass(situation):
    assert check(situation=situation) == []


# --- Whole entry --------------------------------------------------------------------------


def test_flags_come_in_field_order():
    flags = sbi_check(
        situation="",
        behavior="You never listen in planning, you're so arrogant.",
        impact="Not good.",
        request="Don't be so negative.",
    )
    assert [flag.field for flag in flags] == [
        "situation",
        "behavior",
        "behavior",
        "behavior",
        "behavior",
        "impact",
        "request",
    ]


def test_everything_blank_reports_the_three_required_fields():
    assert codes(sbi_check(situation="", behavior="", impact="")) == [
        ("situation", "situation_missing"),
        ("behavior", "behavior_missing"),
        ("impact", "impact_missing"),
    ]


# --- Delegation matrix ----------------------------------------------------------------


@pytest.mark.parametrize("complexity", [value for value, _ in COMPLEXITY_CHOICES])
@pytest.mark.parametrize("readiness", [value for value, _ in READINESS_CHOICES])
def test_every_cell_gives_a_valid_level_and_a_reason(complexity, readiness):
    advice = delegation_recommend(complexity=complexity, readiness=readiness)
    assert isinstance(advice, DelegationAdvice)
    assert advice.level in DelegationLevel.values
    assert advice.reason.strip()
    assert "\n" not in advice.reason


def test_every_cell_has_its_own_reason():
    reasons = {
        delegation_recommend(complexity=complexity, readiness=readiness).reason
        for complexity, _ in COMPLEXITY_CHOICES
        for readiness, _ in READINESS_CHOICES
    }
    assert len(reasons) == len(COMPLEXITY_CHOICES) * len(READINESS_CHOICES)


def test_the_table_follows_situational_leadership():
    table = {
        (c, r): delegation_recommend(complexity=c, readiness=r).level
        for c, _ in COMPLEXITY_CHOICES
        for r, _ in READINESS_CHOICES
    }
    assert table == {
        (1, 1): "direct",
        (2, 1): "direct",
        (3, 1): "direct",
        (1, 2): "coach",
        (2, 2): "coach",
        (3, 2): "coach",
        (1, 3): "delegate",
        (2, 3): "support",
        (3, 3): "support",
        (1, 4): "delegate",
        (2, 4): "delegate",
        (3, 4): "delegate",
    }


def test_complex_work_for_a_newcomer_means_clear_steps_and_frequent_check_ins():
    advice = delegation_recommend(complexity=3, readiness=1)
    assert advice.level == DelegationLevel.DIRECT
    assert "Complex" in advice.reason and "new" in advice.reason
    assert "check in often" in advice.reason


def test_complex_work_for_an_expert_is_delegated_with_check_points():
    advice = delegation_recommend(complexity=3, readiness=4)
    assert advice.level == DelegationLevel.DELEGATE
    assert "check-points" in advice.reason


def test_routine_work_for_a_capable_person_is_delegated():
    advice = delegation_recommend(complexity=1, readiness=3)
    assert advice.level == DelegationLevel.DELEGATE
    assert "Routine" in advice.reason


@pytest.mark.parametrize(
    ("complexity", "readiness", "named"),
    [
        (0, 2, "complexity"),
        (4, 2, "complexity"),
        (-1, 2, "complexity"),
        (2, 0, "readiness"),
        (2, 5, "readiness"),
        (True, 2, "complexity"),
        ("2", 2, "complexity"),
    ],
)
def test_out_of_range_input_raises_a_clear_value_error(complexity, readiness, named):
    with pytest.raises(ValueError, match=rf"^{named} must be one of .*; got") as caught:
        delegation_recommend(complexity=complexity, readiness=readiness)
    assert "(Routine)" in str(caught.value) or "(New to this)" in str(caught.value)
