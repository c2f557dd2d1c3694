"""All structural measurements of a Microstructure in one call (the lab's structural panel)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from cathodetwin.analysis.geometry.connectivity import (
    ConnectivityReport,
    connectivity_report,
    is_periodic_xy,
    role_networks,
)
from cathodetwin.analysis.geometry.fractions import PhaseFractions, phase_fractions
from cathodetwin.analysis.geometry.interfaces import InterfaceAreas, interface_areas
from cathodetwin.analysis.geometry.particle_paths import (
    ParticlePathTortuosity,
    particle_path_tortuosity,
)
from cathodetwin.analysis.geometry.particles import (
    CamContacts,
    cam_particle_mask,
    contact_pairs,
    geometric_contacts,
    packing_cam_contacts,
    separate_particles,
)
from cathodetwin.analysis.geometry.paths import GeometricTortuosity, geometric_tortuosity
from cathodetwin.analysis.geometry.pores import PoreSizes, pore_sizes
from cathodetwin.analysis.transport.contact_network import (
    ContactNetworkResult,
    electronic_contact_network,
)
from cathodetwin.analysis.utilization import (
    DEFAULT_THRESHOLDS,
    ParticleUtilization,
    VoxelUtilization,
    particle_utilization,
    voxel_utilization,
)
from cathodetwin.packing import Packing
from cathodetwin.structure.microstructure import CAM_SIDE_ROLES, Microstructure
from cathodetwin.structure.voxelize import grid_for_box, voxelize_with_owners


@dataclass(frozen=True)
class StructureMetrics:
    """Everything :func:`measure_structure` measures; ``to_dict`` gives JSON with units."""

    shape: tuple[int, int, int]
    voxel_size_um: tuple[float, float, float]
    fractions: PhaseFractions
    connectivity: ConnectivityReport
    interfaces: InterfaceAreas
    pores: PoreSizes
    ionic_tortuosity: GeometricTortuosity
    voxel_utilization: VoxelUtilization | None  # None without CAM
    particle_utilization: ParticleUtilization | None  # None without a Packing
    cam_contacts: CamContacts | None  # None without CAM
    particle_tortuosity: ParticlePathTortuosity | None  # SSE particle network; None w/o Packing
    electronic_network: ContactNetworkResult | None = None  # packing contact network
    timings_s: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-serialisable nested record; keys carry units."""
        def opt(x: object) -> dict | None:
            return x.to_dict() if x is not None else None  # type: ignore[attr-defined]

        return {
            "shape_voxels": list(self.shape),
            "voxel_size_um": list(self.voxel_size_um),
            "fractions": self.fractions.to_dict(),
            "connectivity": self.connectivity.to_dict(),
            "interfaces": self.interfaces.to_dict(),
            "pores": self.pores.to_dict(),
            "ionic_geometric_tortuosity": self.ionic_tortuosity.to_dict(),
            "utilization_voxel": opt(self.voxel_utilization),
            "utilization_particle_contacts": opt(self.particle_utilization),
            "cam_contacts": opt(self.cam_contacts),
            "ionic_particle_network_tortuosity": opt(self.particle_tortuosity),
            "electronic_contact_network": opt(self.electronic_network),
            "timings_s": dict(self.timings_s),
        }


def packing_owners(micro: Microstructure, packing: Packing) -> np.ndarray:
    """Owning particle index per voxel for ``micro`` re-drawn from ``packing`` (checked equal)."""
    shape, _ = grid_for_box(packing.box_um, micro.voxel_size_um[0])
    if shape != micro.shape:
        raise ValueError(
            f"packing: box {packing.box_um} µm at voxel {micro.voxel_size_um[0]:g} µm gives "
            f"{shape} voxels, but the volume is {micro.shape}"
        )
    seed = int(micro.provenance.get("patch_seed", 0))
    again, owners = voxelize_with_owners(packing, micro.voxel_size_um[0], patch_seed=seed)
    if not np.array_equal(again.labels, micro.labels):
        raise ValueError("packing: the volume was not voxelized from this packing and voxel size")
    return owners


def measure_structure(
    micro: Microstructure, packing: Packing | None = None,
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS,
    particle_ids: np.ndarray | None = None,
) -> StructureMetrics:
    """Fractions, connectivity, interfaces, pores, tortuosity, utilization and CAM contacts.

    With a ``packing`` (the one ``micro`` was voxelized from) CAM particles are the packing's
    spheres, and paper 000's contact utilization is computed at ``thresholds`` (fractions of
    r_i + r_j). Without one, CAM particles are split by a distance-map watershed.
    ``particle_ids`` (owners from ``voxelize_with_owners``) saves re-drawing the packing.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def tick(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        timings[name] = round(now - t0, 3)
        t0 = now

    periodic = is_periodic_xy(micro)
    fractions = phase_fractions(micro)
    tick("fractions")
    nets = role_networks(micro)
    conn = connectivity_report(micro, nets)
    tick("connectivity")
    areas = interface_areas(micro)
    tick("interfaces")
    pore_clusters = [c.n_clusters for c in conn.phases if c.roles == ("pore",)]
    pores = pore_sizes(micro, n_pore_regions=pore_clusters[0] if len(pore_clusters) == 1
                       else None)
    tick("pores")
    tort = geometric_tortuosity(micro)
    tick("tortuosity")
    cam = micro.mask(*CAM_SIDE_ROLES)
    vox_util = contacts = part_util = None
    pack_contacts = geometric_contacts(packing) if packing is not None else None
    part_tort = enet = None
    if packing is not None:
        part_tort = particle_path_tortuosity(packing, contacts=pack_contacts)
        tick("particle_tortuosity")
        enet = electronic_contact_network(packing)
        tick("electronic_contact_network")
    if packing is not None and np.any(cam_particle_mask(packing)):
        part_util = particle_utilization(packing, thresholds, pack_contacts)
        tick("particle_utilization")
    if cam.any():
        if particle_ids is not None:
            owners, method = particle_ids, "given particle ids"
        elif packing is not None:
            owners, method = packing_owners(micro, packing), "packing particles"
        if particle_ids is not None or packing is not None:
            ids = np.where(cam, owners + 1, 0).astype(np.int32)
        else:
            ids, _ = separate_particles(cam, micro.voxel_size_um, periodic)
            method = "watershed particles"
        tick("cam_particles")
        linked = None  # indexed like ids: 0 is no particle, p + 1 is packing particle p
        if enet is not None and method != "watershed particles":
            linked = np.concatenate([[False], enet.connected_to_collector])
        vox_util = voxel_utilization(micro, ids, method, nets["ionic"], nets["electronic"],
                                     linked)
        tick("voxel_utilization")
        pairs = contact_pairs(ids, periodic)
        n_img = int(np.count_nonzero(np.bincount(ids.ravel())[1:]))
        n_pack, c_pack = (packing_cam_contacts(packing, pack_contacts) if packing is not None
                          else (None, None))
        contacts = CamContacts(n_pack, c_pack, n_img, int(len(pairs)), method)
        tick("cam_contacts")
    return StructureMetrics(
        shape=micro.shape,
        voxel_size_um=micro.voxel_size_um,
        fractions=fractions,
        connectivity=conn,
        interfaces=areas,
        pores=pores,
        ionic_tortuosity=tort,
        voxel_utilization=vox_util,
        particle_utilization=part_util,
        cam_contacts=contacts,
        particle_tortuosity=part_tort,
        electronic_network=enet,
        timings_s=timings,
    )
