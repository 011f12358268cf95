"""Learner practice tools: an SBI feedback checker and a delegation matrix.

Pure functions over plain values, with no database access, so pages, the API and
tests can call them freely. The SBI checker is rule-based on purpose: a learner
should be able to see why a sentence was flagged and fix it, and the same text
always gets the same advice.
"""

import re
from dataclasses import dataclass

from django.db import models

# ---------------------------------------------------------------------------
# SBI (Situation-Behaviour-Impact, with an optional Request)
# ---------------------------------------------------------------------------

SBI_FIELDS: tuple[str, ...] = ("situation", "behavior", "impact", "request")

# Words that generalise one moment into a pattern. They get their own advice,
# and are allowed in a request ("could you always run the tests first?").
FREQUENCY_WORDS: tuple[str, ...] = ("always", "never", "constantly")

# Labels for the person rather than descriptions of what they did. Kept to
# words that rarely describe software itself: "bad", "poor" and "defensive"
# are left out because "bad request" and "defensive checks" are ordinary
# engineering talk.
TRAIT_WORDS: tuple[str, ...] = (
    "lazy",
    "lazily",
    "unprofessional",
    "careless",
    "carelessly",
    "sloppy",
    "rude",
    "rudely",
    "arrogant",
    "arrogance",
    "incompetent",
    "incompetence",
    "attitude",
    "disrespectful",
    "disrespectfully",
    "useless",
    "terrible",
    "hopeless",
    "difficult",
    "negative",
    "aggressive",
    "aggressively",
    "passive-aggressive",
    "unreliable",
    "selfish",
    "irresponsible",
    "inconsiderate",
    "thoughtless",
    "immature",
    "childish",
    "stupid",
    "dumb",
    "clueless",
    "annoying",
    "obnoxious",
    "condescending",
    "dismissive",
    "dismissively",
    "hostile",
    "toxic",
    "bossy",
    "stubborn",
    "pushy",
    "sarcastic",
    "awful",
    "horrible",
    "pathetic",
    "ridiculous",
    "messy",
    "unhelpful",
    "unacceptable",
    "disorganised",
    "disorganized",
)

JUDGEMENT_WORDS: tuple[str, ...] = FREQUENCY_WORDS + TRAIT_WORDS


def _words_pattern(words: tuple[str, ...]) -> str:
    """Alternation of whole words, longest first so "passive-aggressive" beats "aggressive"."""
    ordered = sorted(words, key=len, reverse=True)
    # A hyphenated entry also matches when written with a space or joined up.
    return "|".join(re.escape(word).replace(r"\-", "[- ]?") for word in ordered)


# A hyphen counts as part of the word, so compounds such as "always-on pager",
# "negative-path tests" or "never-expiring token" are not read as judgements.
_JUDGEMENT_RE = re.compile(rf"(?<![\w-])(?:{_words_pattern(JUDGEMENT_WORDS)})(?![\w-])", re.I)

# In a request only a demand to change character is flagged ("stop being so
# negative"); "a less difficult rollout" or "negative test cases" are fine.
_REQUEST_TRAIT_RE = re.compile(
    r"\b(?:stop being|quit being|be less|don't be|do not be)(?: so| as)? "
    rf"(?P<word>{_words_pattern(TRAIT_WORDS)})(?![\w-])",
    re.I,
)

_YOU_BE = r"you(?:'re| are| were)"
# Phrases that point at the person. Checked in Behaviour and Impact.
_ACCUSATION_PATTERNS: tuple[str, ...] = (
    rf"(?:{_YOU_BE}|you) (?:always|never|constantly)",
    rf"{_YOU_BE} (?:so|such an?|being so)",
    r"you (?:don't|do not|didn't|did not|never) (?:care|listen|bother)",
    r"you (?:obviously|clearly|just) (?:don't|didn't|do not|did not|can't|won't)",
    r"you can't be bothered",
    r"your (?:attitude|problem)",
    r"you made (?:us|everyone|the team) (?:feel|look)",
    r"you made me",
    r"what(?:'s| is) wrong with you",
)
_ACCUSATION_RE = re.compile(rf"\b(?:{'|'.join(_ACCUSATION_PATTERNS)})\b", re.I)
# A request may say "could you always..."; only the remarks about the person count.
_REQUEST_ACCUSATION_RE = re.compile(
    r"\b(?:your (?:attitude|problem)|what(?:'s| is) wrong with you)\b", re.I
)

IMPACT_MIN_WORDS = 6

# Phrases that say something went wrong without saying what. An impact that
# uses one but goes on to name the effect ("it was bad: the release slipped a
# day") still passes; see _impact_vague_flag.
_VAGUE_IMPACT_RE = re.compile(
    r"\b(?:"
    r"it was (?:bad|annoying|frustrating|awkward|unhelpful|weird|uncomfortable|a problem|a mess)"
    r"|(?:not|wasn't|isn't|was not|is not) (?:good|great|ideal|ok|okay|cool|helpful|nice)"
    r"|caused (?:problems|issues|trouble|friction)"
    r"|made things (?:worse|harder|difficult)"
    r")\b",
    re.I,
)
_WORD_RE = re.compile(r"\w[\w'-]*")
# Once a generic phrase is set aside, these words alone still say nothing about
# what happened ("it was annoying for everyone on the team today"). Kept as
# prose because a 90-item list literal is harder to scan.
_FILLER_WORDS = frozenset(
    """
    a an the it it's its this that these those i i'm me my we us our you your they them their
    he him his she her everyone everybody anyone anybody someone team whole all any
    of for to on in at with by about from and or but so because as again also too
    really very quite just honestly pretty rather somewhat kind sort bit lot little overall
    generally today thing things stuff was were is are be been being had has have do did does
    """.split()  # noqa: SIM905
)
GENERIC_IMPACT_MIN_CONTENT_WORDS = 3

_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# Team events happen at a moment, so naming one places the situation in time
# as well as in context ("at standup", "in Tuesday's retro").
_CEREMONIES = (
    r"stand-?ups?|daily scrum|retros?|retrospectives?|sprint reviews?|sprint planning|planning"
    r"|demos?|kick-?offs?|post-?mortems?|all-hands|town hall|1:1|one-on-one|incident|outage"
)
_TIME_RE = re.compile(
    r"\b(?:"
    r"yesterday|today|tonight|overnight|last night|ago|noon|midnight"
    r"|(?:this|last|earlier this|this past) (?:morning|afternoon|evening|week|sprint|month|quarter|release)"
    r"|(?:last|this) (?:" + _WEEKDAYS + r")"
    r"|" + _WEEKDAYS + r"|" + _CEREMONIES + r"|during"
    r"|sprint \d+"
    r"|\d{1,2}:\d{2}"  # 10:00, 15:30
    r"|\d{1,2} ?(?:am|pm)"  # 3pm, 9 am
    r"|\d{4}-\d{2}-\d{2}"  # 2024-03-12
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"  # 12/03, 12/03/2024
    r"|\d{1,2}(?:st|nd|rd|th)?(?: of)? (?:" + _MONTHS + r")"  # 12 March, 3rd of May
    r"|(?:" + _MONTHS + r") \d{1,2}(?:st|nd|rd|th)?"  # March 12
    r"|the \d{1,2}(?:st|nd|rd|th)"  # on the 12th
    r")\b",
    re.I,
)

_PLACE_NOUNS = (
    _CEREMONIES
    + r"|meetings?|calls?|huddles?|sync|workshops?|interviews?|office|war room|whiteboard"
    r"|PRs?|MRs?|pull requests?|merge requests?|code reviews?|design reviews?"
    r"|tickets?|threads?|channels?|chat|emails?|docs?|design doc|RFCs?|wiki|repo|handover|pairing"
    r"|deploys?|deployment|rollout"
    r"|slack|zoom|jira|github|gitlab|confluence|discord|notion|google meet"
)
# Words that follow "in the"/"at the" but describe a time, not a place.
_NOT_PLACES = (
    r"morning|afternoon|evening|night|day|week|weekend|sprint|month|quarter|year|hour|minute"
    r"|end|start|beginning|middle|time|moment|past|future|meantime|same|way|whole|first|last"
    r"|case|few|" + _WEEKDAYS + r"|\d\w*"
)
_PLACE_RE = re.compile(
    r"(?:"
    r"\b(?:" + _PLACE_NOUNS + r")\b"
    # "in the kitchen", "at our architecture sync", "on Priya's laptop"
    r"|\b(?:in|at|on) (?:the|our|my|your|their|his|her|a|an|this|that|\w+'s) (?!(?:"
    + _NOT_PLACES
    + r")\b)\w"
    r"|\b(?:in|on) (?:MS |Microsoft )?(?:Teams|Meet|Linear)\b"
    r"|(?<![\w&])#[a-z][\w-]*"  # a Slack channel: #deploys
    r"|(?<![\w&])#\d+"  # PR #123, issue #45
    r")",
    re.I,
)
# A Jira-style ticket key is upper case by convention, so match it case-sensitively.
_TICKET_KEY_RE = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b")


@dataclass(frozen=True)
class SbiFlag:
    """One problem found in an SBI entry, with advice to show the learner."""

    field: str  # one of SBI_FIELDS
    code: str  # stable machine code, for templates and analytics
    message: str


def _normalise(text: str) -> str:
    # Curly quotes come from phones and word processors; collapsing spaces
    # keeps "you  always" matching "you always".
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip()


def _word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


def _judgement_flags(field: str, text: str) -> list[tuple[int, SbiFlag]]:
    flags: list[tuple[int, SbiFlag]] = []
    seen: set[str] = set()
    for match in _JUDGEMENT_RE.finditer(text):
        word = match.group(0)
        if word.lower() in seen:
            continue
        seen.add(word.lower())
        if word.lower() in FREQUENCY_WORDS:
            message = (
                f'"{word}" turns one moment into a pattern and invites an argument about '
                "the exceptions. Describe this one occasion: what did they say or do?"
            )
        else:
            message = (
                f'"{word}" is a judgement about the person, not something you saw or heard. '
                'Describe the action instead, for example "you merged the PR without a review".'
            )
        flags.append((match.start(), SbiFlag(field, "judgement_word", message)))
    return flags


def _accusation_flags(field: str, text: str, pattern: re.Pattern) -> list[tuple[int, SbiFlag]]:
    flags: list[tuple[int, SbiFlag]] = []
    seen: set[str] = set()
    for match in pattern.finditer(text):
        phrase = match.group(0)
        if phrase.lower() in seen:
            continue
        seen.add(phrase.lower())
        message = (
            f'"{phrase}" points at the person rather than what happened. Describe the action '
            'and its effect instead, for example "When you skipped the review, I had to '
            'roll back the release."'
        )
        flags.append((match.start(), SbiFlag(field, "you_accusation", message)))
    return flags


def _request_trait_flags(text: str) -> list[tuple[int, SbiFlag]]:
    flags: list[tuple[int, SbiFlag]] = []
    for match in _REQUEST_TRAIT_RE.finditer(text):
        word = match.group("word")
        message = (
            f'"{word}" asks them to change who they are, which nobody can act on. Ask for '
            'a specific action instead, for example "post in #deploys before you merge".'
        )
        flags.append((match.start("word"), SbiFlag("request", "judgement_word", message)))
    return flags


def _in_order(flags: list[tuple[int, SbiFlag]]) -> list[SbiFlag]:
    return [flag for _, flag in sorted(flags, key=lambda pair: pair[0])]


def _situation_flags(situation: str) -> list[SbiFlag]:
    if not situation:
        return [
            SbiFlag(
                "situation",
                "situation_missing",
                "Add the situation: when and where it happened, for example "
                '"In Tuesday\'s sprint planning", so they can recall the moment.',
            )
        ]
    flags = []
    if not _TIME_RE.search(situation):
        flags.append(
            SbiFlag(
                "situation",
                "situation_no_time",
                'Say when it happened, for example "yesterday", "on Monday", '
                '"during the standup" or "at 3pm", so they can place the moment.',
            )
        )
    if not (_PLACE_RE.search(situation) or _TICKET_KEY_RE.search(situation)):
        flags.append(
            SbiFlag(
                "situation",
                "situation_no_place",
                'Say where it happened, for example "in the retro", "on the incident call", '
                '"in #deploys" or "on PR #123", so they know which conversation you mean.',
            )
        )
    return flags


def _behavior_flags(behavior: str) -> list[SbiFlag]:
    if not behavior:
        return [
            SbiFlag(
                "behavior",
                "behavior_missing",
                "Describe the behaviour: what they said or did that you could see or hear, "
                'for example "you merged the PR without a review".',
            )
        ]
    found = _judgement_flags("behavior", behavior)
    found += _accusation_flags("behavior", behavior, _ACCUSATION_RE)
    return _in_order(found)


def _impact_vague_flag(impact: str) -> SbiFlag | None:
    generic = _VAGUE_IMPACT_RE.search(impact)
    if generic:
        # Judge what is left once the generic phrases and filler are gone, so a
        # generic opener followed by a concrete effect is not punished.
        rest = _VAGUE_IMPACT_RE.sub(" ", impact)
        content = [w for w in _WORD_RE.findall(rest) if w.lower() not in _FILLER_WORDS]
        if len(content) < GENERIC_IMPACT_MIN_CONTENT_WORDS:
            return SbiFlag(
                "impact",
                "impact_vague",
                f'"{generic.group(0)}" doesn\'t say what actually happened. Name the concrete '
                'effect on the team, the work, users or you, for example "the release slipped '
                'a day" or "I rewrote the migration at 11pm".',
            )
        return None
    count = _word_count(impact)
    if count < IMPACT_MIN_WORDS:
        return SbiFlag(
            "impact",
            "impact_vague",
            f"The impact is only {count} word{'s' if count != 1 else ''}. Name the concrete "
            'effect on the team, the work, users or you, for example "support answered 30 '
            'tickets about it" or "I had to stay late to redo the release notes".',
        )
    return None


def _impact_flags(impact: str) -> list[SbiFlag]:
    if not impact:
        return [
            SbiFlag(
                "impact",
                "impact_missing",
                "Add the impact: what happened as a result, for the team, the work, users "
                'or you, for example "the deploy was delayed two hours".',
            )
        ]
    flags = _in_order(_accusation_flags("impact", impact, _ACCUSATION_RE))
    vague = _impact_vague_flag(impact)
    if vague:
        flags.append(vague)
    return flags


def _request_flags(request: str) -> list[SbiFlag]:
    if not request:
        return []  # the request is optional
    found = _request_trait_flags(request)
    found += _accusation_flags("request", request, _REQUEST_ACCUSATION_RE)
    return _in_order(found)


def sbi_check(*, situation: str, behavior: str, impact: str, request: str = "") -> list[SbiFlag]:
    """Check a piece of SBI feedback before the learner saves it.

    Returns the problems found, ordered by field (situation, behavior, impact,
    request) and, within a field, by where they occur in the text. Each
    judgement word or accusing phrase is flagged once per field, quoted as the
    learner wrote it. An empty list means the entry is good to save.
    Never raises; blank fields are reported as missing (the request may be blank).
    """
    return [
        *_situation_flags(_normalise(situation)),
        *_behavior_flags(_normalise(behavior)),
        *_impact_flags(_normalise(impact)),
        *_request_flags(_normalise(request)),
    ]


# ---------------------------------------------------------------------------
# Delegation matrix (situational leadership: task complexity x readiness)
# ---------------------------------------------------------------------------


class DelegationLevel(models.TextChoices):
    DIRECT = "direct", "Direct"
    COACH = "coach", "Coach"
    SUPPORT = "support", "Support"
    DELEGATE = "delegate", "Delegate"


COMPLEXITY_CHOICES = [(1, "Routine"), (2, "Moderate"), (3, "Complex")]
READINESS_CHOICES = [(1, "New to this"), (2, "Learning"), (3, "Capable"), (4, "Expert")]


@dataclass(frozen=True)
class DelegationAdvice:
    """The recommended leadership style for one task and one person."""

    level: str  # a DelegationLevel value
    reason: str


_DELEGATION_TABLE: dict[tuple[int, int], tuple[str, str]] = {
    # (complexity, readiness): (level, reason)
    (1, 1): (
        DelegationLevel.DIRECT,
        "Routine work and a team member new to it: show them once, give them a checklist "
        "and check the first result together.",
    ),
    (2, 1): (
        DelegationLevel.DIRECT,
        "Moderate work and a team member new to it: explain the steps and what good looks "
        "like, and review each stage before they move on.",
    ),
    (3, 1): (
        DelegationLevel.DIRECT,
        "Complex work and a team member new to it: set clear steps and check in often.",
    ),
    (1, 2): (
        DelegationLevel.COACH,
        "Routine work they are still learning: let them do it, explain the why behind "
        "each step and go over the result together.",
    ),
    (2, 2): (
        DelegationLevel.COACH,
        "Moderate work they are learning: agree the approach together, let them carry it "
        "out and give feedback at each milestone.",
    ),
    (3, 2): (
        DelegationLevel.COACH,
        "Complex work while they are still learning: plan it with them, explain your "
        "reasoning on the hard calls and review every milestone before the next.",
    ),
    (1, 3): (
        DelegationLevel.DELEGATE,
        "Routine work and a capable team member: hand it over completely and ask only "
        "to hear about surprises.",
    ),
    (2, 3): (
        DelegationLevel.SUPPORT,
        "Moderate work and a capable team member: let them choose the approach and stay "
        "available to remove blockers.",
    ),
    (3, 3): (
        DelegationLevel.SUPPORT,
        "Complex work and a capable team member: they lead it; talk through the risky "
        "decisions together and help with blockers they raise.",
    ),
    (1, 4): (
        DelegationLevel.DELEGATE,
        "Routine work and an expert: hand it over and stay out of the way; consider "
        "whether it is a stretch for someone else instead.",
    ),
    (2, 4): (
        DelegationLevel.DELEGATE,
        "Moderate work and an expert: agree the outcome and deadline, then leave the how to them.",
    ),
    (3, 4): (
        DelegationLevel.DELEGATE,
        "Complex work and an expert: delegate it with the outcome and two or three "
        "agreed check-points, and let them run it between those.",
    ),
}


def _check_choice(name: str, value: int, choices: list[tuple[int, str]]) -> None:
    # bool is an int subclass; True must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or value not in dict(choices):
        options = ", ".join(f"{number} ({label})" for number, label in choices)
        raise ValueError(f"{name} must be one of {options}; got {value!r}.")


def delegation_recommend(*, complexity: int, readiness: int) -> DelegationAdvice:
    """Recommend how to hand a task to a team member.

    complexity is a COMPLEXITY_CHOICES value (1-3) and readiness a
    READINESS_CHOICES value (1-4). Returns the DelegationLevel value and a
    one-line reason specific to that combination. Raises ValueError naming
    the allowed values when either argument is out of range or not an int.
    """
    _check_choice("complexity", complexity, COMPLEXITY_CHOICES)
    _check_choice("readiness", readiness, READINESS_CHOICES)
    level, reason = _DELEGATION_TABLE[(complexity, readiness)]
    return DelegationAdvice(level=str(level), reason=reason)
