"""Order KPIs: revenue, average order value, target attainment and repurchase rate.

Orders carry a date (not a time), so their month needs no time zone. Revenue and order counts go
through a cube like the leads'; attainment divides the cube's revenue by the monthly targets of
the same scope; repurchase counts distinct customers, so each grain reads the orders directly:
on PostgreSQL from one binary read, counted in memory (columnar.py), on SQLite through a work
table grouped by customer.
"""

from __future__ import annotations

from functools import partial

from ..catalog import DIMENSION_ORDER, METRICS, Cut, Dimension, PeriodGrain, cut_label
from ..models import DIMENSION_COLUMNS
from .columnar import DATE, INT8, Figures, dimension_columns, months_of_dates, read_grouped
from .statements import (
    FIGURES_TABLE,
    SNAPSHOT_COLUMNS,
    Context,
    Measure,
    Source,
    aggregate_query,
    create_work_table,
    dimension_selects,
    drop_work_table,
    group_by,
    insert_joined_ratio,
    insert_measures,
    present,
    ratio,
)

CUBE = "kpis_work_order_cube"
PURCHASES = "kpis_work_purchases"
ORDERS_AND_REPS = "core_order AS o LEFT JOIN core_profile AS p ON p.user_id = o.rep_id"
MEASURES = (
    Measure("revenue", "SUM(c.revenue)"),
    Measure("average_order_value", "SUM(c.revenue)", "SUM(c.orders)"),
)
# A target's scope: the columns that are set; every other scope column must be empty ("all").
TARGET_SCOPE_COLUMNS = {
    Dimension.REGION: "t.region_id",
    Dimension.PRODUCT_LINE: "t.product_line_id",
    Dimension.TEAM: "t.team_id",
    Dimension.REP: "t.rep_id",
}


def compute_orders(context: Context) -> None:
    _fill_cube(context)
    # A rep's team joined to the cube's rows, not to every order.
    cube = Source(
        from_sql=f"{CUBE} AS c LEFT JOIN core_profile AS p ON p.user_id = c.rep_id",
        month="c.month",
        dimensions=_dimensions("c") | {Dimension.TEAM: "p.team_id"},
    )
    insert_measures(context, cube, METRICS["revenue"].cuts, MEASURES)
    insert_joined_ratio(
        context,
        metric="target_attainment",
        cuts=METRICS["target_attainment"].cuts,
        numerators=partial(aggregate_query, context.dialect, cube, amount="SUM(c.revenue)"),
        denominators=lambda cut, grain: aggregate_query(
            context.dialect, _targets(context, cut), cut, grain, "SUM(t.amount)"
        ),
    )
    drop_work_table(context, CUBE)
    compute_repurchase(context)


def compute_repurchase(context: Context) -> None:
    """Customers with 2+ orders ÷ customers with 1+, every cut, in the context's grains."""
    if context.dialect.is_postgres:
        _compute_repurchase_in_memory(context)
        return
    _fill_purchases(context)
    for cut in METRICS["repurchase_rate"].cuts:
        for grain in context.grains:
            _insert_repurchase(context, cut, grain)
    drop_work_table(context, PURCHASES)


def _dimensions(alias: str) -> dict[Dimension, str]:
    """The dimensions of a work table of this module (orders have no lead grade)."""
    return {
        Dimension.REGION: f"{alias}.region_id",
        Dimension.PRODUCT_LINE: f"{alias}.product_line_id",
        Dimension.TEAM: f"{alias}.team_id",
        Dimension.REP: f"{alias}.rep_id",
        Dimension.GRADE: "NULL",
    }


def _date_range(context: Context) -> list[object]:
    return [context.date_param(context.start), context.date_param(context.end)]


def _fill_cube(context: Context) -> None:
    select = (
        f"SELECT {context.dialect.month_of_date('o.ordered_on')} AS month, "
        "o.region_id, o.product_line_id, o.rep_id, SUM(o.amount) AS revenue, "
        "COUNT(*) FILTER (WHERE o.amount > 0) AS orders "
        "FROM core_order AS o WHERE o.ordered_on >= %s AND o.ordered_on < %s "
        "GROUP BY 1, 2, 3, 4"
    )
    create_work_table(context, CUBE, select, _date_range(context))


def _targets(context: Context, cut: Cut) -> Source:
    """The monthly targets whose scope is exactly `cut` (all four columns empty: company)."""
    scope = " AND ".join(
        f"{column} IS {'NOT ' if dimension in cut else ''}NULL"
        for dimension, column in TARGET_SCOPE_COLUMNS.items()
    )
    return Source(
        from_sql="core_salestarget AS t",
        month=context.dialect.month_of_date("t.period_start"),
        dimensions={**TARGET_SCOPE_COLUMNS, Dimension.GRADE: "NULL"},
        where=f"t.grain = 'month' AND t.period_start >= %s AND t.period_start < %s AND {scope}",
        params=tuple(_date_range(context)),
    )


def _compute_repurchase_in_memory(context: Context) -> None:
    """Every cut and grain of the repurchase rate from one read of the positive orders."""
    scope = _dimensions("o") | {Dimension.TEAM: "p.team_id"}
    del scope[Dimension.GRADE]
    columns = read_grouped(
        dimension_columns(scope),
        [("o.ordered_on AS ordered_on", DATE), ("o.customer_id::int8 AS customer", INT8)],
        f"FROM {ORDERS_AND_REPS} WHERE o.ordered_on >= %s AND o.ordered_on < %s AND o.amount > 0 "
        "AND o.customer_id IS NOT NULL",
        _date_range(context),
    )
    figures = Figures("repurchase_rate")
    figures.add_repeat_shares(
        METRICS["repurchase_rate"].cuts,
        months_of_dates(columns["ordered_on"]),
        {
            DIMENSION_COLUMNS[dimension]: columns[DIMENSION_COLUMNS[dimension]]
            for dimension in scope
        },
        columns["customer"],
        context.in_memory_grains,
    )
    figures.insert(context)


def _fill_purchases(context: Context) -> None:
    """Positive orders per month, scope and customer: what repurchase counts distinctly."""
    month = context.dialect.month_of_date("o.ordered_on")
    select = (
        f"SELECT {month} AS month, o.region_id, o.product_line_id, p.team_id, "
        "o.rep_id, o.customer_id, COUNT(*) AS orders "
        f"FROM {ORDERS_AND_REPS} WHERE o.ordered_on >= %s AND o.ordered_on < %s AND o.amount > 0 "
        "AND o.customer_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6"
    )
    create_work_table(context, PURCHASES, select, _date_range(context))


def _insert_repurchase(context: Context, cut: Cut, grain: PeriodGrain) -> None:
    """Customers with 2+ orders ÷ customers with 1+, per period of `grain` (refunds ignored)."""
    dialect = context.dialect
    purchases = Source(
        from_sql=f"{PURCHASES} AS w",
        month="w.month",
        dimensions=_dimensions("w"),
    )
    period = dialect.period_of_month(grain, purchases.month)
    dimensions = ", ".join(DIMENSION_COLUMNS[d] for d in DIMENSION_ORDER)
    sql = (
        f"WITH customers AS (SELECT {period} AS period, "
        f"{dimension_selects(purchases, cut)}, SUM(w.orders) AS orders "
        f"FROM {purchases.from_sql} WHERE {present(purchases, cut)} "
        f"GROUP BY {group_by(period, purchases, cut)}, w.customer_id) "
        f"INSERT INTO {FIGURES_TABLE} ({SNAPSHOT_COLUMNS}) "
        f"SELECT 'repurchase_rate', '{grain.value}', {dialect.as_date('period')}, "
        f"'{cut_label(cut)}', {dimensions}, "
        f"{ratio('COUNT(*) FILTER (WHERE orders >= 2)', 'COUNT(*)')}, "
        "COUNT(*) FILTER (WHERE orders >= 2), COUNT(*), %s "
        f"FROM customers GROUP BY period, {dimensions}"
    )
    context.write(["repurchase_rate"], sql, [context.computed_at()])
