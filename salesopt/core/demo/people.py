"""Who works at the demo company: usernames, names, teams, hire dates and how busy each rep is.

Reps are numbered 0 … n-1 in every generated column ("owner", "rep"); the writers map those
numbers to user ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from salesopt.core.models import Role

from .catalog import GIVEN_NAMES, SURNAMES, TEAMS
from .timeline import Timeline

# The overloaded reps get this many times a colleague's leads, so that the busiest fifth of
# the reps carries close to half of the work.
OVERLOADED_WEIGHT = 3.2
# New reps win their first deal this many days (± a few) after their hire date.
RAMP_UP_DAYS = 60
NEW_HIRE_DAYS_BEFORE_END = (178, 160, 142, 124, 106, 88, 66, 45)


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    display_name: str
    team: int | None
    hire_date: dt.date | None


@dataclass(frozen=True)
class Staff:
    people: tuple[Person, ...]
    team: np.ndarray
    hire_day: np.ndarray
    is_new: np.ndarray
    ramp_days: np.ndarray
    weight: np.ndarray

    @property
    def rep_count(self) -> int:
        return int(self.team.size)

    def members(self, team: int) -> np.ndarray:
        return np.flatnonzero(self.team == team)


def rep_username(rep: int) -> str:
    return f"demo.rep.{rep + 1:02d}"


def lead_username(team_code: str) -> str:
    return f"demo.lead.{team_code}"


def plan_staff(rng: np.random.Generator, timeline: Timeline) -> Staff:
    """The reps (new hires last in each team) and everyone else, deterministic for `rng`."""
    team = np.repeat(np.arange(len(TEAMS)), [spec.reps for spec in TEAMS])
    is_new = np.zeros(team.size, dtype=bool)
    weight = np.ones(team.size)
    for number, spec in enumerate(TEAMS):
        members = np.flatnonzero(team == number)
        is_new[members[-spec.new_hires :]] = True
        busy = rng.choice(members[: -spec.new_hires], size=spec.overloaded, replace=False)
        weight[busy] = OVERLOADED_WEIGHT
    hire_day = _hire_days(rng, timeline, is_new)
    ramp_days = np.where(is_new, RAMP_UP_DAYS + rng.integers(-5, 6, team.size), 0)
    names = _display_names(rng, team.size + len(TEAMS) + 3)
    people = _people(timeline, team, hire_day, names)
    return Staff(people, team, hire_day, is_new, ramp_days, weight)


def _hire_days(rng: np.random.Generator, timeline: Timeline, is_new: np.ndarray) -> np.ndarray:
    established = timeline.day_number(timeline.start) - rng.integers(150, 2000, is_new.size)
    offsets = rng.permutation(np.array(NEW_HIRE_DAYS_BEFORE_END[: int(is_new.sum())]))
    offsets = offsets + rng.integers(-3, 4, offsets.size)
    hire_day = established.copy()
    hire_day[is_new] = timeline.day_number(timeline.full_end) - offsets
    return hire_day


def _display_names(rng: np.random.Generator, count: int) -> list[str]:
    picks = rng.choice(len(SURNAMES) * len(GIVEN_NAMES), size=count, replace=False)
    return [
        SURNAMES[pick // len(GIVEN_NAMES)] + GIVEN_NAMES[pick % len(GIVEN_NAMES)] for pick in picks
    ]


def _people(
    timeline: Timeline, team: np.ndarray, hire_day: np.ndarray, names: list[str]
) -> tuple[Person, ...]:
    def day(number: int) -> dt.date:
        return timeline.origin + dt.timedelta(days=int(number))

    reps = [
        Person(rep_username(rep), Role.SALES_REP, names[rep], int(team[rep]), day(hire_day[rep]))
        for rep in range(team.size)
    ]
    leads_hired = timeline.start - dt.timedelta(days=1500)
    leads = [
        Person(lead_username(spec.code), Role.TEAM_LEAD, names[team.size + n], n, leads_hired)
        for n, spec in enumerate(TEAMS)
    ]
    others = names[team.size + len(TEAMS) :]
    managers = [
        Person("demo.admin", Role.ADMIN, others[2], None, None),
        Person("demo.manager", Role.SALES_MANAGER, others[0], None, leads_hired),
        Person("demo.exec", Role.EXECUTIVE, others[1], None, None),
    ]
    return (*managers, *leads, *reps)
