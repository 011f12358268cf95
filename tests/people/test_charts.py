"""The shared SVG chart helper: safe with any label, honest at the edges, and readable
without the picture."""

import re
from html import unescape

import pytest

from people.charts import BAR_AREA, Measure, Series, columns, grouped_bars, small_multiples

HOSTILE = '</text><script>alert(1)</script><text x="0" onload="x">'


def desc(html: str) -> str:
    return unescape(re.search(r"<desc [^>]*>(.*?)</desc>", html, re.S).group(1))


def table_cells(html: str) -> list[str]:
    table = html.split("<details", 1)[1]
    return [unescape(c) for c in re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", table)]


def every_chart(label: str) -> list[str]:
    return [
        grouped_bars(title=label, categories=[label], series=[Series(label, [3.0])], targets=[4.0]),
        columns(title=label, labels=[label], values=[50.0], series_label=label),
        small_multiples(
            title=label, items=[label], measures=[Measure(label=label, values=[1], maxima=[2])]
        ),
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_hostile_labels_are_escaped_everywhere(index):
    html = every_chart(HOSTILE)[index]
    assert "<script>" not in html and "</text><script>" not in html
    assert 'onload="x"' not in html
    assert "&lt;/text&gt;&lt;script&gt;" in html
    assert HOSTILE in desc(html), "the text alternative still says what the label says"


@pytest.mark.parametrize("index", [0, 1, 2])
def test_each_chart_is_an_image_with_a_title_a_legend_and_the_numbers(index):
    html = every_chart("Delegation")[index]
    assert re.search(r'<svg [^>]*role="img"', html)
    # As wide as its container, with text at its own size: no viewBox to scale it.
    assert re.search(r'<svg [^>]*width="100%" height="\d+"', html)
    assert "viewBox" not in html
    assert "<title " in html and "<desc " in html
    assert "<summary>Show the numbers</summary>" in html
    assert "style=" not in html, "the CSP forbids inline styles"
    assert "<script" not in html


def test_series_differ_by_pattern_as_well_as_colour():
    html = grouped_bars(
        title="Scores",
        categories=["Delegation"],
        series=[Series("Self", [3.0]), Series("Manager", [4.0])],
    )
    legend = html.split('<g transform="translate(0 6)">', 1)[1].split("</g>", 1)[0]
    assert "chart-fill-0" in legend and 'fill="url(#scores-hatch)"' in legend
    assert ">Self</text>" in legend and ">Manager</text>" in legend


@pytest.mark.parametrize(
    "chart",
    [
        lambda: grouped_bars(title="Scores", categories=[], series=[Series("Self", [])]),
        lambda: columns(title="Weeks", labels=[], values=[], series_label="Done"),
        lambda: small_multiples(title="Cohorts", items=[], measures=[]),
    ],
)
def test_empty_data_says_so_without_a_table(chart):
    html = chart()
    assert "Nothing to show yet." in html and desc(html) == "Nothing to show yet."
    assert "<details" not in html and "chart-bar" not in html


def test_one_category_is_drawn_and_listed():
    html = grouped_bars(
        title="Scores", categories=["Coaching"], series=[Series("Self", [2.5])], targets=[4.0]
    )
    assert html.count('class="chart-bar chart-fill-0"') == 2, "the bar and its legend swatch"
    assert desc(html) == "Scores, on a scale of 1 to 5. Coaching: Self 2.5, target 4.0."
    assert table_cells(html) == ["", "Self", "Target", "Coaching", "2.5", "4.0"]


def bar_widths(html: str) -> list[float]:
    body = html.split("</g>", 1)[1]
    """Bar widths in % of the chart's width."""
    return [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([\d.]+)%"', body)]


def test_values_at_the_scale_edges_fill_nothing_and_everything():
    html = grouped_bars(
        title="Scores", categories=["Low", "High"], series=[Series("Self", [1.0, 5.0])]
    )
    low, high = bar_widths(html)
    assert low == 0.5, "a 1 still shows as a sliver, not as missing"
    assert high == BAR_AREA, "a 5 fills the whole scale and leaves room for its value"
    assert "Low: Self 1.0; High: Self 5.0" in desc(html)


def test_values_beyond_the_scale_are_drawn_at_its_edge_and_reported_as_they_are():
    html = grouped_bars(title="Scores", categories=["Over"], series=[Series("Self", [7.0])])
    assert bar_widths(html) == [BAR_AREA]
    assert "Over: Self 7.0" in desc(html)


def test_scores_are_shown_to_one_decimal():
    html = grouped_bars(
        title="Scores", categories=["A"], series=[Series("Self", [3.666])], targets=[4]
    )
    assert "Self 3.7" in desc(html) and "target 4.0" in desc(html)
    assert "3.666" not in html


def test_the_text_alternative_lists_every_value():
    html = grouped_bars(
        title="Scores",
        categories=["Delegation", "Coaching", "Feedback"],
        series=[Series("Self", [3.5, None, 2.0]), Series("Manager", [4.0, 1.5, 5.0])],
        targets=[4.0, 3.5, None],
    )
    assert desc(html) == (
        "Scores, on a scale of 1 to 5. Delegation: Self 3.5, Manager 4.0, target 4.0; "
        "Coaching: Self none yet, Manager 1.5, target 3.5; "
        "Feedback: Self 2.0, Manager 5.0, target none."
    )
    assert table_cells(html)[4:] == [
        *["Delegation", "3.5", "4.0", "4.0"],
        *["Coaching", "none yet", "1.5", "3.5"],
        *["Feedback", "2.0", "5.0", "—"],
    ]


def test_columns_list_every_week_and_mark_weeks_to_come():
    html = columns(
        title="Completion",
        labels=["Week 1", "Week 2", "Week 3"],
        values=[0.0, 100.0, None],
        series_label="Completed",
    )
    assert desc(html) == "Completion. Completed: Week 1: 0%; Week 2: 100%; Week 3: none yet."
    assert table_cells(html) == ["", "Completed", "Week 1", "0%", "Week 2", "100%", "Week 3", "—"]


def test_columns_refuse_labels_and_values_that_do_not_pair_up():
    with pytest.raises(ValueError, match="shorter"):
        columns(title="Completion", labels=["Week 1", "Week 2"], values=[1.0], series_label="x")


def test_small_multiples_scale_each_bar_to_its_own_maximum():
    html = small_multiples(
        title="Cohorts",
        items=["Spring", "Autumn"],
        measures=[
            Measure("Completion", [50.0, None], [100, 100], "{value:.0f}%"),
            Measure("Learners behind", [2, 0], [8, 3], "{value:.0f} of {maximum:.0f}"),
        ],
    )
    assert desc(html) == (
        "Cohorts. Spring: Completion 50%, Learners behind 2 of 8; "
        "Autumn: Completion none yet, Learners behind 0 of 3."
    )
    widths = [w for w in bar_widths(html) if w != 100]  # drop the tracks
    assert widths == [50.0, 25.0]


def test_the_numbers_toggle_can_be_left_out_where_a_table_shows_them():
    html = grouped_bars(
        title="Scores", categories=["A"], series=[Series("Self", [3.0])], numbers=False
    )
    assert "Show the numbers" not in html and "<table" not in html
    assert "A: Self 3.0" in desc(html), "the text alternative stays"
