"""Links that higher apps add beside a learner on the line manager's team page and on the
learner's progress page (/learners/<id>/: their results and development plan, say), so
programs never imports them. Each source
answers for the whole list at once, so the page's queries do not grow with the team.
Register in AppConfig.ready()."""

from collections.abc import Callable

# (actor, enrolments) -> {enrolment id: [(label, url), ...]}
EnrollmentLinks = Callable[[object, list], dict[int, list[tuple[str, str]]]]
TEAM_LINKS: dict[str, EnrollmentLinks] = {}


def register_team_links(key: str, links: EnrollmentLinks) -> None:
    TEAM_LINKS[key] = links


def team_links(actor, enrollments: list) -> dict[int, list[tuple[str, str]]]:
    """Every registered link per enrolment id, in registration order."""
    out: dict[int, list[tuple[str, str]]] = {e.pk: [] for e in enrollments}
    if not enrollments:
        return out
    for links in TEAM_LINKS.values():
        for pk, found in links(actor, enrollments).items():
            out.setdefault(pk, []).extend(found)
    return out
