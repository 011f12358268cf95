"""Knowledge-check files: questions with one or several right answers. Pure functions."""

from dataclasses import dataclass

from people import bounds
from programs.scenario_format import ID_PATTERN, ScenarioFileError, parse_yaml

MAX_TEXT_LENGTH = bounds.NOTE_LENGTH
MAX_OPTIONS = 10

STARTER = """\
title: Knowledge check
pass_mark: 70
questions:
  - id: sbi-parts
    text: What are the three parts of SBI feedback?
    options:
      - {key: a, text: "Situation, Behaviour, Impact"}
      - {key: b, text: "Summary, Blame, Improvement"}
      - {key: c, text: "Strengths, Barriers, Ideas"}
    correct: [a]
    explanation: Situation (when and where), Behaviour (what they did, as a camera would see it), Impact (the effect).
  - id: delegation-levels
    text: A capable engineer takes on a moderately complex task. Which levels fit? Choose all that apply.
    options:
      - {key: a, text: Direct}
      - {key: b, text: Support}
      - {key: c, text: Delegate with agreed check-points}
    correct: [b, c]
    explanation: A capable person needs room; direct instructions would waste their skill.
"""


class CheckFileError(ScenarioFileError):
    pass


@dataclass
class CheckSpec:
    title: str
    pass_mark: int
    questions: list[dict]  # {id, text, options: [{key, text}], correct: [keys], explanation}


def validate_check(content: bytes | str) -> CheckSpec:
    """Reads and checks a knowledge-check file; raises CheckFileError listing every problem."""
    try:
        data = parse_yaml(content)
    except ScenarioFileError as exc:
        raise CheckFileError(exc.errors) from None
    errors: list[str] = []
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append("title is missing.")
        title = ""
    elif len(title) > 200:
        errors.append("title is longer than 200 characters.")
    pass_mark = data.get("pass_mark", 70)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        errors.append("pass_mark must be a whole number from 0 to 100.")
        pass_mark = 70
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        errors.append("questions must list at least one question.")
        raw = []
    if len(raw) > 100:
        errors.append("A knowledge check has at most 100 questions.")
        raw = []
    questions, seen = [], set()
    for n, q in enumerate(raw, start=1):
        where = f"question {n}"
        if not isinstance(q, dict):
            errors.append(f"{where} must be a mapping with id, text, options and correct.")
            continue
        qid = q.get("id")
        if not isinstance(qid, str) or not ID_PATTERN.match(qid):
            errors.append(f"{where}: id must use lowercase letters, digits and hyphens.")
        elif qid in seen:
            errors.append(f"{where}: id '{qid}' is used twice.")
        seen.add(qid)
        text = q.get("text")
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{where}: text is missing.")
        elif len(text) > MAX_TEXT_LENGTH:
            errors.append(f"{where}: text is longer than {MAX_TEXT_LENGTH} characters.")
        options = q.get("options")
        keys: list[str] = []
        if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
            errors.append(f"{where} needs 2 to {MAX_OPTIONS} options.")
            options = []
        for option in options:
            if (
                not isinstance(option, dict)
                or not isinstance(option.get("key"), str)
                or not isinstance(option.get("text"), str)
            ):
                errors.append(f"{where}: each option needs a key and a text.")
                continue
            if len(option["key"]) > 40 or len(option["text"]) > MAX_TEXT_LENGTH:
                errors.append(
                    f"{where}: an option key is at most 40 characters and its text at most "
                    f"{MAX_TEXT_LENGTH}."
                )
            if option["key"] in keys:
                errors.append(f"{where}: option key '{option['key']}' is used twice.")
            keys.append(option["key"])
        correct = q.get("correct")
        if (
            not isinstance(correct, list)
            or not correct
            or not all(isinstance(c, str) for c in correct)
        ):
            errors.append(f"{where}: correct must list the right option keys.")
            correct = []
        for key in correct:
            if key not in keys:
                errors.append(f"{where}: correct answer '{key}' is not one of the options.")
        explanation = q.get("explanation", "")
        if isinstance(explanation, str) and len(explanation) > MAX_TEXT_LENGTH:
            errors.append(f"{where}: explanation is longer than {MAX_TEXT_LENGTH} characters.")
        questions.append(
            {
                "id": qid,
                "text": str(text or "").strip(),
                "options": [
                    {"key": o["key"], "text": o["text"]}
                    for o in options
                    if isinstance(o, dict) and "key" in o
                ],
                "correct": sorted(set(correct)),
                "explanation": explanation if isinstance(explanation, str) else "",
            }
        )
    if errors:
        raise CheckFileError(errors)
    return CheckSpec(title=title.strip(), pass_mark=pass_mark, questions=questions)
