"""Calibrate the grain-boundary ASR of the ionic contact network on a pure Li6PS5Cl pellet.

A twin of a pure cold-pressed electrolyte pellet (the library's Li6PS5Cl PSD, pressed at the
pellet's pressing pressure) is built once; its ionic network σ is a monotone function of the
GB ASR (grain σ fixed at the library value), solved for σ = the library's
``pellet_ionic_conductivity_s_cm`` by bisection in log(ASR). Pellet data only, never a
composite. Run with NUMBA_NUM_THREADS=1:

    .venv/bin/python benchmarks/ionic_pellet.py [pressure_mpa] [d50_um]
"""

from __future__ import annotations

import math
import sys
import time

from cathodetwin.analysis.transport.ionic_network import ionic_network
from cathodetwin.materials import get_material
from cathodetwin.packing.build import build_packing
from cathodetwin.recipe import recipe_from_dict


def pellet_recipe(pressure_mpa: float = 500.0, d50_um: float = 1.5, seed: int = 1):
    """Pure Li6PS5Cl pellet twin (lognormal D50, GSD 1.3), 14 × 14 × 12 µm box."""
    return recipe_from_dict({
        "name": "Li6PS5Cl pellet",
        "components": [{"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE",
                        "weight_percent": 100.0,
                        "psd": {"kind": "lognormal", "d50_um": d50_um, "gsd": 1.3}}],
        "processing": {"pressing_pressure_mpa": pressure_mpa, "stack_pressure_mpa": 10.0},
        "simulation": {"box_um": [14.0, 14.0, 12.0], "voxel_size_um": 0.25, "seed": seed},
    })


def calibrate(packing, target_s_cm: float) -> float:
    """GB ASR (Ω·cm²) at which the pellet network gives ``target_s_cm``."""
    low, high = 1e-7, 1e-1
    for _ in range(50):
        mid = math.sqrt(low * high)
        sigma = ionic_network(packing, grain_boundary_asr_ohm_cm2=mid).effective_conductivity_s_cm
        low, high = (mid, high) if sigma > target_s_cm else (low, mid)
    return math.sqrt(low * high)


def main() -> None:
    pressure = float(sys.argv[1]) if len(sys.argv) > 1 else 500.0
    d50 = float(sys.argv[2]) if len(sys.argv) > 2 else 1.5
    lpscl = get_material("Li6PS5Cl")
    t0 = time.perf_counter()
    packing = build_packing(pellet_recipe(pressure, d50))
    print(f"pellet packing: {len(packing)} particles, porosity {packing.porosity():.3f}, "
          f"{time.perf_counter() - t0:.1f} s")
    free = ionic_network(packing, grain_boundary_asr_ohm_cm2=0.0)
    print(f"grain σ {lpscl.ionic_conductivity_s_cm * 1e3:.2f} mS/cm; network without GB "
          f"{free.effective_conductivity_s_cm * 1e3:.3f} mS/cm (τ {free.tortuosity_factor:.2f})")
    asr = calibrate(packing, lpscl.pellet_ionic_conductivity_s_cm)
    print(f"GB ASR for the pellet σ {lpscl.pellet_ionic_conductivity_s_cm * 1e3:.2f} mS/cm: "
          f"{asr:.3e} Ω·cm²")


if __name__ == "__main__":
    main()
