"""Rep KPIs: activities per rep per working day, and ramp-up of new reps.

Activities per rep-day: the numerator counts follow-ups, calls and visits; the denominator is
rep working days, active reps × the Monday-to-Friday days of the month (the current month stops
at today). A rep is active in a month when they have a sales-rep profile hired by the month's end
(no hire date: always), or when they logged a counted activity in it (a team lead who calls
customers counts too). Activities without a rep are left out: there is no rep-day to put them
on. Both parts add up, so quarters and years are ratios of summed months.

Ramp-up: days from a rep's hire date to their first won lead, by hire-month cohort (median).
Only reps hired after the CRM history starts count, since the first win of an older hire is not
in the data, and reps without a win yet are not ramped up. A win in any month changes an old
cohort, so every cohort is recomputed each time; they are a few dozen rows.
"""

from __future__ import annotations

from salesopt.core.models import ActivityKind, Role
from salesopt.core.periods import company_zone, start_of_day

from ..catalog import METRICS, Dimension, Grain, Window
from ..periods import month_starts, period_end, working_days
from .statements import (
    Context,
    Measure,
    Source,
    create_work_table,
    drop_work_table,
    insert_measures,
    insert_medians,
    insert_window_medians,
)

REP_MONTHS = "kpis_work_rep_months"
RAMP_UPS = "kpis_work_ramp_ups"
COUNTED_KINDS = (ActivityKind.FOLLOW_UP, ActivityKind.CALL, ActivityKind.VISIT)
ACTIVITIES = Measure("activities_per_rep_day", "SUM(c.activities)", "SUM(c.working_days)")


def compute_people(context: Context) -> None:
    _fill_rep_months(context)
    rep_months = Source(
        from_sql=f"{REP_MONTHS} AS c LEFT JOIN core_profile AS p ON p.user_id = c.rep_id",
        month="c.month",
        dimensions=_dimensions(team="p.team_id", rep="c.rep_id"),
    )
    insert_measures(context, rep_months, METRICS["activities_per_rep_day"].cuts, [ACTIVITIES])
    drop_work_table(context, REP_MONTHS)
    compute_ramp_up(context)


def _dimensions(*, team: str, rep: str) -> dict[Dimension, str]:
    return {
        Dimension.REGION: "NULL",
        Dimension.PRODUCT_LINE: "NULL",
        Dimension.TEAM: team,
        Dimension.REP: rep,
        Dimension.GRADE: "NULL",
    }


def _months_table(context: Context) -> tuple[str, list[object]]:
    """A VALUES list of (month, next month, working days) for the months of the range."""
    today = context.now.astimezone(company_zone()).date()
    rows, params = [], []
    for month in month_starts(context.start, context.end):
        end = period_end(Grain.MONTH, month)
        rows.append("(%s, %s, %s)")
        params += [
            context.date_param(month),
            context.date_param(end),
            working_days(month, end, today),
        ]
    return f"months(month, next_month, days) AS (VALUES {', '.join(rows)})", params


def _fill_rep_months(context: Context) -> None:
    dialect = context.dialect
    months, month_params = _months_table(context)
    occurred = "a.occurred_at"
    kinds = ", ".join(f"'{kind.value}'" for kind in COUNTED_KINDS)
    select = (
        # Grouped by the bare month expression: the one the kpis statistics describe.
        f"WITH {months}, counted AS (SELECT {dialect.as_date('grouped.month')} AS month, "
        "grouped.rep_id, grouped.activities FROM (SELECT "
        f"{dialect.month_of_timestamp(occurred)} AS month, a.rep_id, "
        f"COUNT(*) AS activities FROM core_activity AS a WHERE a.kind IN ({kinds}) "
        f"AND a.rep_id IS NOT NULL AND {occurred} >= %s AND {occurred} < %s "
        "GROUP BY 1, 2) AS grouped), "
        "staffed AS (SELECT m.month, p.user_id AS rep_id FROM months AS m "
        f"JOIN core_profile AS p ON p.role = '{Role.SALES_REP.value}' "
        "AND (p.hire_date IS NULL OR p.hire_date < m.next_month)) "
        "SELECT m.month, r.rep_id, COALESCE(c.activities, 0) AS activities, "
        "m.days AS working_days FROM (SELECT month, rep_id FROM counted "
        "UNION SELECT month, rep_id FROM staffed) AS r JOIN months AS m ON m.month = r.month "
        "LEFT JOIN counted AS c ON c.month = r.month AND c.rep_id = r.rep_id"
    )
    params = [
        *month_params,
        context.time_param(start_of_day(context.start)),
        context.time_param(start_of_day(context.end)),
    ]
    create_work_table(context, REP_MONTHS, select, params)


def compute_ramp_up(context: Context) -> None:
    """Ramp-up medians by hire cohort: every cohort, or the reps hired in the window; and the
    reps hired in each window computed alongside."""
    _fill_ramp_ups(context)
    window = context.window
    for cut in METRICS["ramp_up_days"].cuts:
        insert_medians(context, _ramp_ups(context, window), cut, "ramp_up_days", "r.days")
        for alongside in context.windows:
            source = _ramp_ups(context, alongside)
            insert_window_medians(context, source, cut, alongside, "ramp_up_days", "r.days")
    drop_work_table(context, RAMP_UPS)


def _ramp_ups(context: Context, window: Window | None) -> Source:
    """The ramp-up work table's rows: every cohort, or those hired in `window`."""
    in_window: str = "1 = 1"
    params: tuple[object, ...] = ()
    if window is not None:
        in_window = "r.month >= %s AND r.month < %s"
        params = (context.date_param(window.start), context.date_param(window.end))
    return Source(
        from_sql=f"{RAMP_UPS} AS r",
        month="r.month",
        dimensions=_dimensions(team="r.team_id", rep="r.rep_id"),
        where=in_window,
        params=params,
    )


def _fill_ramp_ups(context: Context) -> None:
    """One row per rep hired during the CRM history who has won a lead: hire month, days."""
    dialect = context.dialect
    first_win_day = dialect.local_date("w.first_won_at")
    history_start = dialect.local_date("MIN(l.created_in_crm_at)")
    select = (
        f"SELECT {dialect.month_of_date('p.hire_date')} AS month, p.team_id, "
        f"p.user_id AS rep_id, {dialect.days_between_dates(first_win_day, 'p.hire_date')} "
        "AS days FROM core_profile AS p JOIN (SELECT l.owner_id, MIN(l.won_at) AS first_won_at "
        "FROM core_lead AS l WHERE l.won_at IS NOT NULL AND l.owner_id IS NOT NULL "
        "GROUP BY l.owner_id) AS w ON w.owner_id = p.user_id "
        f"WHERE p.hire_date IS NOT NULL AND {first_win_day} >= p.hire_date "
        f"AND p.hire_date >= (SELECT {history_start} FROM core_lead AS l)"
    )
    create_work_table(context, RAMP_UPS, select, [])
