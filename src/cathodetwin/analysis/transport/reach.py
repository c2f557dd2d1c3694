"""Conduction into an electrode whose ion or electron network does not span it (dead ends).

A cathode needs ions from the separator, and electrons from the current collector, to each
CAM particle, not a path on to the opposite face. When the clusters connected to a carrier's
entry face (separator for ions: SSE + shell; collector for electrons: CAM + carbon) stop short
of the other face, the through-plane σ_eff between the two faces is 0, yet the CAM they reach
still cycles. This measures how deep (µm from the entry face) those clusters reach and σ_eff
along z over that slab: the conductivity the carrier sees on its way in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cathodetwin.analysis.geometry.connectivity import is_periodic_xy, network
from cathodetwin.analysis.transport.carriers import carrier_conductivities
from cathodetwin.analysis.transport.conduction import effective_conductivity
from cathodetwin.errors import InputError
from cathodetwin.records import Record
from cathodetwin.structure.microstructure import (
    CARRIER_ROLES,
    THROUGH_PLANE_AXIS,
    Microstructure,
)

ENTRY_FACE = {"ionic": "separator", "electronic": "collector"}


@dataclass(frozen=True)
class EntryReach(Record):
    """Depth reached from a carrier's entry face and σ_eff (S/cm) over that slab."""

    DERIVED = ("entry_face", "reached_share_of_thickness")

    carrier: str
    depth_um: float  # from the entry face to the farthest connected voxel
    thickness_um: float  # electrode thickness H
    effective_conductivity_s_cm: float  # along z over the reached slab; 0 if nothing reached
    tortuosity_factor: float  # τ over the slab (inf if nothing reached)

    @property
    def entry_face(self) -> str:
        """Where the carrier enters the electrode: separator (ions) or collector (electrons)."""
        return ENTRY_FACE[self.carrier]

    @property
    def reached_share_of_thickness(self) -> float:
        """Share of the electrode thickness the carrier's entry-connected network reaches."""
        return self.depth_um / self.thickness_um


def entry_reach(micro: Microstructure, *, carrier: str = "ionic") -> EntryReach:
    """Depth (µm) a carrier's network reaches from its entry face, and σ_eff (S/cm) there.

    The clusters of the carrier's phases connected to its entry face (separator for ions,
    current collector for electrons) are followed to their deepest voxel layer; σ_eff along z
    is solved over that slab with the phases' material conductivities.

    Parameters
    ----------
    micro : Microstructure
        The volume; z (axis 2) is through-plane.
    carrier : {"ionic", "electronic"}, optional
        Ions (SSE + shell, from the separator; default) or electrons (CAM + carbon, from the
        collector).

    Returns
    -------
    EntryReach
        Depth reached (µm), electrode thickness (µm), σ_eff over the reached slab (S/cm, 0 if
        nothing is reached) and τ (-) over it.

    Examples
    --------
    An electrolyte that fills only the half next to the separator:

    >>> import numpy as np
    >>> from cathodetwin.analysis import entry_reach
    >>> from cathodetwin.structure.microstructure import Microstructure, Phase
    >>> labels = np.zeros((4, 4, 8), np.uint8)
    >>> labels[:, :, 4:] = 1
    >>> phases = (Phase(0, "pore", "pore"), Phase(1, "LPSCl", "SSE", "Li6PS5Cl"))
    >>> reach = entry_reach(Microstructure(labels, (0.5, 0.5, 0.5), phases), carrier="ionic")
    >>> reach.depth_um, reach.reached_share_of_thickness, round(reach.tortuosity_factor, 6)
    (2.0, 0.5, 1.0)
    """
    if carrier not in CARRIER_ROLES:
        raise InputError(f"carrier must be one of {tuple(CARRIER_ROLES)}, got {carrier!r}")
    nz = micro.shape[THROUGH_PLANE_AXIS]
    vz = micro.voxel_size_um[THROUGH_PLANE_AXIS]
    reached = network(micro.mask(*CARRIER_ROLES[carrier]), is_periodic_xy(micro))
    layers = np.flatnonzero(reached.connected_mask(ENTRY_FACE[carrier]).any(axis=(0, 1)))
    if layers.size == 0:
        return EntryReach(carrier, 0.0, nz * vz, 0.0, float("inf"))
    k0, k1 = (int(layers[0]), nz) if carrier == "ionic" else (0, int(layers[-1]) + 1)
    slab = Microstructure(np.ascontiguousarray(micro.labels[:, :, k0:k1]), micro.voxel_size_um,
                          micro.phases, micro.provenance)
    result = effective_conductivity(slab, carrier_conductivities(slab, carrier),
                                    axis=THROUGH_PLANE_AXIS, periodic=is_periodic_xy(micro))
    return EntryReach(carrier, (k1 - k0) * vz, nz * vz, result.effective_conductivity_s_cm,
                      result.tortuosity_factor)
