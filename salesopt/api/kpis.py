"""`GET /api/kpis/?metric=&grain=&by=&from=&to=` → one KPI series, as `KpiSeries.as_json()`.

The answers are those of the KPI API before it moved onto ninja: the parameters stay plain
strings here so that the one reader (`kpi_series`) judges them and words its refusals, as it
does for the pages and the command.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from salesopt.kpis.catalog import METRICS, Dimension, Grain
from salesopt.kpis.selectors import kpi_series

from .schemas import ErrorOut

router = Router(tags=["KPIs"])


class KpiSeriesQuery(Schema):
    metric: str = Field(description=f"The KPI, one of: {', '.join(METRICS)}.")
    grain: str = Field(
        Grain.MONTH.value, description=f"One of: {', '.join(grain.value for grain in Grain)}."
    )
    by: str | None = Field(
        None,
        description=(
            "Dimensions to cut by, comma-separated, among: "
            f"{', '.join(dimension.value for dimension in Dimension)}."
        ),
    )
    period_from: str | None = Field(
        None, alias="from", description="First period: `2024-04`, `2024-Q2` or `2024`."
    )
    period_to: str | None = Field(None, alias="to", description="Last period, included.")


class KpiPointOut(Schema):
    period: str
    dims: dict[str, str]
    value: float | None = Field(description="null when the denominator is 0.")
    # int | float: a count stays an integer in the answer (27, not 27.0).
    numerator: int | float | None
    denominator: int | float | None


class KpiSeriesOut(Schema):
    metric: str
    grain: str
    by: list[str]
    rows: list[KpiPointOut]


@router.get(
    "/",
    url_name="kpi-series",
    operation_id="kpi_series",
    summary="One KPI by period, within the reader's scope",
    response={200: KpiSeriesOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
)
def kpi_series_read(request: HttpRequest, query: Query[KpiSeriesQuery]) -> dict[str, Any]:
    """A cut outside the reader's scope (a rep asking by=team) is refused with 403."""
    series = kpi_series(
        user=request.auth,  # type: ignore[attr-defined]
        metric=query.metric,
        grain=query.grain or Grain.MONTH.value,
        by=query.by or None,
        period_from=query.period_from or None,
        period_to=query.period_to or None,
    )
    return series.as_json()
