"""The few dozen org rows, through the ORM: regions, product lines, teams, users, the program.

Each row is matched on its natural key and saved only when a value differs, so a second run
leaves them untouched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db.models import Model

from salesopt.core.models import (
    ProductLine,
    Profile,
    Program,
    ProgramStatus,
    Region,
    Role,
    Team,
    TeamKind,
)
from salesopt.core.periods import Quarter, add_months

from .catalog import BASELINE_MONTHS, PRODUCT_LINES, REGIONS, SOURCE, TEAMS
from .people import Person, Staff, lead_username, rep_username
from .timeline import Timeline

DEMO_PASSWORD = "salesopt-demo"  # noqa: S105 - the documented password of the demo accounts
PROGRAM_DESCRIPTION = (
    "以过去 12 个月的 CRM 数据为基线，诊断线索跟进、大客户成交周期、新人上手、"
    "产品线目标达成与人员负荷等问题，再据此设计并落地改进方案。"
)


@dataclass(frozen=True)
class Organisation:
    lookups: dict[str, np.ndarray]
    users: dict[str, Any]


def ensure_organisation(staff: Staff) -> Organisation:
    """Regions, product lines, teams with their leads, and every demo user with a profile."""
    regions = [_upsert(Region, {"code": r.code}, {"name": r.name}) for r in REGIONS]
    lines = [_upsert(ProductLine, {"code": p.code}, {"name": p.name}) for p in PRODUCT_LINES]
    teams = [
        _upsert(
            Team,
            {"name": spec.name},
            {
                "kind": TeamKind.REGION if spec.region else TeamKind.PRODUCT_LINE,
                "region": regions[_position(REGIONS, spec.region)] if spec.region else None,
                "product_line": lines[_position(PRODUCT_LINES, spec.product_line)]
                if spec.product_line
                else None,
            },
        )
        for spec in TEAMS
    ]
    users = _ensure_users(staff.people, teams)
    for team, spec in zip(teams, TEAMS, strict=True):
        _upsert(Team, {"pk": team.pk}, {"lead": users[lead_username(spec.code)]})
    lookups = {
        "region": np.array([region.pk for region in regions]),
        "product_line": np.array([line.pk for line in lines]),
        "team": np.array([team.pk for team in teams]),
        "rep": np.array([users[rep_username(rep)].pk for rep in range(staff.rep_count)]),
    }
    return Organisation(lookups, users)


def ensure_program(timeline: Timeline, organisation: Organisation) -> Program:
    """The sample program: diagnosis of the 12 complete months before its execution starts
    (the end month, or a month earlier when the end month is not four weeks old)."""
    quarter = Quarter.containing(timeline.end_month)
    return _upsert(
        Program,
        {"name": f"{quarter.year} Q{quarter.number} 销售管理升级"},
        {
            "sponsor": organisation.users["demo.exec"],
            "manager": organisation.users["demo.manager"],
            "baseline_start": add_months(timeline.execution_start, -BASELINE_MONTHS),
            "baseline_end": timeline.execution_start - dt.timedelta(days=1),
            "execution_start": None,
            "status": ProgramStatus.DIAGNOSIS,
            "description": PROGRAM_DESCRIPTION,
        },
    )


def _position(specs: tuple, code: str) -> int:
    return [spec.code for spec in specs].index(code)


def _ensure_users(people: tuple[Person, ...], teams: list[Team]) -> dict[str, Any]:
    users = {}
    for person in people:
        is_admin = person.role == Role.ADMIN
        user = _upsert(
            get_user_model(),
            {"username": person.username},
            {
                "last_name": person.display_name[0],
                "first_name": person.display_name[1:],
                "email": f"{person.username}@demo.salesopt.example",
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
        _upsert(
            Profile,
            {"user": user},
            {
                "role": person.role,
                "team": teams[person.team] if person.team is not None else None,
                "hire_date": person.hire_date,
                "display_name": person.display_name,
                "source": SOURCE,
                "external_id": person.username,
            },
        )
        users[person.username] = user
    _set_demo_password(list(users.values()))
    return users


def _set_demo_password(users: list[Any]) -> None:
    """Give every account the demo password, hashing it once: PBKDF2 costs ~0.3 s a hash."""
    # A new account's empty hash is skipped: checking it would still run the hasher once.
    verified = {
        encoded: bool(encoded) and check_password(DEMO_PASSWORD, encoded)
        for encoded in {user.password for user in users}
    }
    stale = [user for user in users if not verified[user.password]]
    if not stale:
        return
    encoded = make_password(DEMO_PASSWORD)
    for user in stale:
        user.password = encoded
    get_user_model().objects.bulk_update(stale, ["password"])


def _upsert(model: type[Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """get_or_create by the natural key, then save only the fields whose value changed."""
    instance, _ = model._default_manager.get_or_create(**lookup, defaults=values)
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        stamps = ["updated_at"] if any(f.name == "updated_at" for f in model._meta.fields) else []
        instance.save(update_fields=[*changed, *stamps])
    return instance
