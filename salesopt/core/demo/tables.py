"""Which frame column goes to which model field, and how it is written."""

from __future__ import annotations

from salesopt.core.models import (
    Activity,
    Complaint,
    Customer,
    Lead,
    Opportunity,
    Order,
    SalesTarget,
)

from .write import Column, Kind, Table


def _text(field: str) -> Column:
    return Column(field, Kind.TEXT)


def _time(field: str) -> Column:
    return Column(field, Kind.TIME)


def _reference(field: str) -> Column:
    return Column(field, Kind.REFERENCE)


def _index(field: str, lookup: str | None = None) -> Column:
    return Column(field, Kind.INDEX, lookup or field)


CUSTOMERS = Table(
    Customer,
    (
        _text("name"),
        _text("industry"),
        _text("company_size"),
        _index("region"),
        _index("owner", "rep"),
        _time("first_seen_at"),
    ),
)
LEADS = Table(
    Lead,
    (
        _text("name"),
        _text("company_name"),
        _reference("customer"),
        _text("channel"),
        _text("campaign"),
        _text("industry"),
        _text("company_size"),
        _text("urgency"),
        _text("crm_grade"),
        _index("region"),
        _index("product_line"),
        _index("owner", "rep"),
        _text("status"),
        _time("created_in_crm_at"),
        _time("first_response_at"),
        _time("won_at"),
        _time("lost_at"),
        Column("amount", Kind.MONEY),
    ),
)
OPPORTUNITIES = Table(
    Opportunity,
    (
        _text("name"),
        _reference("lead"),
        _reference("customer"),
        _index("owner", "rep"),
        _index("region"),
        _index("product_line"),
        _text("stage"),
        Column("amount", Kind.MONEY),
        Column("probability", Kind.INTEGER),
        _time("created_in_crm_at"),
        Column("expected_close", Kind.DATE),
        _time("closed_at"),
    ),
)
ORDERS = Table(
    Order,
    (
        _reference("customer"),
        _reference("opportunity"),
        _index("rep"),
        _index("region"),
        _index("product_line"),
        Column("amount", Kind.MONEY),
        Column("ordered_on", Kind.DATE),
    ),
)
ACTIVITIES = Table(
    Activity,
    (
        _text("kind"),
        _index("rep"),
        _reference("lead"),
        _reference("customer"),
        _time("occurred_at"),
        _text("subject"),
    ),
)
COMPLAINTS = Table(
    Complaint,
    (
        _reference("customer"),
        _text("kind"),
        _index("region"),
        _index("handled_by", "rep"),
        _time("created_in_crm_at"),
        _time("first_response_at"),
        _time("resolved_at"),
        Column("satisfaction", Kind.INTEGER),
    ),
)
TARGETS = Table(
    SalesTarget,
    (
        _text("grain"),
        Column("period_start", Kind.DATE),
        _index("region"),
        _index("product_line"),
        _index("team"),
        _index("rep"),
        Column("amount", Kind.MONEY),
    ),
)
