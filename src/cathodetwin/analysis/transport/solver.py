"""Multigrid-preconditioned conjugate gradients for steady conduction between two faces."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from cathodetwin.analysis.transport import kernels
from cathodetwin.analysis.transport.multigrid import MultigridPreconditioner

INLET_POTENTIAL_V = 1.0
OUTLET_POTENTIAL_V = 0.0


@dataclass(frozen=True)
class Solution:
    """Converged potential (canonical layout, current along axis 0) and solver statistics."""

    potential_v: np.ndarray
    plane_currents: np.ndarray
    iterations: int
    converged: bool
    flux_mismatch: float
    setup_time_s: float
    solve_time_s: float

    @property
    def current(self) -> float:
        """Mean current through the planes normal to the transport axis (conductance units × V)."""
        return float(np.mean(self.plane_currents))


def flux_mismatch(plane_currents: np.ndarray) -> float:
    """Relative spread (max − min) / mean of the currents through all planes."""
    mean = float(np.mean(plane_currents))
    if mean <= 0.0:
        return float("inf")
    return float((np.max(plane_currents) - np.min(plane_currents)) / mean)


def linear_initial_guess(g0: np.ndarray, g1: np.ndarray, g2: np.ndarray, dtype: type) -> np.ndarray:
    """Potential falling linearly from inlet to outlet on active voxels, 0 elsewhere."""
    n0 = g1.shape[0]
    profile = INLET_POTENTIAL_V + (OUTLET_POTENTIAL_V - INLET_POTENTIAL_V) * (
        (np.arange(n0) + 0.5) / n0
    )
    active = (g0[:-1] + g0[1:] + g1 + g2 + np.roll(g1, 1, axis=1) + np.roll(g2, 1, axis=2)) > 0
    return np.where(active, profile[:, None, None], 0.0).astype(dtype)


def solve_conduction(
    g0: np.ndarray,
    g1: np.ndarray,
    g2: np.ndarray,
    *,
    flux_tolerance: float = 1e-5,
    max_iterations: int = 500,
    dtype: type = np.float32,
) -> Solution:
    """Solve A φ = b for inlet potential 1 V and outlet 0 V by MG-preconditioned CG.

    Stops when the relative spread of the plane currents falls below ``flux_tolerance``.
    """
    start = time.perf_counter()
    precond = MultigridPreconditioner(g0, g1, g2, dtype=dtype)
    x = linear_initial_guess(g0, g1, g2, dtype)
    b = np.zeros_like(x)
    b[0] = g0[0] * INLET_POTENTIAL_V
    b[-1] += g0[-1] * OUTLET_POTENTIAL_V
    r = np.empty_like(x)
    kernels.residual(x, b, g0, g1, g2, r)
    del b
    z = np.empty_like(x)
    q = np.empty_like(x)
    setup_time = time.perf_counter() - start

    currents = kernels.plane_currents(x, g0, INLET_POTENTIAL_V, OUTLET_POTENTIAL_V)
    mismatch = flux_mismatch(currents)
    iterations = 0
    precond.apply(r, z)
    p = z.copy()
    rz = kernels.dot(r, z)
    while mismatch >= flux_tolerance and iterations < max_iterations and rz > 0.0:
        kernels.apply_operator(p, g0, g1, g2, q)
        alpha = rz / kernels.dot(p, q)
        kernels.cg_update(x, r, p, q, alpha)
        iterations += 1
        currents = kernels.plane_currents(x, g0, INLET_POTENTIAL_V, OUTLET_POTENTIAL_V)
        mismatch = flux_mismatch(currents)
        if mismatch < flux_tolerance:
            break
        precond.apply(r, z)
        rz_new = kernels.dot(r, z)
        kernels.cg_direction(p, z, rz_new / rz)
        rz = rz_new
    return Solution(
        potential_v=x,
        plane_currents=currents,
        iterations=iterations,
        converged=mismatch < flux_tolerance,
        flux_mismatch=mismatch,
        setup_time_s=setup_time,
        solve_time_s=time.perf_counter() - start - setup_time,
    )
