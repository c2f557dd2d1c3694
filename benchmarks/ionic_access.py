"""Time the ionic contact network (σ_ion,eff and the exact per-CAM access resistance) on a twin.

Builds the packing of a recipe (default: paper 000's fine composite, 40 × 40 × 30 µm, ~26 k
particles) or loads a saved one, and prints the network's wall time with the node and contact
counts and the load average. Run with NUMBA_NUM_THREADS=1 (a first run compiles numba kernels):

    .venv/bin/python benchmarks/ionic_access.py [recipe.toml | packing.npz]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from cathodetwin.analysis.transport.ionic_network import ionic_network
from cathodetwin.packing.build import build_packing
from cathodetwin.packing.packing import Packing
from cathodetwin.recipe import load_recipe

DEFAULT = Path(__file__).resolve().parents[1] / "examples" / "papers" / "000_fine_lpsc.toml"


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    packing = (Packing.load(source) if source.suffix == ".npz"
               else build_packing(load_recipe(source)))
    ionic_network(packing)  # warm-up: numba compile
    start = time.perf_counter()
    net = ionic_network(packing)
    wall = time.perf_counter() - start
    print(f"{source.name}: {len(packing)} particles, nodes {net.node_counts}, "
          f"contacts {net.edge_counts}; ionic network {wall:.2f} s "
          f"(load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
