"""Benchmark: a 7-rate discharge sweep of the PyBaMM half-cell must finish in 60 s.

Run: ``.venv/bin/python benchmarks/cell.py``. Prints the wall time and the rate table as JSON
and exits 1 when the sweep is slower than the budget.
"""

from __future__ import annotations

import json
import sys
import time

from cathodetwin.cell import DEFAULT_C_RATES, CellInputs, simulate_rates

BUDGET_S = 60.0


def bimodal_twin() -> CellInputs:
    """A 7:3 NCWA/NCM811 blend, 90 µm thick: two particle phases, the costlier case."""
    return CellInputs(
        cam_material="NCWA",
        cam_volume_fraction=0.62,
        cam_utilization=0.9,
        sse_volume_fraction=0.3,
        porosity=0.05,
        ionic_conductivity_eff_s_cm=8e-5,
        electronic_conductivity_eff_s_cm=5e-3,
        specific_cam_sse_area_per_um=0.2,
        cam_classes=((6.0, 0.7, "NCWA"), (1.5, 0.3, "NCM811")),
        thickness_um=90.0,
    )


def main() -> int:
    """Time one 7-rate sweep with charge curves; return 1 when over budget."""
    start = time.perf_counter()
    result = simulate_rates(bimodal_twin(), DEFAULT_C_RATES, charge=True)
    wall_s = time.perf_counter() - start
    report = {
        "benchmark": "cell 7-rate sweep (discharge + charge)",
        "wall_s": round(wall_s, 2),
        "budget_s": BUDGET_S,
        "rates": [{k: round(v, 3) for k, v in row.items()} for row in result.table()],
    }
    print(json.dumps(report, indent=2))
    return 0 if wall_s <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
