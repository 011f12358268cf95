"""Scenario files: reading, checking and writing the branching role-play format.

Pure functions over plain data; services.py stores what they return. The YAML format:

    key, title, summary, competencies: [keys], estimated_minutes, start: <step id>
    steps:   [{id, situation, choices: [{text, feedback, next | ending, scores: {key: int}}]}]
    endings: [{id, title, outcome: strong | mixed | weak, text}]
"""

import re
from dataclasses import dataclass

import yaml

from people import bounds

MAX_FILE_BYTES = 256 * 1024
MAX_STEPS = 200
MAX_LENGTHS = {"key": 80, "title": 200}
# Any one situation, choice, feedback or ending text.
MAX_TEXT_LENGTH = bounds.PROSE_LENGTH
SCORE_LIMIT = 3
MIN_CHOICES, MAX_CHOICES = 2, 4
OUTCOMES = ("strong", "mixed", "weak")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class ScenarioFileError(Exception):
    """The file or definition is not a valid scenario. `errors` lists every problem."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ScenarioSpec:
    key: str
    title: str
    summary: str
    competencies: list[str]
    estimated_minutes: int
    definition: dict  # {"start", "steps", "endings"}


def _text(value, where: str, errors: list[str], required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"{where} is missing.")
        return ""
    if not isinstance(value, (str, int, float)):
        errors.append(f"{where} must be text.")
        return ""
    text = str(value).strip()
    if len(text) > MAX_TEXT_LENGTH:
        errors.append(f"{where} is longer than {MAX_TEXT_LENGTH} characters.")
        return text[:MAX_TEXT_LENGTH]
    return text


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases, nested at most MAX_DEPTH levels and holding
    at most MAX_NODES values: a scenario never needs more, nested aliases can make a tiny
    file expand into gigabytes, and deep nesting exhausts the parser's stack."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not allowed", problem_mark=event.start_mark
            )
        self._depth = getattr(self, "_depth", 0) + 1
        self._nodes = getattr(self, "_nodes", 0) + 1
        if self._depth > bounds.MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                problem=f"it is nested more than {bounds.MAX_DEPTH} levels deep",
                problem_mark=self.peek_event().start_mark,
            )
        if self._nodes > bounds.MAX_NODES:
            raise yaml.MarkedYAMLError(
                problem=f"it holds more than {bounds.MAX_NODES} values",
                problem_mark=self.peek_event().start_mark,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(content: bytes | str) -> dict:
    """Loads a YAML mapping safely, bounded in size, depth and number of values.

    Raises ScenarioFileError naming the line of a syntax error, or saying which bound
    the file breaks. Text holding a NUL character is refused: the database cannot store it.
    """
    if isinstance(content, str):
        content = content.encode("utf-8", errors="replace")
    if len(content) > MAX_FILE_BYTES:
        raise ScenarioFileError([f"The file is larger than {MAX_FILE_BYTES // 1024} KB."])
    try:
        content = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioFileError(["The file is not UTF-8 text."]) from None
    try:
        data = yaml.load(content, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "it is not valid YAML"
        raise ScenarioFileError([f"The YAML could not be read{where}: {problem}."]) from None
    except (ValueError, TypeError, OverflowError, RecursionError):
        # A number too long to read, a date that does not exist, an unhashable key.
        raise ScenarioFileError(["The YAML holds a value that cannot be read."]) from None
    if not isinstance(data, dict):
        raise ScenarioFileError(["The file must be a YAML mapping with key, title, steps..."])
    if bounds.has_nul(data):
        raise ScenarioFileError(["The file holds a NUL character (\\0); remove it."])
    if bounds.has_surrogate(data):
        raise ScenarioFileError(["The file holds an invalid character (a lone \\ud800 escape)."])
    return data


def validate(data: dict, *, known_competencies: set[str]) -> ScenarioSpec:
    """Checks a scenario mapping and returns it normalised.

    Raises ScenarioFileError listing every problem: missing fields, unknown
    competencies, choices without a target, targets that do not exist, scores out of
    bounds, steps that cannot be reached and paths that never end.
    """
    errors: list[str] = []
    key = _text(data.get("key"), "key", errors)
    title = _text(data.get("title"), "title", errors)
    for name, value in (("key", key), ("title", title)):
        if len(value) > MAX_LENGTHS[name]:
            errors.append(f"{name} is longer than {MAX_LENGTHS[name]} characters.")
    if key and not ID_PATTERN.match(key):
        errors.append(f"key '{key}' may use only lowercase letters, digits and hyphens.")
    summary = _text(data.get("summary"), "summary", errors, required=False)
    competencies = data.get("competencies") or []
    if not isinstance(competencies, list) or not competencies:
        errors.append("competencies must list at least one competency key.")
        competencies = []
    if any(not isinstance(c, str) for c in competencies):
        errors.append("competencies must be a list of competency keys (text).")
        competencies = [c for c in competencies if isinstance(c, str)]
    for comp in competencies:
        if comp not in known_competencies:
            errors.append(f"competency '{comp}' is not in this organisation's framework.")
    minutes = data.get("estimated_minutes", 10)
    if not isinstance(minutes, int) or not 1 <= minutes <= 240:
        errors.append("estimated_minutes must be a whole number from 1 to 240.")
        minutes = 10

    endings_in = data.get("endings") or []
    endings: list[dict] = []
    ending_ids: set[str] = set()
    if not isinstance(endings_in, list) or not endings_in:
        errors.append("endings must list at least one ending.")
        endings_in = []
    for i, ending in enumerate(endings_in):
        where = f"endings[{i + 1}]"
        if not isinstance(ending, dict):
            errors.append(f"{where} must be a mapping with id, title, outcome and text.")
            continue
        eid = _text(ending.get("id"), f"{where}.id", errors)
        if eid and not ID_PATTERN.match(eid):
            errors.append(f"{where}.id '{eid}' may use only lowercase letters, digits and hyphens.")
        if eid in ending_ids:
            errors.append(f"{where}.id '{eid}' is used twice.")
        ending_ids.add(eid)
        outcome = ending.get("outcome")
        if outcome not in OUTCOMES:
            errors.append(f"{where}.outcome must be one of {', '.join(OUTCOMES)}.")
        endings.append(
            {
                "id": eid,
                "title": _text(ending.get("title"), f"{where}.title", errors),
                "outcome": outcome if outcome in OUTCOMES else "mixed",
                "text": _text(ending.get("text"), f"{where}.text", errors),
            }
        )

    steps_in = data.get("steps") or []
    steps: list[dict] = []
    step_ids: set[str] = set()
    if not isinstance(steps_in, list) or not steps_in:
        errors.append("steps must list at least one step.")
        steps_in = []
    if len(steps_in) > MAX_STEPS:
        errors.append(f"A scenario has at most {MAX_STEPS} steps; this one has {len(steps_in)}.")
        steps_in = []
    for i, step in enumerate(steps_in):
        if isinstance(step, dict):
            sid = str(step.get("id") or "")
            if sid in step_ids:
                errors.append(f"steps[{i + 1}].id '{sid}' is used twice.")
            if sid in ending_ids:
                errors.append(f"steps[{i + 1}].id '{sid}' is also an ending id.")
            step_ids.add(sid)
    for i, step in enumerate(steps_in):
        where = f"steps[{i + 1}]"
        if not isinstance(step, dict):
            errors.append(f"{where} must be a mapping with id, situation and choices.")
            continue
        sid = _text(step.get("id"), f"{where}.id", errors)
        if sid:
            where = f"step '{sid}'"
            if not ID_PATTERN.match(sid):
                errors.append(
                    f"{where}: the id may use only lowercase letters, digits and hyphens."
                )
        situation = _text(step.get("situation"), f"{where}.situation", errors)
        choices_in = step.get("choices") or []
        if not isinstance(choices_in, list) or not MIN_CHOICES <= len(choices_in) <= MAX_CHOICES:
            errors.append(f"{where} needs {MIN_CHOICES} to {MAX_CHOICES} choices.")
            choices_in = choices_in if isinstance(choices_in, list) else []
        choices = []
        for j, choice in enumerate(choices_in):
            cwhere = f"{where}, choice {j + 1}"
            if not isinstance(choice, dict):
                errors.append(f"{cwhere} must be a mapping with text, feedback and next or ending.")
                continue
            target_step, target_end = choice.get("next"), choice.get("ending")
            if bool(target_step) == bool(target_end):
                errors.append(f"{cwhere} needs exactly one target: `next` (a step) or `ending`.")
            elif target_step and str(target_step) not in step_ids:
                errors.append(f"{cwhere} leads to step '{target_step}', which does not exist.")
            elif target_end and str(target_end) not in ending_ids:
                errors.append(f"{cwhere} leads to ending '{target_end}', which does not exist.")
            scores_in = choice.get("scores") or {}
            scores: dict[str, int] = {}
            if not isinstance(scores_in, dict):
                errors.append(f"{cwhere}: scores must map competency keys to numbers.")
                scores_in = {}
            for comp, delta in scores_in.items():
                if not isinstance(comp, str):
                    errors.append(f"{cwhere}: score keys must be competency keys (text).")
                    continue
                if comp not in competencies:
                    errors.append(
                        f"{cwhere} scores '{comp}', which is not one of this scenario's competencies."
                    )
                if isinstance(delta, bool) or not isinstance(delta, int):
                    errors.append(f"{cwhere}: the score for '{comp}' must be a whole number.")
                elif not -SCORE_LIMIT <= delta <= SCORE_LIMIT:
                    errors.append(
                        f"{cwhere}: the score for '{comp}' is {delta}; it must be between "
                        f"-{SCORE_LIMIT} and {SCORE_LIMIT}."
                    )
                else:
                    scores[str(comp)] = delta
            entry = {
                "text": _text(choice.get("text"), f"{cwhere}.text", errors),
                "feedback": _text(choice.get("feedback"), f"{cwhere}.feedback", errors),
                "scores": scores,
            }
            if target_step:
                entry["next"] = str(target_step)
            if target_end:
                entry["ending"] = str(target_end)
            choices.append(entry)
        steps.append({"id": sid, "situation": situation, "choices": choices})

    start = str(data.get("start") or "")
    if not start:
        errors.append("start is missing: name the first step.")
    elif start not in step_ids:
        errors.append(f"start names step '{start}', which does not exist.")
    if not errors:
        errors += _graph_errors(start, steps, ending_ids)
    if errors:
        raise ScenarioFileError(errors)
    return ScenarioSpec(
        key=key,
        title=title,
        summary=summary,
        competencies=competencies,
        estimated_minutes=minutes,
        definition={"start": start, "steps": steps, "endings": endings},
    )


def _graph_errors(start: str, steps: list[dict], ending_ids: set[str]) -> list[str]:
    """Every step reachable from the start, every ending reachable, and no loops, so
    every path through the scenario ends."""
    edges = {s["id"]: [c.get("next") for c in s["choices"] if c.get("next")] for s in steps}
    reached_steps, reached_endings, stack = {start}, set(), [start]
    by_id = {s["id"]: s for s in steps}
    while stack:
        step = by_id[stack.pop()]
        for choice in step["choices"]:
            if choice.get("ending"):
                reached_endings.add(choice["ending"])
            elif choice["next"] not in reached_steps:
                reached_steps.add(choice["next"])
                stack.append(choice["next"])
    errors = [
        f"step '{s['id']}' cannot be reached from the start."
        for s in steps
        if s["id"] not in reached_steps
    ]
    errors += [f"ending '{e}' cannot be reached." for e in sorted(ending_ids - reached_endings)]
    # Kahn's algorithm: if some step is never freed of incoming edges, there is a loop.
    incoming = {sid: 0 for sid in edges}
    for targets in edges.values():
        for target in targets:
            incoming[target] = incoming.get(target, 0) + 1
    ready = [sid for sid, n in incoming.items() if n == 0]
    freed = 0
    while ready:
        node = ready.pop()
        freed += 1
        for target in edges.get(node, []):
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    if freed < len(incoming):
        errors.append("the choices loop back to an earlier step, so a path may never end.")
    return errors


def to_yaml(spec: ScenarioSpec) -> str:
    """The scenario as a YAML file that `parse_yaml` + `validate` read back unchanged."""
    data = {
        "key": spec.key,
        "title": spec.title,
        "summary": spec.summary,
        "competencies": spec.competencies,
        "estimated_minutes": spec.estimated_minutes,
        "start": spec.definition["start"],
        "steps": spec.definition["steps"],
        "endings": spec.definition["endings"],
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def score_range(definition: dict) -> tuple[int, int]:
    """The lowest and highest total score any path from the start to an ending can
    earn, so a learner reads their score against this scenario's own scale.

    A validated scenario has no loops, so each step's range is its best and worst
    choice plus the range of the step that choice leads to."""
    by_id = {s["id"]: s for s in definition["steps"]}
    ranges: dict[str, tuple[int, int]] = {}

    def step_range(step_id: str) -> tuple[int, int]:
        # Iterative post-order: a deep scenario (up to MAX_STEPS) must not hit the
        # recursion limit.
        stack = [step_id]
        while stack:
            current = stack[-1]
            pending = [
                c["next"]
                for c in by_id[current]["choices"]
                if c.get("next") and c["next"] not in ranges
            ]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            totals = []
            for choice in by_id[current]["choices"]:
                gained = sum(choice.get("scores", {}).values())
                low, high = ranges[choice["next"]] if choice.get("next") else (0, 0)
                totals.append((gained + low, gained + high))
            ranges[current] = (min(t[0] for t in totals), max(t[1] for t in totals))
        return ranges[step_id]

    return step_range(definition["start"])


def step_of(definition: dict, step_id: str) -> dict | None:
    return next((s for s in definition["steps"] if s["id"] == step_id), None)


def ending_of(definition: dict, ending_id: str) -> dict | None:
    return next((e for e in definition["endings"] if e["id"] == ending_id), None)


STARTER_YAML = """\
key: my-new-scenario
title: A new scenario
summary: One or two sentences that tell learners what this role-play is about.
competencies: [feedback_delivery]
estimated_minutes: 10
start: opening
steps:
  - id: opening
    situation: |
      Set the scene: who is there, what just happened, what is at stake.
    choices:
      - text: A good first move.
        feedback: Why this works.
        next: follow-up
        scores: {feedback_delivery: 2}
      - text: A tempting but flawed move.
        feedback: Why this backfires.
        ending: weak-ending
        scores: {feedback_delivery: -2}
  - id: follow-up
    situation: |
      What happens next.
    choices:
      - text: Close well.
        feedback: Why this lands.
        ending: strong-ending
        scores: {feedback_delivery: 1}
      - text: Close in a hurry.
        feedback: What this leaves undone.
        ending: mixed-ending
        scores: {}
endings:
  - id: strong-ending
    title: It lands
    outcome: strong
    text: What happened next, and the lesson.
  - id: mixed-ending
    title: Half there
    outcome: mixed
    text: What happened next, and the lesson.
  - id: weak-ending
    title: It backfires
    outcome: weak
    text: What happened next, and the lesson.
"""
