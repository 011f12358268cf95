"""The main menu: each person sees the entries their roles allow, and an entry another
entry already covers for them is left out, so the L&D manager's menu stays one row."""

import re

from django.urls import reverse


def menu(client, user) -> list[str]:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav)]


def test_rater_approvals_are_in_the_line_managers_menu_not_the_lnd_managers(
    client, learner, line_manager, lnd_manager
):
    # `learner` reports to the line manager, which is what makes them one.
    assert "360 raters" in menu(client, line_manager)
    lnd_menu = menu(client, lnd_manager)
    assert "360 feedback" in lnd_menu and "360 raters" not in lnd_menu


def test_the_lnd_manager_reaches_rater_nominations_from_the_cycles(client, lnd_manager):
    client.force_login(lnd_manager)
    html = client.get(reverse("feedback360:cycles")).content.decode()
    assert f'href="{reverse("feedback360:rater_overview")}"' in html
