"""The metrics app's contribution to the home page (see people.home): the executive's
headline figures."""

from metrics import selectors
from people import charts
from people.home import register_section
from people.permissions import Actor


def _percent(value: float | None) -> str:
    return "not started" if value is None else f"{value:.0f}%"


def _impact(actor: Actor) -> dict | None:
    if not actor.is_executive:
        return None
    figures = selectors.headline_figures(organization=actor.organization)
    rows = [
        {
            "name": row.cohort.name,
            "start_date": row.cohort.start_date,
            "enrolled": row.enrolled,
            "completion": _percent(row.completion),
            "with_results": row.with_results,
            "change": selectors.cohort_change_text(row),
            "reported": row.change is not None,
        }
        for row in figures.cohorts
    ]
    return {
        "figures": figures,
        "rows": rows,
        "completion": _percent(figures.completion),
        "change": selectors.change_text(figures.change) if figures.change is not None else None,
        "assessed": any(row.assessed for row in figures.cohorts),
        "too_few": [row.cohort.name for row in figures.too_few],
        "minimum": selectors.MIN_LEARNERS_TO_REPORT,
        "chart": _completion_chart(figures),
    }


def _completion_chart(figures: selectors.HeadlineFigures):
    started = [row for row in figures.cohorts if row.completion is not None]
    return charts.small_multiples(
        title="Completion by cohort: share of released modules completed",
        items=[row.cohort.name for row in started],
        # One measure, named by the title: no legend, no label repeated on every bar.
        measures=[
            charts.Measure(
                label="",
                values=[row.completion for row in started],
                maxima=[100] * len(started),
                text="{value:.0f}%",
            )
        ],
        empty="No cohort has begun yet.",
        chart_id="impact-chart",
    )


def register() -> None:
    register_section(
        key="metrics.impact", order=60, template="metrics/home/impact.html", context=_impact
    )
