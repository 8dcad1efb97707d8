"""The KPI engine: each KPI of SPEC.md declared once, computed by SQL into snapshots, one reader."""
