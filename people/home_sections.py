"""The people app's own contributions to the home page (see people.home)."""

from django.urls import reverse

from people import selectors
from people.home import TodoItem, register_section, register_todo
from people.models import ImportStatus
from people.permissions import Actor, can_manage_roster


def _lnd_roster(actor: Actor) -> dict | None:
    if not can_manage_roster(actor):
        return None
    return {
        "counts": selectors.roster_counts(organization=actor.organization),
        "recent_imports": selectors.roster_import_list(organization=actor.organization)[:5],
    }


def _direct_reports(actor: Actor) -> dict | None:
    if not actor.is_line_manager:
        return None
    return {"reports": selectors.direct_reports(actor=actor)}


def _imports_to_review(actor: Actor) -> list[TodoItem]:
    if not can_manage_roster(actor):
        return []
    waiting = selectors.roster_import_list(organization=actor.organization).filter(
        status=ImportStatus.PREVIEW
    )
    return [
        TodoItem(
            text=f"Review the roster file {batch.filename} and import it",
            url=reverse("people:import_detail", args=[batch.pk]),
        )
        for batch in waiting.order_by("created_at")[:10]
    ]


def register() -> None:
    register_section(
        key="people.lnd_roster",
        order=50,
        template="people/home/lnd_roster.html",
        context=_lnd_roster,
    )
    register_section(
        key="people.direct_reports",
        order=30,
        template="people/home/direct_reports.html",
        context=_direct_reports,
    )
    register_todo(key="people.imports", order=90, items=_imports_to_review)
