"""Resolve the names in a file to the rows they mean: regions, product lines, teams, owners.

These tables are small (tens to thousands of rows), so they are loaded once into dictionaries and
each column is resolved with one vectorised `map`. Records that can number in the millions
(leads, customers, opportunities) are resolved by a join in the database instead
(writers/staging.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from salesopt.core.models import ProductLine, Profile, Region, Role, Team

from .coercers.base import factorized_text
from .schema import Reference

SMALL_REFERENCES = (Reference.REGION, Reference.PRODUCT_LINE, Reference.TEAM, Reference.USER)
_AMBIGUOUS = -1
_NO_NAME = -2  # a blank cell: no reference, and no problem either
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise(values: pd.Series) -> pd.Series:
    """The key a name is matched on: trimmed, inner spaces collapsed, case folded."""
    text = values.fillna("").astype("str")
    return text.str.strip().str.replace(r"\s+", " ", regex=True).str.casefold()


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass
class ReferenceLookups:
    """Name → id dictionaries for the small references, loaded once per import."""

    ids: dict[Reference, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> ReferenceLookups:
        lookups = cls()
        lookups.ids[Reference.REGION] = _named_ids(Region.objects.values_list("id", "name", "code"))
        lookups.ids[Reference.PRODUCT_LINE] = _named_ids(
            ProductLine.objects.values_list("id", "name", "code")
        )
        lookups.ids[Reference.TEAM] = _named_ids(
            (pk, name, name) for pk, name in Team.objects.values_list("id", "name")
        )
        lookups.ids[Reference.USER] = _user_ids()
        return lookups

    def resolve(self, reference: Reference, values: pd.Series) -> tuple[pd.Series, pd.Series]:
        """(ids, problem) per row: ids are nullable Int64; problem is '', 'unknown', 'ambiguous'.

        A column names few distinct things (a handful of regions, tens of owners) across a
        million rows: each distinct value is looked up once, then spread back by its code
        with numpy (building the per-row columns with pandas cost 4 ms a 20,000-row chunk).
        """
        codes, distinct = factorized_text(values)
        known = self.ids[reference]
        looked_up = [known.get(_key(value)) if _key(value) else _NO_NAME
                     for value in distinct.tolist()]  # fmt: skip
        problems = np.array(
            ["unknown" if pk is None else "ambiguous" if pk == _AMBIGUOUS else ""
             for pk in looked_up],
            dtype=object,
        )  # fmt: skip
        resolved = [pk if pk is not None and pk > 0 else 0 for pk in looked_up]  # 0: no record
        distinct_ids = np.array(resolved, dtype=np.int64)
        missing = distinct_ids == 0
        ids = pd.arrays.IntegerArray(distinct_ids[codes], missing[codes])
        return (
            pd.Series(ids, index=values.index, dtype="Int64"),
            pd.Series(problems[codes], index=values.index, dtype=object),
        )


def _named_ids(rows: Iterable[tuple[int, str, str]]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for pk, name, code in rows:
        ids.setdefault(_key(code), pk)
        ids[_key(name)] = pk  # a name wins over another row's code
    return ids


def _user_ids() -> dict[str, int]:
    """E-mail first, then display name, username, full name; a name shared is ambiguous."""
    by_name: dict[str, int] = {}
    by_email: dict[str, int] = {}
    users = get_user_model().objects.values_list(
        "id", "email", "username", "first_name", "last_name", "profile__display_name"
    )
    for pk, email, username, first, last, display in users:
        if email:
            by_email[_key(email)] = pk
        names = {username, display, f"{first} {last}", f"{last}{first}", f"{first}{last}"}
        for name in {_key(n) for n in names if n and n.strip()}:
            by_name[name] = _AMBIGUOUS if by_name.get(name, pk) != pk else pk
    return {**by_name, **by_email}


def problem_reason(problem: str) -> str:
    """What the admin reads for an unresolved name ('unknown' or 'ambiguous')."""
    if problem == "ambiguous":
        return str(_("matches more than one person; use the e-mail address"))
    return str(
        _("unknown here; tick “create unknown” (--create-missing on the command line) to add it")
    )


_NAMED_MODELS: dict[Reference, type[Region] | type[ProductLine]] = {
    Reference.REGION: Region,
    Reference.PRODUCT_LINE: ProductLine,
}


def create_missing(reference: Reference, names: list[str]) -> int:
    """Create the regions, product lines or owners named in a file; returns how many."""
    distinct = {_key(name): name.strip() for name in names if name.strip()}
    if reference is Reference.USER:
        for name in distinct.values():
            _create_imported_user(name)
        return len(distinct)
    model = _NAMED_MODELS[reference]
    for name in distinct.values():
        model.objects.get_or_create(name=name, defaults={"code": _unique_code(model, name)})
    return len(distinct)


def _unique_code(model: type[Region] | type[ProductLine], name: str) -> str:
    base = slugify(name, allow_unicode=False)[:24] or "imported"
    code, suffix = base, 1
    while model.objects.filter(code=code).exists():
        suffix += 1
        code = f"{base}-{suffix}"
    return code


def _create_imported_user(name: str) -> None:
    """An owner named in a file but unknown here: a sales rep without a usable password.

    They keep the name the file gives (an e-mail address stays their e-mail, their username
    and the name shown: its local part is no name), are marked as created by an import and
    are inactive, so no picker of active staff offers them until an admin activates them.
    Their records count in the KPIs like anyone's.
    """
    user_model = get_user_model()
    is_email = bool(_EMAIL.match(name))
    next_number = (user_model.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    username = name.lower() if is_email else f"imported.{next_number}"
    user = user_model.objects.create(
        username=username[:150],
        email=name if is_email else "",
        password=make_password(None),
        is_active=False,
    )
    Profile.objects.create(
        user=user, role=Role.SALES_REP, display_name=name[:64], created_by_import=True
    )
