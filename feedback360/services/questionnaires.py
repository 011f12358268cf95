"""360 questionnaires: loaded per organisation from feedback360/content/*.yaml.

A version used by an open or closed cycle is locked: its items are what raters
answered, so it is never edited. Importing a changed file edits the latest version
while nothing locks it, and otherwise makes version + 1; cycles keep the version they
were created with, so a post cycle asks exactly what its pre cycle asked.
"""

import functools
from pathlib import Path

from django.db import transaction

from feedback360.models import (
    CycleStatus,
    ItemKind,
    Questionnaire,
    QuestionnaireItem,
)
from people.models import Organization
from programs.models import Competency
from programs.questionnaire_format import (
    OpenItem,
    QuestionnaireFileError,
    questionnaire_parse,
)
from programs.questionnaire_format import Questionnaire as QuestionnaireFile
from programs.services import competencies_seed

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
QUESTIONNAIRE_KINDS = ("360",)
LOCKING_STATUSES = (CycleStatus.OPEN, CycleStatus.CLOSED)


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, _mtime_ns: int, known: frozenset[str]) -> QuestionnaireFile:
    # Every new organisation reads every file; the parse is pure, so it is kept per
    # file version and competency set.
    try:
        return questionnaire_parse(
            path.read_bytes(), known_competencies=set(known), kinds=QUESTIONNAIRE_KINDS
        )
    except QuestionnaireFileError as exc:
        raise QuestionnaireFileError([f"{path.name}: {error}" for error in exc.errors]) from None


def questionnaire_file_read(path: Path, *, known_competencies: set[str]) -> QuestionnaireFile:
    """The questionnaire in `path`, checked. Raises QuestionnaireFileError naming the
    file and listing every problem."""
    return _parsed(path, path.stat().st_mtime_ns, frozenset(known_competencies))


def questionnaire_is_locked(*, questionnaire: Questionnaire) -> bool:
    """True once an open or closed cycle uses this version: it is never edited again."""
    return questionnaire.cycles.filter(status__in=LOCKING_STATUSES).exists()


def _items_of(spec: QuestionnaireFile) -> list[tuple]:
    rows = []
    for item in spec.items:
        if isinstance(item, OpenItem):
            rows.append((item.id, ItemKind.OPEN, None, item.text, {}, False))
        else:
            anchors = {str(level): text for level, text in item.anchors.items()}
            rows.append(
                (item.id, ItemKind.RATING, item.competency, item.text, anchors, item.not_observed)
            )
    return rows


def _stored_items(questionnaire: Questionnaire) -> list[tuple]:
    return [
        (
            item.key,
            item.kind,
            item.competency.key if item.competency_id else None,
            item.text,
            item.anchors,
            item.not_observed,
        )
        for item in questionnaire.items.select_related("competency").order_by("position")
    ]


def _write_items(questionnaire: Questionnaire, rows: list[tuple], by_key: dict) -> None:
    QuestionnaireItem.objects.bulk_create(
        QuestionnaireItem(
            questionnaire=questionnaire,
            key=key,
            position=position,
            kind=kind,
            competency=by_key[competency] if competency else None,
            text=text,
            anchors=anchors,
            not_observed=not_observed,
        )
        for position, (key, kind, competency, text, anchors, not_observed) in enumerate(rows)
    )


@transaction.atomic
def questionnaire_import(
    *, organization: Organization, spec: QuestionnaireFile, by_key: dict[str, Competency]
) -> tuple[Questionnaire, str]:
    """Stores one questionnaire file for an organisation. Returns the version that now
    holds it and what happened: "created" (version 1), "unchanged", "updated" (the
    latest version, which no open or closed cycle uses, edited in place) or
    "new_version" (the latest was locked, so version + 1 was made)."""
    rows = _items_of(spec)
    latest = (
        Questionnaire.objects.select_for_update()
        .filter(organization=organization, key=spec.key)
        .order_by("-version")
        .first()
    )
    if latest is not None:
        same = (
            latest.title == spec.title
            and latest.description == spec.description
            and _stored_items(latest) == rows
        )
        if same:
            return latest, "unchanged"
        if not questionnaire_is_locked(questionnaire=latest):
            latest.title, latest.description = spec.title, spec.description
            latest.save(update_fields=["title", "description"])
            latest.items.all().delete()
            _write_items(latest, rows, by_key)
            return latest, "updated"
    questionnaire = Questionnaire.objects.create(
        organization=organization,
        key=spec.key,
        version=latest.version + 1 if latest else 1,
        title=spec.title,
        description=spec.description,
    )
    _write_items(questionnaire, rows, by_key)
    return questionnaire, "new_version" if latest else "created"


def questionnaire_library_load(
    *, organization: Organization, content_dir: Path | None = None
) -> dict[str, str]:
    """Loads every *.yaml in `content_dir` (feedback360/content by default) into the organisation; safe to run again.
    Returns {questionnaire key: what happened} (see questionnaire_import). Raises
    QuestionnaireFileError naming the file when a file is invalid; nothing of that file
    is stored."""
    competencies_seed(organization=organization)
    by_key = {c.key: c for c in Competency.objects.filter(organization=organization)}
    outcome = {}
    for path in sorted((content_dir or CONTENT_DIR).glob("*.yaml")):
        spec = questionnaire_file_read(path, known_competencies=set(by_key))
        _questionnaire, outcome[spec.key] = questionnaire_import(
            organization=organization, spec=spec, by_key=by_key
        )
    return outcome
