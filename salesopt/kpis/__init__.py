"""The KPI engine: one declaration per KPI of SPEC.md, computed by SQL into snapshots, one reader."""
