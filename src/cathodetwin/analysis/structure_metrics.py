"""All geometric measurements of a Microstructure in one call (the lab's structural panel)."""

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
    CamParticleIds,
    cam_particle_ids,
    cam_particle_mask,
    contact_pairs,
    geometric_contacts,
    packing_cam_contacts,
)
from cathodetwin.analysis.geometry.paths import GeometricTortuosity, geometric_tortuosity
from cathodetwin.analysis.geometry.pores import PoreSizes, pore_sizes
from cathodetwin.analysis.utilization import (
    DEFAULT_THRESHOLDS,
    ParticleUtilization,
    particle_utilization,
)
from cathodetwin.packing import Packing
from cathodetwin.records import Record, key
from cathodetwin.structure.microstructure import CAM_SIDE_ROLES, Microstructure


@dataclass(frozen=True)
class StructureMetrics(Record):
    """Everything :func:`measure_structure` measures: geometry only, units in the keys."""

    shape: tuple[int, int, int] = field(metadata=key("shape_voxels"))
    voxel_size_um: tuple[float, float, float]
    fractions: PhaseFractions
    connectivity: ConnectivityReport
    interfaces: InterfaceAreas
    pores: PoreSizes
    ionic_tortuosity: GeometricTortuosity = field(metadata=key("ionic_geometric_tortuosity"))
    # paper 000's contact utilization; None without a Packing (or without CAM)
    particle_utilization: ParticleUtilization | None = field(
        metadata=key("utilization_particle_contacts"))
    cam_contacts: CamContacts | None  # None without CAM
    # SSE particle network; None without a Packing
    particle_tortuosity: ParticlePathTortuosity | None = field(
        metadata=key("ionic_particle_network_tortuosity"))
    timings_s: dict[str, float] = field(default_factory=dict)


def measure_structure(
    micro: Microstructure, packing: Packing | None = None, *,
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS,
    particle_ids: np.ndarray | None = None,
    cam_particles: CamParticleIds | None = None,
) -> StructureMetrics:
    """Structure stage of a twin: fractions, connectivity, interface areas (µm²), pores (µm), τ.

    Runs :func:`phase_fractions`, :func:`connectivity_report`, :func:`interface_areas`,
    :func:`pore_sizes`, :func:`geometric_tortuosity` and counts CAM–CAM contacts. With a
    ``packing`` (the one ``micro`` was voxelized from) CAM particles are the packing's spheres,
    and the particle-network tortuosity and paper 000's contact utilization are added. Without
    one, CAM particles are split by a distance-map watershed.

    Parameters
    ----------
    micro : Microstructure
        The volume.
    packing : Packing, optional
        The packing ``micro`` was voxelized from.
    thresholds : tuple of float, optional
        Minimum overlaps of the contact utilization, as fractions (0..1) of r_i + r_j.
    particle_ids : ndarray of int, shape of ``micro``, optional
        The packing's voxel owners from ``voxelize_with_owners`` (saves re-drawing it).
    cam_particles : CamParticleIds, optional
        :func:`cam_particle_ids` of ``micro``, if already found.

    Returns
    -------
    StructureMetrics
        Shape (voxels), voxel size (µm) and each part's result record (units in their keys),
        with per-part timings (s).

    Examples
    --------
    >>> from cathodetwin.analysis import measure_structure
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> metrics = measure_structure(synthetic_composite((24, 24, 24), porosity=0.2, seed=1))
    >>> round(float(metrics.fractions.porosity), 2), metrics.cam_contacts.image_method
    (0.19, 'watershed particles')
    >>> metrics.particle_utilization is None  # needs a packing
    True
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def tick(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        timings[name] = round(now - t0, 3)
        t0 = now

    fractions = phase_fractions(micro)
    tick("fractions")
    conn = connectivity_report(micro, networks=role_networks(micro))
    tick("connectivity")
    areas = interface_areas(micro)
    tick("interfaces")
    pore_clusters = [c.n_clusters for c in conn.phases if c.roles == ("pore",)]
    pores = pore_sizes(micro, n_pore_regions=pore_clusters[0] if len(pore_clusters) == 1
                       else None)
    tick("pores")
    tort = geometric_tortuosity(micro)
    tick("tortuosity")
    part_util = part_tort = contacts = None
    pack_contacts = geometric_contacts(packing) if packing is not None else None
    if packing is not None:
        part_tort = particle_path_tortuosity(packing, contacts=pack_contacts)
        tick("particle_tortuosity")
    if packing is not None and np.any(cam_particle_mask(packing)):
        part_util = particle_utilization(packing, thresholds=thresholds, contacts=pack_contacts)
        tick("particle_utilization")
    if micro.mask(*CAM_SIDE_ROLES).any():
        found = cam_particles or cam_particle_ids(micro, packing, particle_ids=particle_ids)
        tick("cam_particles")
        pairs = contact_pairs(found.ids, is_periodic_xy(micro))
        n_img = int(np.count_nonzero(np.bincount(found.ids.ravel())[1:]))
        n_pack, c_pack = (packing_cam_contacts(packing, pack_contacts) if packing is not None
                          else (None, None))
        contacts = CamContacts(n_pack, c_pack, n_img, int(len(pairs)), found.method)
        tick("cam_contacts")
    return StructureMetrics(
        shape=micro.shape,
        voxel_size_um=micro.voxel_size_um,
        fractions=fractions,
        connectivity=conn,
        interfaces=areas,
        pores=pores,
        ionic_tortuosity=tort,
        particle_utilization=part_util,
        cam_contacts=contacts,
        particle_tortuosity=part_tort,
        timings_s=timings,
    )
