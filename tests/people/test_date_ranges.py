"""Date ranges name the first date's year when it differs from the second's (every page
showing one uses the date_range tag; tests/programs/test_cohorts.py checks a page)."""

import datetime

import pytest

from people.templatetags.lodestar_dates import EN_DASH, date_range

D = datetime.date


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (D(2025, 12, 22), D(2026, 1, 12), f"22 Dec 2025 {EN_DASH} 12 Jan 2026"),
        (D(2026, 11, 9), D(2026, 11, 30), f"9 Nov {EN_DASH} 30 Nov 2026"),
        (D(2026, 3, 1), None, "from 1 Mar 2026"),
        (None, D(2026, 3, 1), "until 1 Mar 2026"),
    ],
)
def test_a_range_shows_the_first_year_only_when_it_differs(start, end, shown):
    assert date_range(start, end) == shown
