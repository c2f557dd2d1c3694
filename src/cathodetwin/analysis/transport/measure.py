"""The transport stage of a twin: voxel solves, the packing's contact network, CAM utilization.

One call gives what the cell needs about ions and electrons: the through-plane voxel solves
of both carriers, the electronic contact network of the packing (generated twins), the CAM
reachable by both carriers, and, for a carrier whose network does not span the electrode, the
slab its entry face reaches. The choice of which electronic conductivity the cell sees is made
here (``electronic_conductivity_source``), not by the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cathodetwin.analysis.geometry.connectivity import is_periodic_xy, role_networks
from cathodetwin.analysis.geometry.particles import CamParticleIds, cam_particle_ids
from cathodetwin.analysis.transport.carriers import ionic_and_electronic
from cathodetwin.analysis.transport.contact_network import (
    ContactNetworkResult,
    electronic_contact_network,
)
from cathodetwin.analysis.transport.ionic_network import IonicNetwork, ionic_network
from cathodetwin.analysis.transport.reach import EntryReach, entry_reach
from cathodetwin.analysis.transport.results import CarrierTransport
from cathodetwin.analysis.utilization import VoxelUtilization, voxel_utilization
from cathodetwin.packing import Packing
from cathodetwin.structure.microstructure import (
    CAM_SIDE_ROLES,
    THROUGH_PLANE_AXIS,
    Microstructure,
)


@dataclass(frozen=True)
class TransportMetrics(CarrierTransport):
    """Voxel conduction per carrier and axis, the contact network, utilization and reach.

    ``electronic_contact_network`` and ``ionic_contact_network`` are None without a packing
    (an imported image: σ_ion from the voxels, ``ionic_conductivity_source`` says which);
    ``utilization_voxel`` None without CAM; ``{carrier}_entry_reach`` only where the carrier's
    network does not span the electrode through-plane. The effective conductivities the cell
    sees (``*_conductivity_eff_s_cm``) and the through-plane electronic values are derived.
    """

    DERIVED = ("electronic_conductivity_source", "electronic_conductivity_s_cm",
               "electronic_tortuosity_factor", "ionic_conductivity_source",
               "ionic_conductivity_s_cm", "ionic_tortuosity_factor",
               "ionic_conductivity_eff_s_cm", "electronic_conductivity_eff_s_cm")

    electronic_contact_network: ContactNetworkResult | None = None
    ionic_contact_network: IonicNetwork | None = None
    utilization_voxel: VoxelUtilization | None = None
    ionic_entry_reach: EntryReach | None = None
    electronic_entry_reach: EntryReach | None = None
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def electronic_conductivity_source(self) -> str:
        """Where σ_e comes from: the packing's "contact network" or the "voxels" (images)."""
        return "contact network" if self.electronic_contact_network is not None else "voxels"

    @property
    def electronic_conductivity_s_cm(self) -> float:
        """Through-plane σ_e between collector and separator face (S/cm; 0 without a path)."""
        net = self.electronic_contact_network
        if net is not None:
            return net.effective_conductivity_s_cm
        return self.along("electronic", THROUGH_PLANE_AXIS).effective_conductivity_s_cm

    @property
    def electronic_tortuosity_factor(self) -> float:
        """Through-plane electronic τ = σ0·φ/σ_eff of the same source (∞ without a path)."""
        net = self.electronic_contact_network
        if net is not None:
            return net.tortuosity_factor
        return self.along("electronic", THROUGH_PLANE_AXIS).tortuosity_factor

    @property
    def _ionic_network_used(self) -> bool:
        """Whether σ_ion comes from the contact network (a packing whose SSE shells, if any,
        the network does not ignore)."""
        net = self.ionic_contact_network
        return net is not None and not net.sse_shells_ignored

    @property
    def ionic_conductivity_source(self) -> str:
        """Where σ_ion comes from: the packing's "contact network" or the "voxels" (images,
        or packings with SSE shells, which only the voxel route conducts through)."""
        return "contact network" if self._ionic_network_used else "voxels"

    @property
    def ionic_conductivity_s_cm(self) -> float:
        """Through-plane σ_ion between the two faces (S/cm; 0 without a path)."""
        if self._ionic_network_used:
            return self.ionic_contact_network.effective_conductivity_s_cm
        return self.along("ionic", THROUGH_PLANE_AXIS).effective_conductivity_s_cm

    @property
    def ionic_tortuosity_factor(self) -> float:
        """Through-plane ionic τ = σ0·φ/σ_eff of the same source (∞ without a path)."""
        if self._ionic_network_used:
            return self.ionic_contact_network.tortuosity_factor
        return self.along("ionic", THROUGH_PLANE_AXIS).tortuosity_factor

    @property
    def ionic_conductivity_eff_s_cm(self) -> float:
        """σ_ion,eff the cell sees (S/cm): through-plane, or over the slab ions reach."""
        if self.ionic_entry_reach is not None:
            return self.ionic_entry_reach.effective_conductivity_s_cm
        return self.ionic_conductivity_s_cm

    @property
    def electronic_conductivity_eff_s_cm(self) -> float:
        """σ_e,eff the cell sees (S/cm): through-plane, or over the slab electrons reach."""
        if self.electronic_entry_reach is not None:
            return self.electronic_entry_reach.effective_conductivity_s_cm
        return self.electronic_conductivity_s_cm


def measure_transport(
    micro: Microstructure, packing: Packing | None = None, *,
    axes: Sequence[int] = (THROUGH_PLANE_AXIS,),
    particle_ids: np.ndarray | None = None,
    cam_particles: CamParticleIds | None = None,
    threads: int | None = None,
    device: str = "cpu",
    progress: Callable[[float], None] | None = None,
) -> TransportMetrics:
    """Transport stage of a twin: σ_eff (S/cm) of ions and electrons, CAM utilization, reach.

    Voxel solves of both carriers (:func:`ionic_and_electronic`, lateral faces periodic for a
    generated twin, as its packing), the packing's electronic and ionic contact networks
    (:func:`electronic_contact_network`, :func:`ionic_network`), the CAM reachable by both carriers
    (:func:`voxel_utilization`) and, for a carrier whose network does not span the electrode,
    the slab its entry face reaches (:func:`entry_reach`). It decides which electronic
    conductivity the cell sees (the contact network's, where there is a packing).

    Parameters
    ----------
    micro : Microstructure
        The volume.
    packing : Packing, optional
        The packing ``micro`` was voxelized from (contact network, CAM particles).
    axes : sequence of int, optional
        Voxel solve axes (0, 1, 2 = x, y, z); z is always solved.
    particle_ids : ndarray of int, shape of ``micro``, optional
        The packing's voxel owners from ``voxelize_with_owners`` (saves re-drawing it).
    cam_particles : CamParticleIds, optional
        :func:`cam_particle_ids` of ``micro``, if already found.
    threads : int, optional
        Threads of the voxel solves; default the idle cores.
    device : {"cpu", "cuda"}, optional
        Where the voxel solves run: "cpu" (numba, ``threads``) or "cuda" (the first GPU, via
        numba.cuda).
    progress : callable, optional
        Called with the share of the stage's steps done (0–1): after each voxel solve, then
        after the contact networks, the utilization and the entry reach.

    Returns
    -------
    TransportMetrics
        Per carrier and axis a :class:`ConductionResult` (σ_eff in S/cm, τ), the contact
        network result, the voxel utilization (0..1), the entry reach of a non-spanning carrier,
        the effective conductivities the cell sees (S/cm) and timings (s).

    Examples
    --------
    >>> from cathodetwin.analysis import measure_transport
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> transport = measure_transport(synthetic_composite((24, 24, 24), seed=1))
    >>> transport.electronic_conductivity_source, transport.ionic_conductivity_eff_s_cm > 0
    ('voxels', True)
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    axes = tuple(sorted({*axes, THROUGH_PLANE_AXIS}))
    # progress: share of the stage's steps done; each voxel solve is a step, then the electronic
    # contact network, the ionic one (packings with SSE), the utilization (CAM) and the reach
    has_ions = packing is not None and "SSE" in packing.component_roles
    has_cam = bool(micro.mask(*CAM_SIDE_ROLES).any())
    solves = 2 * len(axes)
    steps = solves + 2 + has_ions + has_cam
    done = solves
    report = progress or (lambda share: None)

    def tick(name: str) -> None:
        nonlocal t0, done
        now = time.perf_counter()
        timings[name] = round(now - t0, 3)
        t0 = now
        if name != "voxel_solves":
            done += 1
            report(min(1.0, done / steps))

    periodic = is_periodic_xy(micro)  # generated twins: lateral faces periodic, like the packing
    voxels = ionic_and_electronic(
        micro, axes=axes, periodic=periodic, threads=threads, device=device,
        progress=lambda share: report(share * solves / steps),
    )
    tick("voxel_solves")
    network = electronic_contact_network(packing) if packing is not None else None
    tick("electronic_contact_network")
    ions = None
    if has_ions:
        ions = ionic_network(packing)
        tick("ionic_contact_network")
    utilization = None
    if has_cam:
        found = cam_particles or cam_particle_ids(micro, packing, particle_ids=particle_ids)
        linked = None  # indexed like ids: 0 is no particle, p + 1 is packing particle p
        if network is not None and found.method != "watershed particles":
            linked = np.concatenate([[False], network.connected_to_collector])
        nets = role_networks(micro)
        utilization = voxel_utilization(micro, particle_ids=found.ids, unit=found.method,
                                        ionic=nets["ionic"], electronic=nets["electronic"],
                                        electron_connected=linked)
        tick("voxel_utilization")
    z = axes.index(THROUGH_PLANE_AXIS)
    ion_net_used = ions is not None and not ions.sse_shells_ignored
    ions_span = ions.percolating if ion_net_used else voxels.ionic[z].percolating
    # a non-spanning network: the slab the separator's voxel clusters reach (the voxel image's
    # reach at the pellet σ; the network's own reach is not computed)
    ionic_reach = None if ions_span else entry_reach(micro, carrier="ionic")
    electronic_reach = None
    if not (network.percolating if network is not None else voxels.electronic[z].percolating):
        electronic_reach = (network.entry_reach if network is not None
                            else entry_reach(micro, carrier="electronic"))
    tick("entry_reach")
    return TransportMetrics(
        ionic=voxels.ionic, electronic=voxels.electronic,
        electronic_contact_network=network, ionic_contact_network=ions,
        utilization_voxel=utilization,
        ionic_entry_reach=ionic_reach, electronic_entry_reach=electronic_reach,
        timings_s=timings,
    )
