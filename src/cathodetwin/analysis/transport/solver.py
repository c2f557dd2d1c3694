"""Flexible conjugate gradients with a multigrid K-cycle for steady conduction between two faces.

The volume is in the canonical layout of :mod:`kernels` (current along axis 0). The inlet face
is held at 1 V and the outlet at 0 V; iteration stops on flux conservation: the relative spread
of the currents through all planes normal to the transport axis must fall below a tolerance.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from cathodetwin.analysis.transport import kernels
from cathodetwin.analysis.transport.multigrid import MultigridPreconditioner

INLET_POTENTIAL_V = 1.0
OUTLET_POTENTIAL_V = 0.0
RESIDUAL_REFRESH_ITERATIONS = 8


@dataclass(frozen=True)
class Solution:
    """Potential (canonical layout) and solver statistics."""

    potential_v: np.ndarray
    plane_currents: np.ndarray
    iterations: int
    converged: bool
    flux_mismatch: float
    setup_time_s: float
    solve_time_s: float
    memory_bytes: int

    @property
    def current(self) -> float:
        """Mean current through the planes normal to the transport axis (conductance × 1 V)."""
        return float(np.mean(self.plane_currents))


def flux_mismatch(plane_currents: np.ndarray) -> float:
    """Relative spread (max − min) / mean of the currents through all planes."""
    mean = float(np.mean(plane_currents))
    if mean <= 0.0:
        return float("inf")
    return float((np.max(plane_currents) - np.min(plane_currents)) / mean)


def _initial_guess(g0: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
    """Float64 potential falling linearly from inlet to outlet on active voxels, 0 elsewhere."""
    n0 = g1.shape[0]
    x = np.empty(g1.shape, dtype=np.float64)
    profile = INLET_POTENTIAL_V + (OUTLET_POTENTIAL_V - INLET_POTENTIAL_V) * (
        (np.arange(n0) + 0.5) / n0
    )
    x[...] = profile[:, None, None]
    kernels.mask_inactive(x, g0, g1, g2)
    return x


def solve_conduction(
    g0: np.ndarray,
    g1: np.ndarray,
    g2: np.ndarray,
    *,
    flux_tolerance: float,
    max_iterations: int,
) -> Solution:
    """Solve A φ = b (inlet 1 V, outlet 0 V) by flexible CG preconditioned with a K-cycle.

    The potential is float64; the Krylov vectors are float32 (the true residual is recomputed
    from the float64 potential every few iterations, which makes their precision irrelevant
    to the converged result even at conductivity contrasts of 10⁶ and more).
    """
    start = time.perf_counter()
    precond = MultigridPreconditioner(g0, g1, g2)
    x = _initial_guess(g0, g1, g2)
    b = np.zeros(x.shape, dtype=np.float32)
    b[0] = g0[0] * INLET_POTENTIAL_V
    b[-1] += g0[-1] * OUTLET_POTENTIAL_V
    r, z, p, q = (np.empty_like(b) for _ in range(4))
    memory = precond.nbytes + sum(a.nbytes for a in (g0, g1, g2, x, b, r, z, p, q))
    setup_time = time.perf_counter() - start

    currents = kernels.plane_currents(x, g0, INLET_POTENTIAL_V, OUTLET_POTENTIAL_V)
    mismatch = flux_mismatch(currents)
    iterations = 0
    kernels.residual(x, b, g0, g1, g2, r)
    precond.apply(r, z)
    p[...] = z
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
        if iterations % RESIDUAL_REFRESH_ITERATIONS == 0:
            # Replace the recursively updated float32 residual by the true one (computed with
            # the float64 potential) so that round-off cannot stall convergence.
            kernels.residual(x, b, g0, g1, g2, r)
        precond.apply(r, z)
        rz_new = kernels.dot(r, z)
        # Flexible (Polak-Ribière) beta: z·(r_new − r_old) / rz with r_new − r_old = −α q.
        beta = -alpha * kernels.dot(z, q) / rz
        kernels.cg_direction(p, z, beta)
        rz = rz_new
    kernels.mask_inactive(x, g0, g1, g2)
    return Solution(
        potential_v=x,
        plane_currents=currents,
        iterations=iterations,
        converged=mismatch < flux_tolerance,
        flux_mismatch=mismatch,
        setup_time_s=setup_time,
        solve_time_s=time.perf_counter() - start - setup_time,
        memory_bytes=memory,
    )
