"""The rules of nominating and approving 360 raters, asked of the services directly:
the cap per person, group minimums and maximums, one group per person, replacement
after a decline, and that bad input changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from feedback360.models import CycleStatus, RaterAssignment, RaterGroup, RaterStatus
from feedback360.selectors import nomination as selectors
from feedback360.services import nomination as services
from people.models import DomainEvent
from programs import services as program_services
from tests.conftest import actor_for
from tests.factories import EmployeeFactory
from tests.feedback360.factories_nomination import (
    make_cycle,
    other_learners,
    rater_row,
    settings_for,
)


def nominate(actor, cycle, subject, person=None, group=RaterGroup.PEER, **kwargs):
    return services.rater_nominate(
        actor=actor,
        cycle=cycle,
        subject=subject,
        group=group,
        employee_id=person.pk if person else None,
        **kwargs,
    )


def snapshot():
    return list(RaterAssignment.objects.order_by("pk").values_list("pk", "group", "status"))


def message_of(exc_info, field=None) -> str:
    exc = exc_info.value
    if field is None:
        return " ".join(exc.messages)
    return " ".join(exc.message_dict[field])


@pytest.mark.django_db
class TestNominating:
    def test_the_learner_nominates_from_the_roster_and_it_awaits_approval(
        self, learner_actor, cycle, enrollment, colleagues
    ):
        row = nominate(learner_actor, cycle, enrollment, colleagues[0])
        assert (row.employee, row.name, row.email, row.group, row.status) == (
            colleagues[0],
            "Colleague 1",
            colleagues[0].email.lower(),
            RaterGroup.PEER,
            RaterStatus.NOMINATED,
        )
        assert row.nominated_by == learner_actor.user and row.approved_at is None

    def test_someone_outside_the_roster_is_nominated_by_name_and_email(
        self, learner_actor, cycle, enrollment
    ):
        row = nominate(
            learner_actor,
            cycle,
            enrollment,
            group=RaterGroup.STAKEHOLDER,
            name="Pat Product",
            email=" Pat@Partner.example ",
        )
        assert (row.employee, row.name, row.email) == (None, "Pat Product", "pat@partner.example")

    def test_a_roster_person_given_by_email_is_linked_to_their_record(
        self, learner_actor, cycle, enrollment, colleagues
    ):
        row = nominate(learner_actor, cycle, enrollment, name="", email=colleagues[2].email.upper())
        assert (row.employee, row.name) == (colleagues[2], "Colleague 3")

    def test_a_rater_added_by_the_line_manager_is_approved_and_announced(
        self, manager_actor, cycle, enrollment, colleagues, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks():
            row = nominate(manager_actor, cycle, enrollment, colleagues[0])
        assert row.status == RaterStatus.APPROVED and row.approved_by == manager_actor.user
        event = DomainEvent.objects.get(name=services.RATERS_APPROVED)
        assert event.payload == {
            "cycle_id": cycle.pk,
            "subject_id": enrollment.pk,
            "assignment_ids": [row.pk],
        }


@pytest.mark.django_db
class TestRaterCap:
    def test_a_person_asked_by_as_many_learners_as_the_cap_cannot_be_asked_again(
        self, lnd, cohort, enrollment, learner_actor, colleagues
    ):
        cycle = make_cycle(cohort=cohort, status=CycleStatus.OPEN, cap=2)
        busy = colleagues[0]
        for other in other_learners(lnd, cohort, 2):
            rater_row(cycle, other, busy)
        before = snapshot()
        with pytest.raises(ValidationError) as exc:
            nominate(learner_actor, cycle, enrollment, busy)
        assert message_of(exc, "employee") == (
            "Colleague 1 has already been asked by 2 learners in this cycle, the most one "
            "person may be asked (2). Please choose someone else."
        )
        assert snapshot() == before

    def test_below_the_cap_the_person_may_be_asked(
        self, lnd, cohort, enrollment, learner_actor, colleagues
    ):
        cycle = make_cycle(cohort=cohort, status=CycleStatus.OPEN, cap=2)
        [other] = other_learners(lnd, cohort, 1)
        rater_row(cycle, other, colleagues[0])
        assert nominate(learner_actor, cycle, enrollment, colleagues[0]).pk

    def test_declined_and_removed_requests_do_not_count_towards_the_cap(
        self, lnd, cohort, enrollment, learner_actor, colleagues
    ):
        cycle = make_cycle(cohort=cohort, status=CycleStatus.OPEN, cap=2)
        a, b = other_learners(lnd, cohort, 2)
        rater_row(cycle, a, colleagues[0], status=RaterStatus.DECLINED)
        rater_row(cycle, b, colleagues[0], status=RaterStatus.REMOVED)
        assert nominate(learner_actor, cycle, enrollment, colleagues[0]).pk

    def test_the_manager_group_is_exempt_from_the_cap(
        self, lnd, cohort, enrollment, manager_actor, line_manager_employee
    ):
        # The line manager already rates another learner as a peer: the cap of one is
        # reached for every group but the manager's.
        cycle = make_cycle(cohort=cohort, status=CycleStatus.OPEN, cap=1)
        [other] = other_learners(lnd, cohort, 1)
        rater_row(cycle, other, line_manager_employee, group=RaterGroup.PEER)
        with pytest.raises(ValidationError, match="asked by 1 learners"):
            nominate(manager_actor, cycle, enrollment, line_manager_employee, group="stakeholder")
        row = nominate(
            manager_actor, cycle, enrollment, line_manager_employee, group=RaterGroup.MANAGER
        )
        assert row.group == RaterGroup.MANAGER

    def test_being_someones_manager_does_not_use_up_the_cap(
        self, lnd, cohort, enrollment, learner_actor, colleagues
    ):
        cycle = make_cycle(cohort=cohort, status=CycleStatus.OPEN, cap=1)
        [other] = other_learners(lnd, cohort, 1)
        rater_row(cycle, other, colleagues[0], group=RaterGroup.MANAGER)
        assert nominate(learner_actor, cycle, enrollment, colleagues[0]).pk

    def test_before_the_cycle_opens_the_organisations_cap_applies(
        self, lnd, cohort, cycle, enrollment, learner_actor, colleagues, org
    ):
        settings_for(org, rater_cap=1)
        [other] = other_learners(lnd, cohort, 1)
        rater_row(cycle, other, colleagues[0])
        with pytest.raises(ValidationError, match=r"asked by 1 learners .* \(1\)"):
            nominate(learner_actor, cycle, enrollment, colleagues[0])


@pytest.mark.django_db
class TestGroupBounds:
    def test_a_group_at_its_maximum_takes_nobody_more(
        self, learner_actor, cycle, enrollment, colleagues, org
    ):
        settings_for(org, peers_min=1, peers_max=2)
        nominate(learner_actor, cycle, enrollment, colleagues[0])
        nominate(learner_actor, cycle, enrollment, colleagues[1])
        before = snapshot()
        with pytest.raises(ValidationError) as exc:
            nominate(learner_actor, cycle, enrollment, colleagues[2])
        assert message_of(exc, "group") == "Peers already has 2 raters, the most this group takes."
        assert snapshot() == before
        # Another group still has room.
        assert nominate(learner_actor, cycle, enrollment, colleagues[2], group="stakeholder")

    def test_approval_waits_until_every_group_has_its_minimum(
        self,
        learner_actor,
        manager_actor,
        cycle,
        enrollment,
        colleagues,
        org,
        django_capture_on_commit_callbacks,
    ):
        settings_for(org, peers_min=3, stakeholders_min=1)
        rows = [nominate(learner_actor, cycle, enrollment, c) for c in colleagues[:2]]
        with pytest.raises(ValidationError) as exc:
            services.raters_approve(actor=manager_actor, cycle=cycle, subject=enrollment)
        assert exc.value.messages == [
            "Peers need at least 3 raters; 2 are nominated.",
            "Stakeholders need at least 1 rater; 0 are nominated.",
        ]
        assert set(RaterAssignment.objects.values_list("status", flat=True)) == {"nominated"}
        assert not DomainEvent.objects.filter(name=services.RATERS_APPROVED).exists()

        rows.append(nominate(learner_actor, cycle, enrollment, colleagues[2]))
        rows.append(nominate(learner_actor, cycle, enrollment, colleagues[3], group="stakeholder"))
        with django_capture_on_commit_callbacks():
            ids = services.raters_approve(actor=manager_actor, cycle=cycle, subject=enrollment)
        assert sorted(ids) == sorted(r.pk for r in rows)
        assert set(RaterAssignment.objects.values_list("status", flat=True)) == {"approved"}
        event = DomainEvent.objects.get(name=services.RATERS_APPROVED)
        assert sorted(event.payload["assignment_ids"]) == sorted(ids)

    def test_a_learner_without_direct_reports_is_approved_without_any(
        self, learner_actor, manager_actor, cycle, enrollment, colleagues, org
    ):
        settings_for(org, peers_min=1, stakeholders_min=0)
        nominate(learner_actor, cycle, enrollment, colleagues[0])
        assert len(services.raters_approve(actor=manager_actor, cycle=cycle, subject=enrollment))


@pytest.mark.django_db
class TestOneGroupPerPerson:
    def test_a_person_already_asked_cannot_be_added_to_another_group(
        self, learner_actor, cycle, enrollment, colleagues
    ):
        nominate(learner_actor, cycle, enrollment, colleagues[0])
        before = snapshot()
        with pytest.raises(ValidationError) as exc:
            nominate(learner_actor, cycle, enrollment, colleagues[0], group="stakeholder")
        assert message_of(exc, "employee") == (
            "Colleague 1 is already asked as Peers for Learner; a person sits in one group "
            "per learner."
        )
        with pytest.raises(ValidationError, match="already asked as Peers"):
            nominate(
                learner_actor,
                cycle,
                enrollment,
                group="stakeholder",
                name="Other spelling",
                email=colleagues[0].email.upper(),
            )
        assert snapshot() == before

    def test_the_same_person_may_rate_two_different_learners(
        self, learner_actor, cycle, enrollment, peer_enrollment, peer_learner, org, colleagues
    ):
        nominate(learner_actor, cycle, enrollment, colleagues[0])
        peer = actor_for(peer_learner, org)
        assert nominate(peer, cycle, peer_enrollment, colleagues[0]).pk

    def test_moving_a_rater_keeps_them_in_one_group(
        self, learner_actor, manager_actor, cycle, enrollment, colleagues
    ):
        row = nominate(learner_actor, cycle, enrollment, colleagues[0])
        services.rater_change_group(actor=manager_actor, assignment=row, group="stakeholder")
        row.refresh_from_db()
        assert row.group == "stakeholder"
        assert RaterAssignment.objects.filter(email=row.email).count() == 1

    def test_only_the_learner_answers_as_self_and_only_as_self(
        self, learner_actor, cycle, enrollment, learner_employee, colleagues
    ):
        with pytest.raises(ValidationError) as exc:
            nominate(learner_actor, cycle, enrollment, colleagues[0], group="self")
        assert message_of(exc, "group") == "Only the learner answers as Self."
        with pytest.raises(ValidationError) as exc:
            nominate(learner_actor, cycle, enrollment, learner_employee, group="peer")
        assert message_of(exc, "employee") == "The learner answers about themselves only as Self."
        assert nominate(learner_actor, cycle, enrollment, learner_employee, group="self")

    def test_a_manager_comes_from_the_roster(self, learner_actor, cycle, enrollment):
        with pytest.raises(ValidationError) as exc:
            nominate(
                learner_actor, cycle, enrollment, group="manager", name="Ex", email="ex@x.example"
            )
        assert message_of(exc, "email") == "A manager must be chosen from the roster."


@pytest.mark.django_db
class TestReplacement:
    @pytest.fixture
    def declined(self, learner_actor, cycle, enrollment, colleagues):
        row = rater_row(cycle, enrollment, colleagues[0], status=RaterStatus.DECLINED)
        return row

    def test_the_learner_nominates_a_replacement_in_the_same_group(
        self, learner_actor, declined, colleagues
    ):
        row = services.rater_replace(
            actor=learner_actor, declined=declined, employee_id=colleagues[1].pk
        )
        assert (row.replaces, row.group, row.status) == (
            declined,
            declined.group,
            RaterStatus.NOMINATED,
        )

    def test_a_replacement_by_the_line_manager_is_approved_at_once(
        self, manager_actor, declined, colleagues
    ):
        row = services.rater_replace(
            actor=manager_actor, declined=declined, name="Out Side", email="out@side.example"
        )
        assert row.status == RaterStatus.APPROVED and row.replaces == declined

    def test_a_declined_rater_is_replaced_once(self, learner_actor, declined, colleagues):
        services.rater_replace(actor=learner_actor, declined=declined, employee_id=colleagues[1].pk)
        before = snapshot()
        with pytest.raises(ValidationError, match="Colleague 1 has already been replaced"):
            services.rater_replace(
                actor=learner_actor, declined=declined, employee_id=colleagues[2].pk
            )
        assert snapshot() == before

    def test_only_a_rater_who_declined_is_replaced(
        self, learner_actor, cycle, enrollment, colleagues
    ):
        row = nominate(learner_actor, cycle, enrollment, colleagues[0])
        with pytest.raises(ValidationError, match="has not declined"):
            services.rater_replace(actor=learner_actor, declined=row, employee_id=colleagues[1].pk)

    def test_the_replacement_meets_the_same_rules(
        self, learner_actor, declined, cycle, enrollment, colleagues
    ):
        nominate(learner_actor, cycle, enrollment, colleagues[1], group="stakeholder")
        with pytest.raises(ValidationError, match="already asked as Stakeholders"):
            services.rater_replace(
                actor=learner_actor, declined=declined, employee_id=colleagues[1].pk
            )

    def test_someone_who_declined_is_not_asked_again(
        self, learner_actor, declined, cycle, enrollment, colleagues
    ):
        before = snapshot()
        with pytest.raises(ValidationError, match="Colleague 1 declined this request"):
            services.rater_replace(
                actor=learner_actor, declined=declined, employee_id=colleagues[0].pk
            )
        with pytest.raises(ValidationError, match="Colleague 1 declined this request"):
            nominate(learner_actor, cycle, enrollment, colleagues[0], group="stakeholder")
        assert snapshot() == before


@pytest.mark.django_db
class TestBadInputChangesNothing:
    @pytest.mark.parametrize(
        ("kwargs", "field", "message"),
        [
            ({"group": "peer"}, "email", "Give the rater's email address"),
            ({"group": "peer", "email": "not-an-email", "name": "X"}, "email", "valid email"),
            ({"group": "peer", "email": "a@b.example"}, "name", "Give the rater's name."),
            ({"group": "peer", "email": "a@b.example", "name": "x" * 201}, "name", "at most 200"),
            ({"group": "boss", "email": "a@b.example", "name": "A"}, "group", "Choose one of"),
            ({"group": "peer", "employee_id": 999999}, "employee", "on the organisation's roster"),
        ],
    )
    def test_each_bad_field_is_named(
        self, learner_actor, cycle, enrollment, kwargs, field, message
    ):
        before = snapshot()
        with pytest.raises(ValidationError) as exc:
            services.rater_nominate(actor=learner_actor, cycle=cycle, subject=enrollment, **kwargs)
        assert message in message_of(exc, field)
        assert snapshot() == before

    def test_someone_of_another_organisation_is_not_on_the_roster(
        self, learner_actor, cycle, enrollment, other_org
    ):
        stranger = EmployeeFactory(organization=other_org)
        with pytest.raises(ValidationError, match="on the organisation's roster"):
            nominate(learner_actor, cycle, enrollment, stranger)

    def test_someone_who_has_left_is_not_on_the_roster(self, learner_actor, cycle, enrollment, org):
        gone = EmployeeFactory(organization=org, termination_date=datetime.date(2024, 1, 31))
        with pytest.raises(ValidationError, match="on the organisation's roster"):
            nominate(learner_actor, cycle, enrollment, gone)

    def test_a_closed_cycle_takes_no_changes(self, learner_actor, cohort, enrollment, colleagues):
        closed = make_cycle(cohort=cohort, status=CycleStatus.CLOSED)
        with pytest.raises(ValidationError, match="This cycle is closed"):
            nominate(learner_actor, closed, enrollment, colleagues[0])
        assert snapshot() == []


@pytest.mark.django_db
class TestWhoChangesWhat:
    def test_a_peer_learner_cannot_nominate_for_the_learner(
        self, peer_learner, peer_enrollment, org, cycle, enrollment, colleagues
    ):
        with pytest.raises(PermissionDenied):
            nominate(actor_for(peer_learner, org), cycle, enrollment, colleagues[0])

    def test_a_former_line_manager_cannot_approve(
        self, learner_actor, former_line_manager, org, cycle, enrollment, colleagues
    ):
        settings_for(org, peers_min=0)
        nominate(learner_actor, cycle, enrollment, colleagues[0])
        with pytest.raises(PermissionDenied):
            services.raters_approve(
                actor=actor_for(former_line_manager, org), cycle=cycle, subject=enrollment
            )

    def test_the_learner_cannot_approve_their_own_raters(
        self, learner_actor, cycle, enrollment, colleagues, org
    ):
        settings_for(org, peers_min=0)
        nominate(learner_actor, cycle, enrollment, colleagues[0])
        with pytest.raises(PermissionDenied):
            services.raters_approve(actor=learner_actor, cycle=cycle, subject=enrollment)

    def test_the_learner_withdraws_a_nomination_but_not_an_approved_rater(
        self, learner_actor, manager_actor, cycle, enrollment, colleagues
    ):
        waiting = nominate(learner_actor, cycle, enrollment, colleagues[0])
        approved = nominate(manager_actor, cycle, enrollment, colleagues[1])
        services.rater_remove(actor=learner_actor, assignment=waiting)
        with pytest.raises(ValidationError, match="ask your line manager to remove them"):
            services.rater_remove(actor=learner_actor, assignment=approved)
        services.rater_remove(actor=manager_actor, assignment=approved)
        assert set(RaterAssignment.objects.values_list("status", flat=True)) == {"removed"}

    @pytest.mark.parametrize("status", [RaterStatus.INVITED, RaterStatus.SUBMITTED])
    def test_an_invited_rater_stays_in_place_whether_or_not_they_answered(
        self, manager_actor, cycle, enrollment, colleagues, status
    ):
        row = rater_row(cycle, enrollment, colleagues[0], status=status)
        message = "has been invited; an invitation is not taken back"
        with pytest.raises(ValidationError, match=message):
            services.rater_remove(actor=manager_actor, assignment=row)
        with pytest.raises(ValidationError, match=message):
            services.rater_change_group(actor=manager_actor, assignment=row, group="stakeholder")
        row.refresh_from_db()
        assert (row.status, row.group) == (status, "peer")

    def test_an_lnd_manager_who_is_a_learner_does_not_approve_their_own_raters(
        self, lnd, cohort, cycle, colleagues, org
    ):
        settings_for(org, peers_min=1)
        [own] = program_services.enrollment_add(
            actor=lnd, cohort=cohort, employees=[lnd.employee], notify=False
        )
        row = nominate(lnd, cycle, own, colleagues[0])
        assert row.status == RaterStatus.NOMINATED
        with pytest.raises(PermissionDenied):
            services.raters_approve(actor=lnd, cycle=cycle, subject=own)
        assert selectors.nomination_overview(actor=lnd) == []

    def test_an_lnd_manager_approves(self, lnd, learner_actor, cycle, enrollment, colleagues, org):
        settings_for(org, peers_min=1)
        nominate(learner_actor, cycle, enrollment, colleagues[0])
        assert len(services.raters_approve(actor=lnd, cycle=cycle, subject=enrollment)) == 1


@pytest.mark.django_db
class TestProposals:
    def test_a_pre_cycle_proposes_self_the_manager_and_direct_reports_from_the_hr_history(
        self, cohort, enrollment, learner_employee, line_manager_employee, org
    ):
        report = EmployeeFactory(
            organization=org, manager=learner_employee, full_name="Rita Report"
        )
        cycle = make_cycle(cohort=cohort)
        proposals = selectors.rater_proposals(cycle=cycle, subject=enrollment, raters=[])
        assert [(p.group, p.employee_id) for p in proposals] == [
            ("self", learner_employee.pk),
            ("manager", line_manager_employee.pk),
            ("direct_report", report.pk),
        ]

    def test_the_manager_proposed_is_the_one_on_the_cycles_opening_date(
        self, cohort, enrollment, former_line_manager_employee, line_manager_employee
    ):
        cycle = make_cycle(cohort=cohort, opens_on=datetime.date(2024, 5, 1))
        proposals = selectors.rater_proposals(cycle=cycle, subject=enrollment, raters=[])
        managers = [p.employee_id for p in proposals if p.group == "manager"]
        assert managers == [former_line_manager_employee.pk]

    def test_a_post_cycle_proposes_the_pre_cycles_raters_again(
        self, cohort, enrollment, colleagues
    ):
        pre = make_cycle(cohort=cohort, status=CycleStatus.CLOSED)
        rater_row(pre, enrollment, colleagues[0], status=RaterStatus.SUBMITTED)
        rater_row(pre, enrollment, colleagues[1], status=RaterStatus.DECLINED)
        rater_row(pre, enrollment, colleagues[2], group="stakeholder", status="invited")
        post = make_cycle(cohort=cohort, phase="post")
        proposals = selectors.rater_proposals(cycle=post, subject=enrollment, raters=[])
        assert [(p.group, p.employee_id) for p in proposals] == [
            ("peer", colleagues[0].pk),
            ("stakeholder", colleagues[2].pk),
        ]

    def test_someone_who_has_left_since_is_not_proposed_again(
        self, learner_actor, cohort, enrollment, colleagues, org
    ):
        pre = make_cycle(cohort=cohort, status=CycleStatus.CLOSED)
        rater_row(pre, enrollment, colleagues[0], status=RaterStatus.SUBMITTED)
        rater_row(pre, enrollment, colleagues[1], status=RaterStatus.SUBMITTED)
        colleagues[1].termination_date = org.today() - datetime.timedelta(days=3)
        colleagues[1].save(update_fields=["termination_date"])
        post = make_cycle(cohort=cohort, phase="post")
        proposals = selectors.rater_proposals(cycle=post, subject=enrollment, raters=[])
        assert [p.employee_id for p in proposals] == [colleagues[0].pk]
        # So adding everyone proposed works instead of failing for all.
        added = services.raters_nominate_proposed(
            actor=learner_actor, cycle=post, subject=enrollment
        )
        assert [r.employee_id for r in added] == [colleagues[0].pk]

    def test_adding_all_proposed_adds_them_or_nobody(
        self, learner_actor, cohort, enrollment, learner_employee, line_manager_employee, org
    ):
        cycle = make_cycle(cohort=cohort)
        added = services.raters_nominate_proposed(
            actor=learner_actor, cycle=cycle, subject=enrollment
        )
        assert [(r.group, r.employee_id) for r in added] == [
            ("self", learner_employee.pk),
            ("manager", line_manager_employee.pk),
        ]
        assert (
            selectors.rater_proposals(
                cycle=cycle, subject=enrollment, raters=list(RaterAssignment.objects.all())
            )
            == []
        )
