"""Flexible conjugate gradients with a multigrid K-cycle for steady conduction between two faces.

The volume is in the canonical layout of :mod:`kernels` (current along axis 0). The inlet face
is held at 1 V and the outlet at 0 V; iteration stops on flux conservation: the relative spread
of the currents through all planes normal to the transport axis must fall below a tolerance.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from cathodetwin.analysis.transport.deflation import ClusterDeflation
from cathodetwin.analysis.transport.multigrid import MultigridPreconditioner

INLET_POTENTIAL_V = 1.0
OUTLET_POTENTIAL_V = 0.0


@dataclass(frozen=True)
class Solution:
    """Potential (canonical layout, on the solver's device) and solver statistics."""

    potential_v: np.ndarray
    plane_currents: np.ndarray
    iterations: int
    converged: bool
    flux_mismatch: float
    setup_time_s: float
    solve_time_s: float

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


def _initial_guess(
    g0: np.ndarray, g1: np.ndarray, g2: np.ndarray, ops: SimpleNamespace
) -> np.ndarray:
    """Float64 potential falling linearly from inlet to outlet on active voxels, 0 elsewhere."""
    x = ops.empty(g1.shape, dtype=np.float64)
    ops.linear_profile(x, INLET_POTENTIAL_V, OUTLET_POTENTIAL_V)
    ops.mask_inactive(x, g0, g1, g2)
    return x


def solve_conduction(
    g0: np.ndarray,
    g1: np.ndarray,
    g2: np.ndarray,
    *,
    flux_tolerance: float,
    max_iterations: int,
    ops: SimpleNamespace,
    deflation: ClusterDeflation | None = None,
) -> Solution:
    """Solve A φ = b (inlet 1 V, outlet 0 V) by flexible CG preconditioned with a K-cycle.

    The conjugate-gradient vectors are float64, which keeps the currents conservative to
    round-off even at conductivity contrasts of 10⁶ and more; the multigrid preconditioner
    works in float32 (it only needs to be a good approximation of A⁻¹). ``ops`` is the op
    table of the device that holds the face arrays (``kernels.SERIAL``/``PARALLEL`` or
    ``ops_cuda.CUDA``), and the returned potential lives there too; ``deflation``, for
    high-contrast volumes, corrects the initial guess and every preconditioned residual on
    the cluster space.
    """
    start = time.perf_counter()
    precond = MultigridPreconditioner(g0, g1, g2, ops)
    x = _initial_guess(g0, g1, g2, ops)
    b = ops.empty(x.shape, dtype=np.float64)
    ops.boundary_rhs(b, g0, INLET_POTENTIAL_V, OUTLET_POTENTIAL_V)
    if deflation is not None:
        deflation.flatten_islands(x)
        deflation.correct(x, b)
    r = ops.empty(x.shape, dtype=np.float64)
    ops.residual(x, b, g0, g1, g2, r)
    del b
    p, q = ops.empty(x.shape, dtype=np.float64), ops.empty(x.shape, dtype=np.float64)
    r32, z32 = ops.empty(x.shape, dtype=np.float32), ops.empty(x.shape, dtype=np.float32)
    setup_time = time.perf_counter() - start

    currents = ops.plane_currents(x, g0, INLET_POTENTIAL_V, OUTLET_POTENTIAL_V)
    mismatch = flux_mismatch(currents)
    iterations = 0
    ops.copy(r32, r)
    precond.apply(r32, z32)
    if deflation is not None:
        deflation.correct(z32, r)
    ops.copy(p, z32)
    rz = ops.dot(r, z32)
    while mismatch >= flux_tolerance and iterations < max_iterations and rz > 0.0:
        ops.apply_operator(p, g0, g1, g2, q)
        alpha = rz / ops.dot(p, q)
        ops.cg_update(x, r, p, q, alpha)
        iterations += 1
        currents = ops.plane_currents(x, g0, INLET_POTENTIAL_V, OUTLET_POTENTIAL_V)
        mismatch = flux_mismatch(currents)
        if mismatch < flux_tolerance:
            break
        ops.copy(r32, r)
        precond.apply(r32, z32)
        if deflation is not None:
            deflation.correct(z32, r)
        rz_new = ops.dot(r, z32)
        # Flexible (Polak-Ribière) beta: z·(r_new − r_old) / rz with r_new − r_old = −α q.
        beta = -alpha * ops.dot(q, z32) / rz
        ops.cg_direction(p, z32, beta)
        rz = rz_new
    ops.mask_inactive(x, g0, g1, g2)
    ops.synchronize()
    return Solution(
        potential_v=x,
        plane_currents=currents,
        iterations=iterations,
        converged=mismatch < flux_tolerance,
        flux_mismatch=mismatch,
        setup_time_s=setup_time,
        solve_time_s=time.perf_counter() - start - setup_time,
    )
