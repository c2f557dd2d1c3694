"""Result records of the transport analysis."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

AXIS_NAMES = ("x", "y", "z")


def _finite_or_none(value: float) -> float | None:
    """JSON has no infinity: non-finite numbers become None."""
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class ConductionResult:
    """Steady conduction between two opposite faces of a voxel volume.

    ``tortuosity_factor`` τ follows TauFactor: σ_eff = σ0 · φ / τ (D_eff = D0 ε / τ). Paper 002
    writes the same number as τ² = σ0 · φ / σ_eff; ``tortuosity`` is its square root (paper
    002's τ). ``macmullin_number`` is σ0 / σ_eff = τ / φ. A phase that does not connect the two
    faces has ``percolating`` False, σ_eff = 0 and τ = ∞. ``wall_time_s`` covers the whole
    call; ``solver_setup_time_s`` the multigrid hierarchy and ``solver_time_s`` the iterations.
    """

    axis: int
    shape: tuple[int, int, int]
    voxel_size_um: tuple[float, float, float]
    periodic: bool
    percolating: bool
    volume_fraction: float
    percolating_fraction: float
    bulk_conductivity_s_cm: float
    effective_conductivity_s_cm: float
    flux_mismatch: float
    iterations: int
    converged: bool
    wall_time_s: float
    solver_setup_time_s: float
    solver_time_s: float
    potential_v: np.ndarray | None = field(default=None, repr=False, compare=False)
    current_density_a_cm2: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def relative_conductivity(self) -> float:
        """σ_eff / σ0, equal to D_eff / D0."""
        if self.bulk_conductivity_s_cm <= 0.0:
            return 0.0
        return self.effective_conductivity_s_cm / self.bulk_conductivity_s_cm

    @property
    def tortuosity_factor(self) -> float:
        """τ = φ σ0 / σ_eff (TauFactor's τ, paper 002's τ²); ∞ when not percolating."""
        if self.relative_conductivity <= 0.0:
            return math.inf
        return self.volume_fraction / self.relative_conductivity

    @property
    def tortuosity(self) -> float:
        """√τ: the tortuosity τ of paper 002, whose square is the tortuosity factor."""
        return math.sqrt(self.tortuosity_factor)

    @property
    def macmullin_number(self) -> float:
        """N_M = σ0 / σ_eff; ∞ when not percolating."""
        if self.relative_conductivity <= 0.0:
            return math.inf
        return 1.0 / self.relative_conductivity

    def to_dict(self) -> dict:
        """JSON-serialisable summary (fields arrays left out; ∞ written as None)."""
        return {
            "axis": AXIS_NAMES[self.axis],
            "shape_voxels": list(self.shape),
            "voxel_size_um": list(self.voxel_size_um),
            "periodic_lateral": self.periodic,
            "percolating": self.percolating,
            "volume_fraction": self.volume_fraction,
            "percolating_fraction": self.percolating_fraction,
            "bulk_conductivity_s_cm": self.bulk_conductivity_s_cm,
            "effective_conductivity_s_cm": self.effective_conductivity_s_cm,
            "relative_conductivity": self.relative_conductivity,
            "tortuosity_factor": _finite_or_none(self.tortuosity_factor),
            "tortuosity": _finite_or_none(self.tortuosity),
            "macmullin_number": _finite_or_none(self.macmullin_number),
            "flux_mismatch": _finite_or_none(self.flux_mismatch),
            "iterations": self.iterations,
            "converged": self.converged,
            "wall_time_s": self.wall_time_s,
            "solver_setup_time_s": self.solver_setup_time_s,
            "solver_time_s": self.solver_time_s,
        }


@dataclass(frozen=True)
class CarrierTransport:
    """Ionic (SSE + shell) and electronic (CAM + carbon) conduction along one or more axes."""

    ionic: tuple[ConductionResult, ...]
    electronic: tuple[ConductionResult, ...]

    def to_dict(self) -> dict:
        """JSON-serialisable summary keyed by carrier, then axis name."""
        return {
            carrier: {AXIS_NAMES[r.axis]: r.to_dict() for r in results}
            for carrier, results in (("ionic", self.ionic), ("electronic", self.electronic))
        }
