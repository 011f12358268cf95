"""Reads for the rater link: which assignment a token opens, and the questionnaire as
the rater sees it with their draft answers."""

from dataclasses import dataclass, field

from feedback360.models import (
    CycleStatus,
    FeedbackAnswer,
    ItemKind,
    QuestionnaireItem,
    RaterAssignment,
    RaterGroup,
    RaterStatus,
    RaterToken,
)
from feedback360.permissions.reviewer import (
    TOKEN_MAX_LENGTH,
    LinkState,
    RaterPrincipal,
    link_state,
    own_rater_requests,
    token_hash,
)
from people.permissions import Actor


def rater_link_find(*, token: str) -> RaterPrincipal:
    """The principal a raw link token stands for. An altered or guessed token finds no
    assignment (state UNKNOWN); a known one carries its state, so a used or expired
    link is told apart from one that never existed. Never writes."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return RaterPrincipal(assignment=None, state=LinkState.UNKNOWN)
    row = (
        RaterToken.objects.select_related(
            "assignment__cycle__organization",
            "assignment__cycle__questionnaire",
            "assignment__subject__employee",
            "assignment__organization",
        )
        .filter(token_hash=token_hash(token))
        .first()
    )
    assignment = row.assignment if row else None
    today = assignment.cycle.organization.today() if assignment else None
    return RaterPrincipal(assignment=assignment, state=link_state(assignment, today=today))


@dataclass
class FormItem:
    key: str
    number: int
    text: str
    anchors: list[tuple[str, str]]
    not_observed: bool
    current: str | None = None  # "1".."5", "not_observed", or None
    current_text: str = ""


@dataclass
class FormGroup:
    key: str
    name: str
    items: list[FormItem] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.current is not None)


@dataclass
class RaterForm:
    assignment: RaterAssignment
    groups: list[FormGroup]
    open_items: list[FormItem]

    @property
    def rating_items(self) -> list[FormItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def total(self) -> int:
        return len(self.rating_items)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.rating_items if item.current is not None)

    @property
    def unanswered(self) -> list[FormItem]:
        return [item for item in self.rating_items if item.current is None]


def rater_form(*, assignment: RaterAssignment) -> RaterForm:
    """The cycle's questionnaire grouped by competency in questionnaire order, with the
    rater's saved answers. Two queries whatever the questionnaire's size."""
    items = list(
        QuestionnaireItem.objects.filter(questionnaire_id=assignment.cycle.questionnaire_id)
        .select_related("competency")
        .order_by("position", "id")
    )
    answers = {
        a.item_id: a
        for a in FeedbackAnswer.objects.filter(
            response__assignment_id=assignment.pk
        ).select_related("response")
    }
    groups: dict[int, FormGroup] = {}
    open_items = []
    number = 0
    for item in items:
        number += 1
        answer = answers.get(item.pk)
        current = None
        if answer is not None and answer.not_observed:
            current = "not_observed"
        elif answer is not None and answer.value is not None:
            current = str(answer.value)
        form_item = FormItem(
            key=item.key,
            number=number,
            text=item.text,
            anchors=_anchor_list(item.anchors),
            not_observed=item.not_observed,
            current=current,
            current_text=answer.text if answer else "",
        )
        if item.kind == ItemKind.OPEN:
            open_items.append(form_item)
            continue
        group = groups.get(item.competency_id)
        if group is None:
            group = groups[item.competency_id] = FormGroup(
                key=item.competency.key, name=item.competency.name
            )
        group.items.append(form_item)
    return RaterForm(
        assignment=assignment,
        groups=list(groups.values()),
        open_items=open_items,
    )


def _anchor_list(anchors: dict) -> list[tuple[str, str]]:
    """Levels 1..5 with their behavioural anchor (blank when the questionnaire gives
    none for a level)."""
    anchors = anchors or {}
    return [
        (str(level), str(anchors.get(str(level), anchors.get(level, "")))) for level in range(1, 6)
    ]


# How a request names the rater's part, in the invitation and above the questions.
AS_WHOM = {
    RaterGroup.SELF: "as part of your own 360",
    RaterGroup.MANAGER: "as their manager",
    RaterGroup.PEER: "as one of their peers",
    RaterGroup.DIRECT_REPORT: "as someone they manage",
    RaterGroup.STAKEHOLDER: "as someone who works with their team",
}


@dataclass(frozen=True)
class WhoSeesWhat:
    """What the intro says before the first question."""

    group: str
    group_label: str
    as_whom: str
    subject_name: str
    threshold: int | None  # the smallest number of answers shown for the rater's group
    overall_threshold: int | None
    identified: bool  # the manager's (and the learner's own) answers carry their role


def who_sees_what(*, assignment: RaterAssignment) -> WhoSeesWhat:
    cycle = assignment.cycle
    thresholds = {
        RaterGroup.PEER: cycle.peer_threshold,
        RaterGroup.DIRECT_REPORT: cycle.direct_report_threshold,
        RaterGroup.STAKEHOLDER: cycle.stakeholder_threshold,
    }
    return WhoSeesWhat(
        group=assignment.group,
        group_label=assignment.get_group_display().lower(),
        as_whom=AS_WHOM[assignment.group],
        subject_name=assignment.subject.employee.full_name,
        threshold=thresholds.get(assignment.group),
        overall_threshold=cycle.overall_threshold,
        identified=assignment.group in (RaterGroup.MANAGER, RaterGroup.SELF),
    )


def pending_rater_requests(*, actor: Actor) -> list[RaterAssignment]:
    """The actor's own rater requests still waiting for an answer (invited, in an open
    cycle not past its closing date), soonest closing first. One query."""
    return list(
        RaterAssignment.objects.filter(own_rater_requests(actor).q())
        .filter(
            status=RaterStatus.INVITED,
            cycle__status=CycleStatus.OPEN,
            cycle__closes_on__gte=actor.organization.today(),
        )
        .select_related("cycle", "subject__employee")
        .order_by("cycle__closes_on", "pk")
    )


def own_rater_request(*, actor: Actor, pk: int) -> RaterAssignment | None:
    """One of the actor's own rater requests, whatever its state (the link page then
    says whether it still takes answers); None for anyone else's."""
    return (
        RaterAssignment.objects.filter(own_rater_requests(actor).q(), pk=pk)
        .select_related("cycle")
        .first()
    )
