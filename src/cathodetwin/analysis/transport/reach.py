"""Ion conduction into an electrode whose electrolyte does not span it (dead-end networks).

A cathode needs ions from the separator to each CAM particle, not a path on to the current
collector. When the electrolyte (SSE + shell) clusters connected to the separator face stop
short of the collector, the through-plane σ_eff between the two faces is 0, yet the CAM they
reach still cycles. This measures how deep (µm from the separator face) those clusters reach
and σ_eff along z over that slab [z_deepest, H]: the conductivity ions see on their way in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cathodetwin.analysis.connectivity import is_periodic_xy, network
from cathodetwin.analysis.transport.carriers import CARRIER_ROLES, carrier_conductivities
from cathodetwin.analysis.transport.conduction import effective_conductivity
from cathodetwin.structure.microstructure import THROUGH_PLANE_AXIS, Microstructure


@dataclass(frozen=True)
class SeparatorReach:
    """Depth reached by the separator-connected electrolyte and σ_eff (S/cm) over that slab."""

    depth_um: float  # from the separator face (z = H) down to the deepest connected voxel
    thickness_um: float  # electrode thickness H
    effective_conductivity_s_cm: float  # along z over the reached slab; 0 if nothing reached
    tortuosity_factor: float  # τ over the slab (inf if nothing reached)

    @property
    def reached_share(self) -> float:
        """Share of the electrode thickness the separator-connected electrolyte reaches."""
        return self.depth_um / self.thickness_um

    def to_dict(self) -> dict:
        """JSON-serialisable record with units in the keys."""
        return {
            "depth_um": self.depth_um,
            "thickness_um": self.thickness_um,
            "reached_share_of_thickness": self.reached_share,
            "effective_conductivity_s_cm": self.effective_conductivity_s_cm,
            "tortuosity_factor": self.tortuosity_factor,
        }


def separator_reach(micro: Microstructure, carrier: str = "ionic") -> SeparatorReach:
    """How deep the ``carrier``'s separator-connected phase reaches, and its σ_eff there."""
    if carrier not in CARRIER_ROLES:
        raise ValueError(f"carrier must be one of {tuple(CARRIER_ROLES)}, got {carrier!r}")
    nz = micro.shape[THROUGH_PLANE_AXIS]
    vz = micro.voxel_size_um[THROUGH_PLANE_AXIS]
    reached = network(micro.mask(*CARRIER_ROLES[carrier]), is_periodic_xy(micro))
    layers = np.flatnonzero(reached.connected_mask("separator").any(axis=(0, 1)))
    if layers.size == 0:
        return SeparatorReach(0.0, nz * vz, 0.0, float("inf"))
    k0 = int(layers[0])
    slab = Microstructure(np.ascontiguousarray(micro.labels[:, :, k0:]), micro.voxel_size_um,
                          micro.phases, micro.provenance)
    result = effective_conductivity(slab, carrier_conductivities(slab, carrier),
                                    axis=THROUGH_PLANE_AXIS)
    return SeparatorReach((nz - k0) * vz, nz * vz, result.effective_conductivity_s_cm,
                          result.tortuosity_factor)
