"""SVG charts drawn on the server, for every app's pages.

Pure Python: each function returns one `<figure class="chart">` holding an SVG
(`role="img"` with a `<title>` and a `<desc>` that lists every value), a visible legend
whose swatches differ by pattern as well as colour, and the numbers in a table behind
"Show the numbers". No script and no style attributes, so the strict CSP holds: colours
come from classes in static/css/lodestar.css. The SVG has no viewBox: it is as wide as
its container, horizontal positions are percentages of that width and everything
vertical (and the text) is in CSS pixels, so a chart fills a desktop card and a phone
alike with its text at the same readable size. Every label is escaped here; callers
pass plain text.

It lives in people, the lowest floor, so every app may draw with it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

FONT = 14  # px, as .chart-label sets it: never scaled
BAR = 12
BAR_GAP = 3
BAR_AREA = 70.0  # % of the width for grouped bars; the rest is for each bar's value
PLOT_LEFT = 13.0  # % of the width left of the columns, for their scale
PHONE_PX = 330  # the narrowest plot a chart is laid out for (a 390 px phone's card)
MARKS = ("solid", "hatch", "dots")  # each series' pattern, so colour is not the only cue


@dataclass(frozen=True)
class Series:
    """One set of values, one per category, drawn with its own pattern."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Measure:
    """One bar per item in `small_multiples`: each value is drawn against its own maximum.
    `text` formats a value for people, with `{value}` and `{maximum}` available. A chart
    of one measure may leave `label` empty when its title names it: then the title is
    shown above the bars instead of a legend, and no label is repeated beside each bar."""

    label: str
    values: Sequence[float | None]
    maxima: Sequence[float]
    text: str = "{value:.0f}"


def _fmt(value: float | None, decimals: int, unit: str = "", missing: str = "none yet") -> str:
    if value is None:
        return missing
    return f"{value:.{decimals}f}{unit}"


def _fraction(value: float, low: float, high: float) -> float:
    if high <= low:
        return 0.0
    return min(1.0, max(0.0, (value - low) / (high - low)))


def _pct(value: float) -> str:
    return f"{value:.2f}%"


def _text(
    x: float | str,
    y: float,
    label: str,
    css: str = "chart-label",
    anchor: str = "start",
    dx: float = 0,
) -> str:
    """Text at x (px, or a percentage of the width given as a string) and y (px)."""
    x = x if isinstance(x, str) else f"{x:.1f}"
    shift = f' dx="{dx:.0f}"' if dx else ""
    return (
        f'<text x="{x}" y="{y:.1f}"{shift} class="{css}" text-anchor="{anchor}">'
        f"{escape(label)}</text>"
    )


def _defs(chart_id: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" class="chart-fill-1"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="chart-hatch-line"/></pattern>'
        f'<pattern id="{chart_id}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        '<rect width="5" height="5" class="chart-fill-2"/>'
        '<circle cx="2.5" cy="2.5" r="1.2" class="chart-dot"/></pattern>'
        "</defs>"
    )


def _fill(chart_id: str, index: int) -> str:
    """The fill for the index-th series: a class for a solid fill, else a pattern."""
    mark = MARKS[index % len(MARKS)]
    if mark == "solid":
        return 'class="chart-bar chart-fill-0"'
    return f'class="chart-bar chart-{mark}" fill="url(#{chart_id}-{mark})"'


def _legend(chart_id: str, labels: Sequence[str], target: str | None = None) -> tuple[str, float]:
    """Swatches and labels in a row under the chart; returns the markup and its height."""
    parts, x = [], 0.0
    for index, label in enumerate(labels):
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="14" height="{BAR}" {_fill(chart_id, index)}/>'
        )
        parts.append(_text(x + 18, BAR - 1, label))
        x += 18 + 8 * len(label) + 18
    if target:
        parts.append(
            f'<line x1="{x + 7:.1f}" y1="-2" x2="{x + 7:.1f}" y2="{BAR + 2}" class="chart-target"/>'
        )
        parts.append(_target_mark(x + 7, -2))
        parts.append(_text(x + 18, BAR - 1, target))
    return "".join(parts), BAR + 8


def _target_mark(x: float | str, y: float) -> str:
    """A diamond centred on (x, y); x in px, or a percentage string (a nested svg carries
    the percentage, as a path's points cannot)."""
    if isinstance(x, str):
        return (
            f'<svg x="{x}" y="{y:.1f}" overflow="visible" aria-hidden="true">'
            '<path d="M0 -4 L4 0 L0 4 L-4 0 Z" class="chart-target-mark"/></svg>'
        )
    return (
        f'<path d="M{x:.1f} {y - 4:.1f} L{x + 4:.1f} {y:.1f} L{x:.1f} {y + 4:.1f} '
        f'L{x - 4:.1f} {y:.1f} Z" class="chart-target-mark"/>'
    )


def _table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f'<td class="num">{escape(c)}</td>' for c in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        '<details class="chart-numbers"><summary>Show the numbers</summary>'
        f'<div class="table-wrap"><table><caption class="visually-hidden">{escape(caption)}'
        f"</caption><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def _figure(
    chart_id: str, title: str, desc: str, height: float, body: str, table: str = ""
) -> SafeString:
    svg = (
        f'<svg class="chart-svg" role="img" width="100%" height="{height:.0f}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>{_defs(chart_id)}{body}</svg>'
    )
    # Every label and number above went through escape() or is a formatted number.
    return mark_safe(f'<figure class="chart" id="{chart_id}">{svg}{table}</figure>')  # noqa: S308


def _empty(chart_id: str, title: str, empty: str) -> SafeString:
    return _figure(chart_id, title, empty, 40, _text(0, 24, empty, "chart-label chart-muted"))


def _id(chart_id: str | None, title: str) -> str:
    return slugify(chart_id or title) or "chart"


def grouped_bars(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    targets: Sequence[float | None] | None = None,
    scale: tuple[float, float] = (1, 5),
    decimals: int = 1,
    target_label: str = "Target",
    empty: str = "Nothing to show yet.",
    chart_id: str | None = None,
    numbers: bool = True,
) -> SafeString:
    """Horizontal bars, one per series, grouped by category, each group with an optional
    target marked as a line with a diamond. Values outside `scale` are drawn at its edge
    and reported as they are; None is drawn as no bar and reported as "none yet".
    `numbers=False` leaves out "Show the numbers" where the page shows them in a table."""
    chart_id = _id(chart_id, title)
    if not categories or not series:
        return _empty(chart_id, title, empty)
    targets = targets or [None] * len(categories)
    has_targets = any(t is not None for t in targets)
    group = FONT + 6 + len(series) * (BAR + BAR_GAP) + 12

    def x_of(value: float) -> float:
        """A value's position in % of the width."""
        return BAR_AREA * _fraction(value, *scale)

    parts, y = [], 0.0
    legend, legend_height = _legend(
        chart_id, [s.label for s in series], target_label if has_targets else None
    )
    parts.append(f'<g transform="translate(0 6)">{legend}</g>')
    y = legend_height + 12
    top = y
    for index, category in enumerate(categories):
        parts.append(_text(0, y + FONT, category, "chart-label chart-category"))
        bar_y = y + FONT + 6
        for s_index, s in enumerate(series):
            value = s.values[index] if index < len(s.values) else None
            if value is not None:
                width = max(0.5, x_of(value))  # a value at the bottom still shows a sliver
                parts.append(
                    f'<rect x="0" y="{bar_y:.1f}" width="{_pct(width)}" height="{BAR}" '
                    f"{_fill(chart_id, s_index)}/>"
                )
                end = width
            else:
                end = 0.0
            said = f"{s.label} {_fmt(value, decimals)}"
            parts.append(_text(_pct(end), bar_y + BAR - 2, said, "chart-value", dx=4))
            bar_y += BAR + BAR_GAP
        target = targets[index] if index < len(targets) else None
        if target is not None:
            tx = _pct(x_of(target))
            parts.append(
                f'<line x1="{tx}" y1="{y + FONT + 2:.1f}" x2="{tx}" y2="{bar_y:.1f}" '
                'class="chart-target"/>'
            )
            parts.append(_target_mark(tx, y + FONT + 2))
        y += group
    # The scale underneath: a tick and a number at each whole step.
    low, high = scale
    step = 1 if high - low <= 10 else (high - low) / 5
    tick = low
    while tick <= high + 1e-9:
        x = _pct(x_of(tick))
        parts.insert(1, f'<line x1="{x}" y1="{top:.1f}" x2="{x}" y2="{y:.1f}" class="chart-grid"/>')
        # The first tick's number starts at the edge rather than being cut in half.
        anchor = "start" if tick == low else "middle"
        parts.append(_text(x, y + FONT, _fmt(tick, 0), "chart-axis", anchor))
        tick += step
    height = y + FONT + 6

    desc_parts = []
    rows = []
    for index, category in enumerate(categories):
        values = [s.values[index] if index < len(s.values) else None for s in series]
        text = ", ".join(
            f"{s.label} {_fmt(v, decimals)}" for s, v in zip(series, values, strict=True)
        )
        row = [category] + [_fmt(v, decimals) for v in values]
        if has_targets:
            target = targets[index] if index < len(targets) else None
            text += f", {target_label.lower()} {_fmt(target, decimals, missing='none')}"
            row.append(_fmt(target, decimals, missing="—"))
        desc_parts.append(f"{category}: {text}")
        rows.append(row)
    desc = (
        f"{title}, on a scale of {_fmt(low, 0)} to {_fmt(high, 0)}. " + "; ".join(desc_parts) + "."
    )
    head = ["", *[s.label for s in series]] + ([target_label] if has_targets else [])
    table = _table(title, head, rows) if numbers else ""
    return _figure(chart_id, title, desc, height, "".join(parts), table)


def columns(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    series_label: str,
    axis_labels: Sequence[str] | None = None,
    axis_title: str = "",
    maximum: float = 100,
    decimals: int = 0,
    unit: str = "%",
    empty: str = "Nothing to show yet.",
    chart_id: str | None = None,
) -> SafeString:
    """One column per label (weeks, say) rising from zero to `maximum`, with its value
    written above it; None leaves a gap marked "—" and is reported as "none yet".
    `axis_labels` (say "1", "2") replace `labels` under the columns, where space is short;
    the text alternative and the table keep `labels`. Raises ValueError when `labels`
    and `values` differ in length."""
    chart_id = _id(chart_id, title)
    if not labels:
        return _empty(chart_id, title, empty)
    legend, legend_height = _legend(chart_id, [series_label])
    top = legend_height + 12 + FONT + 4
    plot = 160.0
    base = top + plot
    left = PLOT_LEFT  # % of the width
    slot = (100 - left) / len(labels)  # % of the width
    axis = list(axis_labels or labels)
    # Label every column if the labels fit on a phone, else every second, third... one.
    slot_px = PHONE_PX * slot / 100
    every = 1 + int(max(len(a) for a in axis) * 8 // slot_px)
    width = slot * 0.6
    parts = [f'<g transform="translate(0 6)">{legend}</g>']
    for fraction in (0, 0.5, 1):
        y = base - plot * fraction
        parts.append(
            f'<line x1="{_pct(left)}" y1="{y:.1f}" x2="100%" y2="{y:.1f}" class="chart-grid"/>'
        )
        parts.append(
            _text(_pct(left), y + 4, _fmt(maximum * fraction, 0, unit), "chart-axis", "end", -4)
        )
    for index, (_label, value) in enumerate(zip(labels, values, strict=True)):
        cx = left + slot * index + slot / 2
        if value is None:
            parts.append(_text(_pct(cx), base - 4, "—", "chart-value", "middle"))
        else:
            height = max(1.0, plot * _fraction(value, 0, maximum))
            parts.append(
                f'<rect x="{_pct(cx - width / 2)}" y="{base - height:.1f}" width="{_pct(width)}" '
                f'height="{height:.1f}" {_fill(chart_id, 0)}/>'
            )
            parts.append(
                _text(
                    _pct(cx),
                    base - height - 4,
                    _fmt(value, decimals, unit),
                    "chart-value",
                    "middle",
                )
            )
        if index % every == 0:
            parts.append(_text(_pct(cx), base + FONT + 4, axis[index], "chart-axis", "middle"))
    height = base + FONT + 10
    if axis_title:
        parts.append(
            _text(_pct(left + (100 - left) / 2), height + 6, axis_title, "chart-axis", "middle")
        )
        height += FONT + 4
    listed = "; ".join(
        f"{label}: {_fmt(v, decimals, unit)}" for label, v in zip(labels, values, strict=True)
    )
    desc = f"{title}. {series_label}: {listed}."
    rows = [
        [label, _fmt(v, decimals, unit, missing="—")]
        for label, v in zip(labels, values, strict=True)
    ]
    return _figure(
        chart_id, title, desc, height, "".join(parts), _table(title, ["", series_label], rows)
    )


def small_multiples(
    *,
    title: str,
    items: Sequence[str],
    measures: Sequence[Measure],
    empty: str = "Nothing to show yet.",
    chart_id: str | None = None,
) -> SafeString:
    """One panel per item with a bar for each measure, each bar against its own maximum
    (completion out of 100%, learners behind out of the cohort's learners), labelled
    with its value in words so neither colour nor length is the only signal."""
    chart_id = _id(chart_id, title)
    if not items or not measures:
        return _empty(chart_id, title, empty)
    if any(m.label for m in measures):
        legend, legend_height = _legend(chart_id, [m.label for m in measures])
        parts = [f'<g transform="translate(0 6)">{legend}</g>']
        y = legend_height + 12
    else:  # the title, shown, says what every bar measures
        parts = [_text(0, FONT, title, "chart-label chart-title")]
        y = FONT + 10
    texts: list[list[str]] = []
    for index, item in enumerate(items):
        parts.append(_text(0, y + FONT, item, "chart-label chart-category"))
        bar_y = y + FONT + 4
        row = []
        for m_index, measure in enumerate(measures):
            bar_y += FONT + 2  # the measure's value in words, above its bar
            value = measure.values[index]
            maximum = measure.maxima[index]
            text = (
                "none yet" if value is None else measure.text.format(value=value, maximum=maximum)
            )
            row.append(text)
            parts.append(
                f'<rect x="0" y="{bar_y:.1f}" width="100%" height="{BAR}" class="chart-track"/>'
            )
            if value:
                width = max(0.5, 100 * _fraction(value, 0, maximum))
                parts.append(
                    f'<rect x="0" y="{bar_y:.1f}" width="{_pct(width)}" height="{BAR}" '
                    f"{_fill(chart_id, m_index)}/>"
                )
            said = f"{measure.label}: {text}" if measure.label else text
            parts.append(_text(0, bar_y - 3, said, "chart-value"))
            bar_y += BAR + BAR_GAP
        texts.append(row)
        y = bar_y + 12
    desc = (
        f"{title}. "
        + "; ".join(
            f"{item}: "
            + ", ".join(f"{m.label} {t}".strip() for m, t in zip(measures, row, strict=True))
            for item, row in zip(items, texts, strict=True)
        )
        + "."
    )
    rows = [[item, *row] for item, row in zip(items, texts, strict=True)]
    return _figure(
        chart_id,
        title,
        desc,
        y,
        "".join(parts),
        _table(title, ["", *[m.label or title for m in measures]], rows),
    )
