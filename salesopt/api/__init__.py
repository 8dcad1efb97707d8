"""The JSON API at /api/: KPI series and the plan, with its OpenAPI schema and docs."""
