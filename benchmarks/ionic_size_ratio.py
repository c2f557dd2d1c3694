"""Utilization at 80 wt% CAM vs the electrolyte/CAM size ratio (issue 18).

Builds the packings of examples/size_ratio_sse{05,1,2}x.toml and prints, per recipe, the ionic
network's σ_ion,eff, τ and the CAM utilization by access number threshold. Run with
NUMBA_NUM_THREADS=1:

    .venv/bin/python benchmarks/ionic_size_ratio.py [out.json]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from cathodetwin.analysis.transport.ionic_network import ionic_network
from cathodetwin.packing.build import build_packing
from cathodetwin.recipe import load_recipe

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RATIOS = {"0.5": "size_ratio_sse05x.toml", "1": "size_ratio_sse1x.toml",
          "2": "size_ratio_sse2x.toml"}


def main() -> None:
    rows = {}
    for ratio, name in RATIOS.items():
        t0 = time.perf_counter()
        packing = build_packing(load_recipe(EXAMPLES / name))
        built = time.perf_counter() - t0
        net = ionic_network(packing)
        rows[ratio] = {
            "recipe": name, "particles": len(packing), "build_s": round(built, 1),
            "network_s": round(net.wall_time_s, 2),
            "sigma_ion_eff_ms_cm": net.effective_conductivity_s_cm * 1e3,
            "tortuosity_factor": net.tortuosity_factor,
            "utilization_by_access_number": net.utilization_by_access_number,
            "load_average": os.getloadavg()[0],
        }
        print(ratio, json.dumps(rows[ratio]), flush=True)
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
