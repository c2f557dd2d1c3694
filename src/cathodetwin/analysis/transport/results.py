"""Result records of the transport analysis."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cathodetwin.records import Record, by_name, key

AXIS_NAMES = ("x", "y", "z")


@dataclass(frozen=True)
class ConductionResult(Record):
    """Steady conduction between two opposite faces of a voxel volume.

    ``tortuosity_factor`` τ follows TauFactor: σ_eff = σ0 · φ / τ (D_eff = D0 ε / τ). Paper 002
    writes the same number as τ² = σ0 · φ / σ_eff; ``tortuosity`` is its square root (paper
    002's τ). ``macmullin_number`` is σ0 / σ_eff = τ / φ. A phase that does not connect the two
    faces has ``percolating`` False, σ_eff = 0 and τ = ∞ (written as null). ``wall_time_s``
    covers the whole call; ``solver_setup_time_s`` the multigrid hierarchy and
    ``solver_time_s`` the iterations. The fields arrays are not written.
    """

    DERIVED = ("relative_conductivity", "tortuosity_factor", "tortuosity", "macmullin_number")

    axis: int = field(metadata={"codec": (AXIS_NAMES.__getitem__, AXIS_NAMES.index)})
    shape: tuple[int, int, int] = field(metadata=key("shape_voxels"))
    voxel_size_um: tuple[float, float, float]
    periodic: bool = field(metadata=key("periodic_lateral"))
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
    potential_v: np.ndarray | None = field(default=None, repr=False, compare=False,
                                           metadata={"json": False})
    current_density_a_cm2: np.ndarray | None = field(default=None, repr=False, compare=False,
                                                     metadata={"json": False})

    @property
    def axis_name(self) -> str:
        """Name of the transport axis: x, y or z."""
        return AXIS_NAMES[self.axis]

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


@dataclass(frozen=True)
class CarrierTransport(Record):
    """Ionic (SSE + shell) and electronic (CAM + carbon) conduction along one or more axes.

    Written keyed by carrier, then axis name.
    """

    ionic: tuple[ConductionResult, ...] = field(metadata=by_name(ConductionResult, "axis_name"))
    electronic: tuple[ConductionResult, ...] = field(
        metadata=by_name(ConductionResult, "axis_name"))

    def along(self, carrier: str, axis: int) -> ConductionResult:
        """The ``carrier``'s result along ``axis`` (0 = x, 1 = y, 2 = z)."""
        for result in getattr(self, carrier):
            if result.axis == axis:
                return result
        raise KeyError(f"no {carrier} result along {AXIS_NAMES[axis]}")
