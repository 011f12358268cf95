"""The results page draws self against manager per competency, with the target marked."""

import re
from html import unescape

from django.urls import reverse

from tests.assessments.test_assessments import submit_both


def chart_desc(html: str) -> str:
    match = re.search(r'<desc id="scores-chart-desc">(.*?)</desc>', html, re.S)
    return unescape(match.group(1)) if match else ""


def test_the_learner_sees_self_against_manager_with_the_target(
    client, round_open, learner, line_manager, org
):
    round_open.cohort.program.competencies.set(org.competencies.all())
    submit_both(
        learner,
        line_manager,
        org,
        lambda item: 5 if item.competency.key == "delegation" else 2,
        lambda item: 3,
    )
    client.force_login(learner)
    html = client.get(reverse("assessments:results", args=[round_open.pk])).content.decode()
    assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="scores-chart-title', html)
    text = chart_desc(html)
    delegation = org.competencies.get(key="delegation").name
    assert f"{delegation}: Self 5.0, Manager 3.0, target 4.0" in text
    for competency in org.competencies.exclude(key="delegation"):
        assert f"{competency.name}: Self 2.0, Manager 3.0, target 4.0" in text
    assert html.count('class="chart-target"') == org.competencies.count() + 1, "and the legend"
    # The scores table right under the chart shows the numbers: no second toggle for them.
    assert "Show the numbers" not in html
    assert '<th scope="col" class="num">Combined</th>' in html


def test_before_anyone_answers_every_competency_says_none_yet(client, round_open, learner, org):
    client.force_login(learner)
    html = client.get(reverse("assessments:results", args=[round_open.pk])).content.decode()
    assert "Self none yet, Manager none yet" in chart_desc(html)


def test_the_line_manager_without_a_shared_plan_sees_no_scores_chart(
    client, round_open, learner, line_manager, org
):
    submit_both(learner, line_manager, org, lambda item: 4, lambda item: 3)
    client.force_login(line_manager)
    response = client.get(reverse("assessments:results", args=[round_open.pk]))
    assert "scores-chart" not in response.content.decode()
