"""The demo organisation: Acme Software, an IT department with two years of HR history.

`demo_load` builds the whole roster in memory first (a small day-by-day simulation
with a fixed seed), then writes it with a handful of bulk inserts. Every change a
person goes through gets a dated EmployeeRecord, so `roster_as_of` rebuilds any past
day's roster and reporting lines.
"""

import datetime
import functools
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from people import services
from people.audit import audit_log
from people.models import (
    Employee,
    EmployeeRecord,
    Membership,
    Organization,
    RecordEvent,
    Role,
    Team,
    TerminationReason,
    User,
)
from people.roster import TRACKED_FIELDS

DEMO_SLUG = "acme"
DEMO_NAME = "Acme Software"
DEMO_URL = "http://127.0.0.1:8000"
DEMO_PASSWORD = "lodestar-demo"  # noqa: S105  (published on purpose: it is the demo login)
SEED = 1847
HISTORY_DAYS = 730


@dataclass(frozen=True)
class DemoLogin:
    email: str
    full_name: str
    description: str
    roles: tuple[str, ...] = ()
    is_admin: bool = False


DEMO_LOGINS = (
    DemoLogin("lnd@acme.example", "Lena Hoffmann", "L&D manager", (Role.LND_MANAGER,)),
    DemoLogin(
        "learner@acme.example",
        "Lea Becker",
        "Learner: engineering manager in Payments, in week 3",
        (Role.LEARNER,),
    ),
    DemoLogin(
        "manager@acme.example",
        "Miriam Schulz",
        "Line manager: Head of Payments, the learner's manager",
    ),
    DemoLogin(
        "coach@acme.example", "Clara Wagner", "Coach of the leadership cohorts", (Role.COACH,)
    ),
    DemoLogin("exec@acme.example", "Elias Brandt", "Executive (the CTO)", (Role.EXECUTIVE,)),
    DemoLogin(
        "admin@acme.example", "Ada Admin", "Site administrator (Django admin)", is_admin=True
    ),
)
_LOGIN = {login.email.split("@")[0]: login for login in DEMO_LOGINS}

LEADERSHIP = "Engineering Leadership"
ENABLEMENT = "Engineering Enablement"
# Machine Learning starts as two squads inside Data and becomes its own team
# ORG_SPLIT_DAYS_AGO days ago, so the history holds one real reorganisation.
LATE_TEAM = "Machine Learning"
ORG_SPLIT_DAYS_AGO = 420

DIRECTORS = {
    "platform": "Director of Engineering, Platform",
    "product": "Director of Engineering, Product",
    "data": "Director of Engineering, Data & Quality",
}
# team: (director, squads at the start, engineering roles)
TEAMS = {
    "Platform": ("platform", 4, ("Backend Engineer", "Platform Engineer")),
    "Site Reliability": ("platform", 3, ("Site Reliability Engineer", "Cloud Engineer")),
    "Security": ("platform", 2, ("Security Engineer", "Application Security Engineer")),
    "Developer Experience": ("platform", 2, ("Developer Tools Engineer", "Build Engineer")),
    "Payments": ("product", 4, ("Backend Engineer", "Frontend Engineer")),
    "Mobile": ("product", 3, ("iOS Engineer", "Android Engineer")),
    "Customer Portal": ("product", 4, ("Frontend Engineer", "Full-Stack Engineer")),
    "Identity & Access": ("product", 2, ("Backend Engineer", "Security Engineer")),
    "Data": ("data", 3, ("Data Engineer", "Analytics Engineer", "Data Scientist")),
    LATE_TEAM: ("data", 2, ("Machine Learning Engineer", "Data Scientist")),
    "QA Automation": ("data", 2, ("QA Automation Engineer", "Software Engineer in Test")),
}
ENGINEERING_ROLES = frozenset(role for _, _, roles in TEAMS.values() for role in roles)
ENABLEMENT_STAFF = (("Technical Trainer", "L4"), ("Learning Experience Designer", "L3"))

LADDER = ("L1", "L2", "L3", "L4", "L5", "L6")
LADDER_TITLES = {
    "L1": "Junior {}",
    "L2": "{}",
    "L3": "Senior {}",
    "L4": "Lead {}",
    "L5": "Staff {}",
    "L6": "Principal {}",
}
START_LEVEL_WEIGHTS = (8, 22, 32, 22, 11, 5)
HIRE_LEVEL_WEIGHTS = (15, 30, 30, 18, 6, 1)
SALARY_BANDS = {
    "L1": (46_000, 54_000),
    "L2": (55_000, 66_000),
    "L3": (68_000, 82_000),
    "L4": (84_000, 98_000),
    "L5": (100_000, 115_000),
    "L6": (116_000, 135_000),
    "M1": (98_000, 118_000),
    "M2": (120_000, 140_000),
    "M3": (145_000, 170_000),
    "M4": (195_000, 215_000),
}
# Learning staff are paid below engineers at the same level.
NON_ENGINEERING_PAY = 0.82

TIME_ZONES = (
    ("Europe/Berlin", 76),
    ("Europe/Lisbon", 10),
    ("Europe/London", 7),
    ("America/New_York", 7),
)
LEAVE_RATE_PER_YEAR = 0.13
VOLUNTARY_SHARE = 0.7
BACKFILL_SHARE = 0.75
TEAM_MOVE_RATE_PER_YEAR = 0.05
SQUAD_MOVE_RATE_PER_YEAR = 0.04
GROWTH_HIRES = 70
SQUAD_MAX = 11
TOP_PERFORMER_SHARE = 0.10
# (mean, most) years in the company when the history starts, by level. The founding
# CTO has 9; each cap leaves room for the manager above to have joined earlier.
CORE_TENURE_YEARS = {
    "M3": (6, 8),
    "M2": (5, 7),
    "M1": (4, 6),
    "L6": (4.5, 5.5),
    "L5": (3.5, 5.5),
    "L": (2.5, 5.5),
}

FIRST_NAMES = (
    "Aylin",
    "Ahmed",
    "Aisha",
    "Amara",
    "Anna",
    "Anton",
    "Beatriz",
    "Ben",
    "Carlos",
    "Chen",
    "Daniel",
    "David",
    "Diego",
    "Elena",
    "Elif",
    "Emma",
    "Emre",
    "Fatima",
    "Felix",
    "Finn",
    "Greta",
    "Hannah",
    "Henrik",
    "Hugo",
    "Ida",
    "Ines",
    "Ivan",
    "Jakob",
    "Jan",
    "Johanna",
    "Jonas",
    "Jule",
    "Julia",
    "Kai",
    "Karim",
    "Kenji",
    "Laura",
    "Leila",
    "Leon",
    "Lina",
    "Lotte",
    "Lucas",
    "Maja",
    "Marek",
    "Marta",
    "Mateo",
    "Mehmet",
    "Mia",
    "Mila",
    "Moritz",
    "Niklas",
    "Nils",
    "Nina",
    "Noah",
    "Nora",
    "Olga",
    "Omar",
    "Oskar",
    "Paul",
    "Pedro",
    "Priya",
    "Rafael",
    "Ravi",
    "Rosa",
    "Sara",
    "Selin",
    "Sofia",
    "Sven",
    "Tariq",
    "Theo",
    "Tim",
    "Tobias",
    "Vera",
    "Wei",
    "Yara",
    "Zoe",
)
LAST_NAMES = (
    "Andersson",
    "Becker",
    "Braun",
    "Brooks",
    "Costa",
    "de Vries",
    "Demir",
    "Dubois",
    "Ferreira",
    "Fischer",
    "García",
    "Haddad",
    "Hartmann",
    "Horváth",
    "Jansen",
    "Kaya",
    "Kim",
    "Klein",
    "Koch",
    "Köhler",
    "Kowalski",
    "Krause",
    "Krüger",
    "Lange",
    "Lehmann",
    "Lindqvist",
    "Martínez",
    "Meyer",
    "Müller",
    "Murphy",
    "Neumann",
    "Nguyen",
    "Nielsen",
    "Novak",
    "Nowak",
    "O'Brien",
    "Okafor",
    "Patel",
    "Petrov",
    "Popescu",
    "Richter",
    "Rossi",
    "Santos",
    "Schmidt",
    "Schneider",
    "Schwarz",
    "Silva",
    "Singh",
    "Smith",
    "Tanaka",
    "Walker",
    "Weber",
    "Werner",
    "Wolf",
    "Yilmaz",
    "Zimmermann",
)


# --- The simulation -------------------------------------------------------------


@dataclass(eq=False)
class _Unit:
    """A management position: whoever holds it manages the people placed in it."""

    team: str
    level: str
    title: str
    parent: "_Unit | None"
    roles: tuple[str, ...] = ()
    is_squad: bool = False
    is_team_lead: bool = False
    holder: "_Person | None" = None


@dataclass(eq=False)
class _Person:
    seq: int
    full_name: str
    email: str
    time_zone: str
    role: str
    level: str
    job_title: str
    salary: Decimal
    hire_date: datetime.date
    group: _Unit | None = None  # the unit this person reports into, unless holding one
    holds: _Unit | None = None
    is_top_performer: bool = False
    protected: bool = False  # demo logins and the leadership never leave or move
    login: str = ""
    termination_date: datetime.date | None = None
    termination_reason: str = ""
    last_promoted: datetime.date | None = None
    last: dict | None = None  # the state in this person's latest record
    employee_id: str = ""
    pk: int | None = None


@dataclass
class _Record:
    person: _Person
    effective_date: datetime.date
    event: str
    changed_fields: list[str]
    state: dict
    termination_reason: str = ""


def _ascii(text: str) -> str:
    text = text.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum())


def _title(role: str, level: str) -> str:
    if role in ENGINEERING_ROLES and level in LADDER_TITLES:
        return LADDER_TITLES[level].format(role)
    return role


def _round_salary(amount: float, step: int = 500) -> Decimal:
    return Decimal(round(amount / step) * step)


class _AcmeHistory:
    """Simulates the department day by day, from two years ago up to `today`."""

    def __init__(self, *, today: datetime.date, seed: int = SEED):
        self.rng = random.Random(seed)
        self.today = today
        self.start = today - datetime.timedelta(days=HISTORY_DAYS)
        self.split_day = today - datetime.timedelta(days=ORG_SPLIT_DAYS_AGO)
        self.people: list[_Person] = []
        self.active: list[_Person] = []
        self.units: list[_Unit] = []
        self.late_squads: list[_Unit] = []
        self.team_leads: dict[str, _Unit] = {}
        self.records: list[_Record] = []
        self.scheduled: dict[datetime.date, list[Callable[[datetime.date], None]]] = {}
        self.leaving_today: list[_Person] = []
        self.dirty = False
        self.used_names = {login.full_name for login in DEMO_LOGINS}
        self.used_emails = {login.email for login in DEMO_LOGINS}

    # State and records

    def reports_to(self, person: _Person) -> _Unit | None:
        return person.holds.parent if person.holds else person.group

    def manager_of(self, person: _Person) -> _Person | None:
        unit = self.reports_to(person)
        while unit is not None and unit.holder is None:
            unit = unit.parent  # an open position: the next manager up stands in
        return unit.holder if unit else None

    def state_of(self, person: _Person) -> dict:
        team = person.holds.team if person.holds else person.group.team
        return {
            "team": team,
            "manager": self.manager_of(person),
            "job_title": person.job_title,
            "level": person.level,
            "annual_salary": person.salary,
            "is_top_performer": person.is_top_performer,
        }

    def record(self, person: _Person, day: datetime.date, event: str, changed: list[str]):
        if event == RecordEvent.TERMINATION:
            state, reason = person.last, person.termination_reason
        else:
            state, reason = self.state_of(person), ""
        self.records.append(_Record(person, day, event, changed, state, reason))
        person.last = state

    # People

    def new_name(self) -> tuple[str, str]:
        while True:
            first = self.rng.choice(FIRST_NAMES)
            last = self.rng.choice(LAST_NAMES)
            full_name = f"{first} {last}"
            email = f"{_ascii(first)}.{_ascii(last)}@acme.example"
            if full_name not in self.used_names and email not in self.used_emails:
                self.used_names.add(full_name)
                self.used_emails.add(email)
                return full_name, email

    def salary_for(self, role: str, level: str) -> Decimal:
        low, high = SALARY_BANDS[level]
        amount = self.rng.uniform(low, high)
        if role not in ENGINEERING_ROLES and level.startswith("L"):
            amount *= NON_ENGINEERING_PAY
        return _round_salary(amount)

    def add_person(
        self,
        *,
        hire_date: datetime.date,
        role: str,
        level: str,
        group: _Unit | None = None,
        holds: _Unit | None = None,
        login: str = "",
        protected: bool = False,
    ) -> _Person:
        if login:
            full_name, email = _LOGIN[login].full_name, _LOGIN[login].email
            time_zone = "Europe/Berlin"
        else:
            full_name, email = self.new_name()
            zones, weights = zip(*TIME_ZONES, strict=True)
            time_zone = self.rng.choices(zones, weights)[0]
        title = holds.title if holds else _title(role, level)
        person = _Person(
            seq=len(self.people),
            full_name=full_name,
            email=email,
            time_zone=time_zone,
            role=role,
            level=level,
            job_title=title,
            salary=self.salary_for(role, level),
            hire_date=hire_date,
            group=group,
            holds=holds,
            login=login,
            protected=protected or bool(login),
        )
        if holds is not None:
            holds.holder = person
        self.people.append(person)
        self.active.append(person)
        self.dirty = True
        return person

    def hire_engineer(self, group: _Unit, day: datetime.date, *, role="", level="") -> _Person:
        level = level or self.rng.choices(LADDER, HIRE_LEVEL_WEIGHTS)[0]
        role = role or self.rng.choice(group.roles)
        return self.add_person(hire_date=day, role=role, level=level, group=group)

    def hire_manager(self, unit: _Unit, day: datetime.date) -> _Person:
        return self.add_person(hire_date=day, role=unit.title, level=unit.level, holds=unit)

    def members(self, unit: _Unit) -> list[_Person]:
        return [p for p in self.active if p.holds is None and p.group is unit]

    def schedule(self, day: datetime.date, action: Callable[[datetime.date], None]) -> None:
        if day <= self.today:
            self.scheduled.setdefault(day, []).append(action)

    # The department as it stood two years ago

    def tenure_draw(self, level: str) -> datetime.date:
        mean, cap = CORE_TENURE_YEARS.get(level, CORE_TENURE_YEARS["L"])
        years = self.rng.expovariate(1 / mean)
        if years > cap:
            years = self.rng.uniform(0, cap)
        return self.start - datetime.timedelta(days=30 + int(years * 365))

    def settle_core_hire_dates(self) -> None:
        """Moves each manager's hire date before everyone reporting to them, bottom up,
        so the reporting lines of the years before the history starts stay valid."""
        for unit in reversed(self.units):
            reports = [p for p in self.people if self.reports_to(p) is unit]
            if unit.holder is not None and reports:
                earliest = min(p.hire_date for p in reports)
                earliest -= datetime.timedelta(days=self.rng.randint(7, 90))
                unit.holder.hire_date = min(unit.holder.hire_date, earliest)

    def build_start(self) -> None:
        founded = self.start - datetime.timedelta(days=9 * 365)
        cto_unit = self.unit(LEADERSHIP, "M4", "Chief Technology Officer", None)
        self.add_person(
            hire_date=founded, role=cto_unit.title, level="M4", holds=cto_unit, login="exec"
        )
        self.team_leads[LEADERSHIP] = cto_unit

        enablement = self.unit(ENABLEMENT, "M1", "Learning & Development Manager", cto_unit)
        self.team_leads[ENABLEMENT] = enablement
        self.add_core(role=enablement.title, level="M1", holds=enablement, login="lnd")
        self.add_core(role="Leadership Coach", level="L5", group=enablement, login="coach")
        for role, level in ENABLEMENT_STAFF:
            self.add_core(role=role, level=level, group=enablement)

        directors = {}
        for key, title in DIRECTORS.items():
            directors[key] = self.unit(LEADERSHIP, "M3", title, cto_unit)
            self.add_core(role=title, level="M3", holds=directors[key], protected=True)

        for team, (director, squads, roles) in TEAMS.items():
            if team == LATE_TEAM:
                lead_unit = self.team_leads["Data"]
            else:
                lead_unit = self.unit(team, "M2", f"Head of {team}", directors[director])
                lead_unit.is_team_lead = True
                self.team_leads[team] = lead_unit
                # The demo line manager heads the learner's department.
                login = "manager" if team == "Payments" else ""
                self.add_core(role=lead_unit.title, level="M2", holds=lead_unit, login=login)
                for _ in range(self.rng.choice((1, 1, 2))):
                    self.add_core(
                        role=self.rng.choice(roles),
                        level=self.rng.choice(("L5", "L5", "L6")),
                        group=lead_unit,
                    )
            for index in range(squads):
                squad = self.unit(lead_unit.team, "M1", "Engineering Manager", lead_unit, roles)
                squad.is_squad = True
                if team == LATE_TEAM:
                    self.late_squads.append(squad)
                # The demo learner is an engineering manager with a squad of eight.
                demo_squad = team == "Payments" and index == 0
                login = "learner" if demo_squad else ""
                self.add_core(role=squad.title, level="M1", holds=squad, login=login)
                size = 8 if demo_squad else self.rng.randint(6, 9)
                for _ in range(size):
                    self.add_core(
                        role=self.rng.choice(roles),
                        level=self.rng.choices(LADDER, START_LEVEL_WEIGHTS)[0],
                        group=squad,
                    )

        self.settle_core_hire_dates()
        eligible = [p for p in self.people if p.level not in ("M3", "M4")]
        for person in self.rng.sample(eligible, round(TOP_PERFORMER_SHARE * len(eligible))):
            person.is_top_performer = True
        for person in sorted(self.people, key=lambda p: (p.hire_date, p.seq)):
            self.record(person, person.hire_date, RecordEvent.HIRE, [])
        self.dirty = False

    def unit(self, team, level, title, parent, roles=()) -> _Unit:
        unit = _Unit(team=team, level=level, title=title, parent=parent, roles=roles)
        self.units.append(unit)
        return unit

    def add_core(self, *, role: str, level: str, **placement) -> _Person:
        """Someone already on the roster when the history starts."""
        return self.add_person(
            hire_date=self.tenure_draw(level), role=role, level=level, **placement
        )

    # Events

    def terminate(self, person: _Person, day: datetime.date) -> None:
        person.termination_date = day
        person.termination_reason = (
            TerminationReason.VOLUNTARY
            if self.rng.random() < VOLUNTARY_SHARE
            else TerminationReason.INVOLUNTARY
        )
        self.active.remove(person)
        self.leaving_today.append(person)
        self.dirty = True
        if person.holds is not None:
            unit, person.holds.holder = person.holds, None
            self.fill_vacancy(unit, day)
        elif self.rng.random() < BACKFILL_SHARE:
            level = person.level
            if person.role in ENGINEERING_ROLES:
                index = LADDER.index(level) + self.rng.choice((-1, 0, 0, 1))
                level = LADDER[min(max(index, 0), len(LADDER) - 1)]
            when = day + datetime.timedelta(days=self.rng.randint(35, 120))
            self.schedule(
                when,
                functools.partial(
                    self.hire_engineer_on, group=person.group, role=person.role, level=level
                ),
            )

    def hire_engineer_on(self, day: datetime.date, *, group: _Unit, role: str, level: str):
        self.hire_engineer(group, day, role=role, level=level)

    def fill_vacancy(self, unit: _Unit, day: datetime.date) -> None:
        """An open position: promote from within, or hire someone a few weeks later."""
        if unit.is_team_lead:
            # A team is never without its lead: one of its engineering managers steps up.
            candidates = [
                u.holder
                for u in self.units
                if u.parent is unit and u.holder is not None and not u.holder.protected
            ]
            if candidates:
                person = self.rng.choice(candidates)
                vacated = person.holds
                self.promote_into(person, unit, day)
                self.fill_vacancy(vacated, day)
            else:
                self.hire_manager(unit, day)
            return
        seniors = [
            p
            for p in self.members(unit)
            if p.level in ("L5", "L6") and p.role in ENGINEERING_ROLES and not p.protected
        ]
        if seniors and self.rng.random() < 0.4:
            self.promote_into(self.rng.choice(seniors), unit, day)
            return
        when = day + datetime.timedelta(days=self.rng.randint(30, 100))
        self.schedule(when, functools.partial(self.backfill_manager, unit=unit))

    def backfill_manager(self, day: datetime.date, *, unit: _Unit) -> None:
        if unit.holder is None:
            self.hire_manager(unit, day)

    def promote_into(self, person: _Person, unit: _Unit, day: datetime.date) -> None:
        if person.holds is not None:
            person.holds.holder = None
        person.holds, person.group, unit.holder = unit, None, person
        person.role, person.level, person.job_title = unit.title, unit.level, unit.title
        raised = float(person.salary) * self.rng.uniform(1.08, 1.12)
        person.salary = max(_round_salary(raised), Decimal(SALARY_BANDS[unit.level][0]))
        person.last_promoted = day
        self.dirty = True

    def move(self, person: _Person, squad: _Unit) -> None:
        person.group = squad
        if person.role not in squad.roles:
            person.role = self.rng.choice(squad.roles)
            person.job_title = _title(person.role, person.level)
        self.dirty = True

    def split_late_team(self, day: datetime.date) -> None:
        """Machine Learning leaves Data to become its own team, with its own head."""
        team, (director, _, roles) = LATE_TEAM, TEAMS[LATE_TEAM]
        director_unit = next(u for u in self.units if u.title == DIRECTORS[director])
        lead_unit = self.unit(team, "M2", f"Head of {team}", director_unit, roles)
        lead_unit.is_team_lead = True
        self.team_leads[team] = lead_unit
        for squad in self.late_squads:
            squad.team, squad.parent = team, lead_unit
        self.fill_vacancy(lead_unit, day)
        self.dirty = True

    def review_cycle(self, day: datetime.date) -> None:
        """Promotions and top performers every April and October; pay rises every April."""
        promoted = set()
        for person in self.active:
            eligible = (
                person.holds is None
                and person.role in ENGINEERING_ROLES
                and person.level != LADDER[-1]
                and (day - (person.last_promoted or person.hire_date)).days >= 365
            )
            chance = 0.35 if person.is_top_performer else 0.13
            if eligible and self.rng.random() < chance:
                person.level = LADDER[LADDER.index(person.level) + 1]
                person.job_title = _title(person.role, person.level)
                raised = float(person.salary) * self.rng.uniform(1.08, 1.14)
                floor = Decimal(SALARY_BANDS[person.level][0])
                person.salary = max(_round_salary(raised), floor)
                person.last_promoted = day
                promoted.add(person.seq)
        if day.month == 4:
            for person in self.active:
                if person.seq not in promoted and (day - person.hire_date).days >= 180:
                    raised = float(person.salary) * self.rng.uniform(1.015, 1.045)
                    person.salary = _round_salary(raised, 100)
        # April re-rates everyone; October only tops the group up after leavers.
        keep = 0.6 if day.month == 4 else 1.0
        eligible = [p for p in self.active if p.level not in ("M3", "M4")]
        kept = [p for p in eligible if p.is_top_performer and self.rng.random() < keep]
        others = [p for p in eligible if not p.is_top_performer]
        wanted = max(round(TOP_PERFORMER_SHARE * len(eligible)) - len(kept), 0)
        chosen = {p.seq for p in kept + self.rng.sample(others, min(wanted, len(others)))}
        for person in eligible:
            person.is_top_performer = person.seq in chosen
        self.dirty = True

    def random_events(self, day: datetime.date) -> None:
        leave = 1 - (1 - LEAVE_RATE_PER_YEAR) ** (1 / 365)
        team_move = TEAM_MOVE_RATE_PER_YEAR / 365
        squad_move = SQUAD_MOVE_RATE_PER_YEAR / 365
        squads = [u for u in self.units if u.is_squad]
        for person in list(self.active):
            if person.protected or (day - person.hire_date).days < 90:
                continue
            roll = self.rng.random()
            if roll < leave:
                self.terminate(person, day)
            elif person.holds is None and person.group.is_squad and roll < leave + team_move:
                others = [s for s in squads if s.team != person.group.team]
                self.move(person, self.rng.choice(others))
            elif (
                person.holds is None
                and person.group.is_squad
                and roll < leave + team_move + squad_move
            ):
                others = [
                    s for s in squads if s.team == person.group.team and s is not person.group
                ]
                if others:
                    self.move(person, self.rng.choice(others))
        if self.rng.random() < GROWTH_HIRES / HISTORY_DAYS:
            sizes = sorted(
                ((len(self.members(s)), self.rng.random(), i) for i, s in enumerate(squads)),
            )
            size, _, index = sizes[self.rng.randrange(min(5, len(sizes)))]
            if size < SQUAD_MAX:
                self.hire_engineer(squads[index], day)

    def close_day(self, day: datetime.date) -> None:
        """Writes the day's records: hires, then changes (with their fields), then leavers."""
        if self.dirty:
            for person in self.active:
                if person.last is None:
                    self.record(person, day, RecordEvent.HIRE, [])
                    continue
                state = self.state_of(person)
                changed = [f for f in TRACKED_FIELDS if state[f] != person.last[f]]
                if changed:
                    self.record(person, day, RecordEvent.CHANGE, changed)
        for person in self.leaving_today:
            self.record(person, day, RecordEvent.TERMINATION, ["termination"])
        self.leaving_today = []
        self.dirty = False

    def run(self) -> "_AcmeHistory":
        self.build_start()
        day = self.start
        while day < self.today:
            day += datetime.timedelta(days=1)
            for action in self.scheduled.pop(day, []):
                action(day)
            if day == self.split_day:
                self.split_late_team(day)
            if day.day == 1 and day.month in (4, 10):
                self.review_cycle(day)
            self.random_events(day)
            self.close_day(day)
        for number, person in enumerate(
            sorted(self.people, key=lambda p: (p.hire_date, p.seq)), start=1001
        ):
            person.employee_id = f"E{number}"
        return self


# --- Writing it -------------------------------------------------------------------


def _logins_ensure(organization: Organization) -> dict[str, User]:
    """Makes every demo login exist, active, with the demo password and its roles."""
    users = {}
    for login in DEMO_LOGINS:
        user, _ = services.user_get_or_create(email=login.email, full_name=login.full_name)
        user.full_name = user.full_name or login.full_name
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        if login.is_admin:
            user.is_staff = user.is_superuser = True
        user.save(update_fields=["full_name", "password", "is_active", "is_staff", "is_superuser"])
        for role in login.roles:
            Membership.objects.get_or_create(organization=organization, user=user, role=role)
        users[login.email] = user
    return users


def _roster_write(
    organization: Organization, history: _AcmeHistory, users: dict[str, User]
) -> None:
    names = [LEADERSHIP, ENABLEMENT, *TEAMS]
    Team.objects.bulk_create(Team(organization=organization, name=name) for name in names)
    teams = {team.name: team for team in Team.objects.filter(organization=organization)}

    people = sorted(history.people, key=lambda p: p.employee_id)
    employees = []
    for person in people:
        state = person.last
        login = _LOGIN.get(person.login)
        employees.append(
            Employee(
                organization=organization,
                user=users[login.email] if login else None,
                employee_id=person.employee_id,
                full_name=person.full_name,
                email=person.email,
                team=teams[state["team"]],
                job_title=state["job_title"],
                level=state["level"],
                hire_date=person.hire_date,
                termination_date=person.termination_date,
                termination_reason=person.termination_reason,
                annual_salary=state["annual_salary"],
                is_top_performer=state["is_top_performer"],
                time_zone=person.time_zone,
            )
        )
    Employee.objects.bulk_create(employees, batch_size=500)
    # Re-read the ids rather than trust every backend to return them from bulk_create.
    pks = dict(Employee.objects.filter(organization=organization).values_list("employee_id", "pk"))
    for person, employee in zip(people, employees, strict=True):
        person.pk = employee.pk = pks[person.employee_id]
    # Managers are set in a second pass: their ids only exist after the insert above.
    for person, employee in zip(people, employees, strict=True):
        manager = person.last["manager"]
        employee.manager_id = manager.pk if manager else None
    Employee.objects.bulk_update(employees, ["manager"], batch_size=500)

    for name, unit in history.team_leads.items():
        teams[name].lead_id = unit.holder.pk
    Team.objects.bulk_update(teams.values(), ["lead"])

    EmployeeRecord.objects.bulk_create(
        (
            EmployeeRecord(
                organization=organization,
                employee_id=rec.person.pk,
                effective_date=rec.effective_date,
                event=rec.event,
                changed_fields=rec.changed_fields,
                is_employed=rec.event != RecordEvent.TERMINATION,
                team_id=teams[rec.state["team"]].pk,
                manager_id=rec.state["manager"].pk if rec.state["manager"] else None,
                job_title=rec.state["job_title"],
                level=rec.state["level"],
                annual_salary=rec.state["annual_salary"],
                is_top_performer=rec.state["is_top_performer"],
                termination_reason=rec.termination_reason,
                source="demo",
            )
            for rec in history.records
        ),
        batch_size=1000,
    )


def _counts(organization: Organization) -> dict:
    today = timezone.localdate()
    employees = Employee.objects.filter(organization=organization)
    return {
        "employees": employees.count(),
        "active": employees.filter(
            Q(termination_date__isnull=True) | Q(termination_date__gt=today)
        ).count(),
        "teams": Team.objects.filter(organization=organization).count(),
        "records": EmployeeRecord.objects.filter(organization=organization).count(),
    }


def demo_load(*, stdout: TextIO | None = None) -> dict:
    """Creates the demo organisation Acme Software with its roster and demo logins.

    Idempotent: when the organisation already exists nothing is added; the demo
    logins are only made usable again (password, active, roles). Returns counts of
    employees, active employees, teams and history records, plus `created`.
    """

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    existing = Organization.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        with transaction.atomic():
            users = _logins_ensure(existing)
            for login in DEMO_LOGINS:
                Employee.objects.filter(
                    organization=existing, email=login.email, user__isnull=True
                ).update(user=users[login.email])
        say(f"{existing.name} already exists; the demo logins are ready.")
        return {**_counts(existing), "created": False}

    history = _AcmeHistory(today=timezone.localdate()).run()
    with transaction.atomic():
        organization, _ = services.organization_create(
            name=DEMO_NAME,
            slug=DEMO_SLUG,
            time_zone="Europe/Berlin",
            currency="EUR",
            lnd_manager_email=_LOGIN["lnd"].email,
            lnd_manager_name=_LOGIN["lnd"].full_name,
            send_invitation=False,
        )
        users = _logins_ensure(organization)
        _roster_write(organization, history, users)
        counts = _counts(organization)
        audit_log(
            organization=organization,
            actor=None,
            action="roster.demo_loaded",
            target=organization.slug,
            detail=counts,
        )
    say(
        f"Created {organization.name}: {counts['employees']} people "
        f"({counts['active']} active) in {counts['teams']} teams, "
        f"{counts['records']} history records."
    )
    return {**counts, "created": True}


# --- Demo loaders of the other apps ---------------------------------------------------
# Each app registers what it adds to the demo organisation in AppConfig.ready(); load_demo
# runs people's roster first, then the loaders floor by floor, so people never imports a
# higher app and each app's demo builds on the floors below it.


@dataclass(frozen=True)
class DemoLoader:
    name: str
    floor: int
    # Adds the app's part to the demo organisation; returns a line saying what it created,
    # or "" when there was nothing new (every loader is idempotent).
    load: Callable[[Organization], str]


DEMO_LOADERS: list[DemoLoader] = []


def register_demo_loader(*, name: str, floor: int, load: Callable[[Organization], str]) -> None:
    if any(loader.name == name for loader in DEMO_LOADERS):
        return
    DEMO_LOADERS.append(DemoLoader(name, floor, load))
    DEMO_LOADERS.sort(key=lambda loader: (loader.floor, loader.name))


def demo_load_all(*, stdout: TextIO | None = None) -> list[str]:
    """The whole demo: the roster, then every registered loader in floor order. Returns
    the lines saying what was created (empty when everything already existed)."""
    demo_load(stdout=stdout)
    organization = Organization.objects.get(slug=DEMO_SLUG)
    lines = []
    for loader in DEMO_LOADERS:
        line = loader.load(organization)
        if line:
            lines.append(line)
    return lines
