"""Questionnaire files: reading and checking the format every rated questionnaire uses
(self and manager assessments, readiness, 360 feedback).

Pure functions over plain data, beside the competency framework so that any app above
programs can read a questionnaire; the app that stores one decides which kinds it takes.
The YAML format:

    key: leadership-self-assessment      lowercase letters, digits and hyphens
    title: Leadership self-assessment
    kind: self                           what it is for; the caller lists the kinds it takes
    description: ...                     optional
    items:
      - id: ei-incident-composure        unique within the file
        type: rating                     the default: a 1-5 rating of one competency
        competency: emotional_intelligence
        text: During an incident I stay calm ...
        anchors: {1: ..., 2: ..., 3: ..., 4: ..., 5: ...}    what each level looks like
        not_observed: true               optional: the rater may say "not observed"
      - id: keep-doing
        type: open                       answered in the rater's own words
        text: What should they keep doing?
"""

from collections.abc import Collection
from dataclasses import dataclass

from people import bounds
from programs.ratings import RATING_MAX, RATING_MIN
from programs.scenario_format import ID_PATTERN, ScenarioFileError, parse_yaml

ITEM_RATING = "rating"
ITEM_OPEN = "open"
MAX_ITEMS = 200
MAX_TITLE_LENGTH = 200
# Item texts and anchors are stored as notes; a description as prose.
MAX_TEXT_LENGTH = bounds.NOTE_LENGTH
MAX_DESCRIPTION_LENGTH = bounds.PROSE_LENGTH
LEVELS = tuple(range(RATING_MIN, RATING_MAX + 1))

_FIELDS = {"key", "title", "kind", "description", "items"}
_ITEM_FIELDS = {
    ITEM_RATING: {"id", "type", "competency", "text", "anchors", "not_observed"},
    ITEM_OPEN: {"id", "type", "text"},
}


class QuestionnaireFileError(Exception):
    """The file is not a valid questionnaire. `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class RatingItem:
    """A behaviour rated 1-5, each level described by a behavioural anchor."""

    id: str
    competency: str
    text: str
    anchors: dict[int, str]  # every level 1-5 -> what it looks like
    not_observed: bool = False  # whether the rater may answer "not observed" instead


@dataclass(frozen=True)
class OpenItem:
    """A question answered in the rater's own words (keep doing, start doing, stop doing)."""

    id: str
    text: str


@dataclass(frozen=True)
class Questionnaire:
    key: str
    title: str
    kind: str
    description: str
    items: tuple[RatingItem | OpenItem, ...]  # in the file's order

    @property
    def rating_items(self) -> list[RatingItem]:
        return [item for item in self.items if isinstance(item, RatingItem)]

    @property
    def item_competency(self) -> dict[str, str]:
        """Rating item id -> competency key, as programs.ratings.competency_means takes it."""
        return {item.id: item.competency for item in self.rating_items}


def _text(value: object, where: str, limit: int, errors: list[str], required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"{where} is missing.")
        return ""
    if not isinstance(value, str):
        errors.append(f"{where} must be text.")
        return ""
    if len(value) > limit:
        errors.append(f"{where} is longer than {limit} characters.")
    return value.strip()


def _unknown(data: dict, allowed: set[str], where: str, errors: list[str]) -> None:
    extra = sorted(str(name) for name in data if name not in allowed)
    if extra:
        errors.append(f"{where}: unknown field(s) {', '.join(extra)}.")


def _anchors(value: object, where: str, errors: list[str]) -> dict[int, str]:
    levels = ", ".join(str(level) for level in LEVELS)
    if not isinstance(value, dict):
        errors.append(f"{where}: anchors must describe each level {levels}.")
        return {}
    anchors: dict[int, str] = {}
    for level, text in value.items():
        # YAML reads `1:` as the number 1; a quoted "1" means the same level.
        number = int(level) if isinstance(level, str) and level.isdigit() else level
        if isinstance(number, bool) or number not in LEVELS:
            errors.append(f"{where}: anchor level {level!r} is not one of {levels}.")
            continue
        if number in anchors:
            errors.append(f"{where}: anchor level {number} is described twice.")
            continue
        anchors[number] = _text(text, f"{where}: anchor {number}", MAX_TEXT_LENGTH, errors)
    missing = [str(level) for level in LEVELS if level not in anchors]
    if missing:
        errors.append(f"{where}: anchors are missing for level(s) {', '.join(missing)}.")
    return dict(sorted(anchors.items()))


def _item(
    raw: object, n: int, known_competencies: Collection[str], errors: list[str]
) -> RatingItem | OpenItem | None:
    where = f"item {n}"
    if not isinstance(raw, dict):
        errors.append(f"{where} must be a mapping with id, text and, to rate, competency.")
        return None
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
        errors.append(f"{where}: id must use lowercase letters, digits and hyphens.")
        item_id = ""
    else:
        where = f"item {n} ({item_id})"
    item_type = raw.get("type", ITEM_RATING)
    if item_type not in _ITEM_FIELDS:
        errors.append(f"{where}: type must be {ITEM_RATING} or {ITEM_OPEN}.")
        return None
    _unknown(raw, _ITEM_FIELDS[item_type], where, errors)
    text = _text(raw.get("text"), f"{where}: text", MAX_TEXT_LENGTH, errors)
    if item_type == ITEM_OPEN:
        return OpenItem(id=item_id, text=text)
    competency = raw.get("competency")
    if not isinstance(competency, str) or not competency:
        errors.append(f"{where}: competency is missing.")
        competency = ""
    elif competency not in known_competencies:
        errors.append(f"{where}: competency '{competency}' is not in the framework.")
    not_observed = raw.get("not_observed", False)
    if not isinstance(not_observed, bool):
        errors.append(f"{where}: not_observed must be true or false.")
        not_observed = False
    return RatingItem(
        id=item_id,
        competency=competency,
        text=text,
        anchors=_anchors(raw.get("anchors"), where, errors),
        not_observed=not_observed,
    )


def questionnaire_parse(
    content: bytes | str, *, known_competencies: Collection[str], kinds: Collection[str]
) -> Questionnaire:
    """Reads and checks a questionnaire file.

    The caller gets a Questionnaire with its items in the file's order: RatingItems
    (each of a competency in `known_competencies`, with an anchor for every level 1-5)
    and OpenItems. `kinds` lists the kinds of questionnaire the caller stores.

    Raises QuestionnaireFileError listing every problem: YAML that cannot be read or
    breaks the size, depth or value bounds, a missing or unknown field, an id used
    twice, an unknown competency or kind, an anchor missing or outside 1-5, a text over
    its length, or no items (at most MAX_ITEMS).
    """
    try:
        data = parse_yaml(content)
    except ScenarioFileError as exc:
        raise QuestionnaireFileError(exc.errors) from None
    errors: list[str] = []
    _unknown(data, _FIELDS, "The questionnaire", errors)
    key = data.get("key")
    if not isinstance(key, str) or not ID_PATTERN.match(key):
        errors.append("key must use lowercase letters, digits and hyphens (at most 80).")
        key = ""
    title = _text(data.get("title"), "title", MAX_TITLE_LENGTH, errors)
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        errors.append(f"kind must be one of: {', '.join(sorted(kinds))}.")
        kind = ""
    description = _text(
        data.get("description"), "description", MAX_DESCRIPTION_LENGTH, errors, required=False
    )
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        errors.append("items must list at least one item.")
        raw_items = []
    elif len(raw_items) > MAX_ITEMS:
        errors.append(f"A questionnaire has at most {MAX_ITEMS} items.")
        raw_items = []
    items: list[RatingItem | OpenItem] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_items, start=1):
        item = _item(raw, n, known_competencies, errors)
        if item is None:
            continue
        if item.id and item.id in seen:
            errors.append(f"item {n}: id '{item.id}' is used twice.")
        seen.add(item.id)
        items.append(item)
    if errors:
        raise QuestionnaireFileError(errors)
    return Questionnaire(
        key=key, title=title, kind=kind, description=description, items=tuple(items)
    )
