"""The demo company: 18 months of a B2B sales organisation whose data carries the problems
the method is meant to find (slow lead response in 华南, 90-day large deals, slow new-rep
ramp-up, a product line under target, workload piled on a few reps).

`seed_demo_company` is the one entry point; the modules behind it generate column arrays with
numpy (leads, activities, deals, complaints, targets) and upsert them (write.py).
"""

from .organisation import DEMO_PASSWORD
from .service import DemoLogin, SeedSummary, seed_demo_company

__all__ = ["DEMO_PASSWORD", "DemoLogin", "SeedSummary", "seed_demo_company"]
