"""CAM utilization three ways: particle contacts (paper 000), ionic, and ionic + electronic.

(a) From a Packing: the share of CAM particles with at least one SSE contact whose overlap is
    at least a threshold × (r_i + r_j) (paper 000, Table 1). An SSE contact is a contact with
    an SSE particle or with a CAM particle carrying an SSE shell; CAM–CAM contacts otherwise do
    not count. A CAM particle with its own shell (coverage > 0) counts as in contact.
(b) From voxels, ionic: the share of CAM volume in particles that share a voxel face with SSE
    or shell connected to the separator face.
(c) From voxels, ionic + electronic: (b) and the particle also belongs to the electron
    network (CAM + carbon) connected to the current collector — in the voxels, or, when given,
    in the packing's contact network (which resolves sub-voxel carbon fibres).
A resolved buffer coating counts as part of its CAM particle in (b) and (c).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cathodetwin.analysis.geometry.connectivity import (
    Network,
    is_periodic_xy,
    network,
)
from cathodetwin.analysis.geometry.particles import geometric_contacts
from cathodetwin.packing import Packing
from cathodetwin.records import Record, key
from cathodetwin.structure.microstructure import (
    CAM_SIDE_ROLES,
    ELECTRONIC_ROLES,
    IONIC_ROLES,
    Microstructure,
)

DEFAULT_THRESHOLDS = (0.0, 0.02, 0.05, 0.10)


@dataclass(frozen=True)
class ParticleUtilization(Record):
    """Share of CAM particles (and of CAM volume) touching SSE at each minimum overlap.

    Written keyed by threshold in percent of the sum of radii (``by_min_overlap_percent``).
    """

    thresholds: tuple[float, ...]  # minimum overlap / (r_i + r_j)
    particle_fraction: tuple[float, ...]
    volume_fraction: tuple[float, ...]
    n_cam_particles: int

    def to_dict(self) -> dict:
        """JSON-serialisable record keyed by threshold in percent of the sum of radii."""
        return {
            "n_cam_particles": self.n_cam_particles,
            "by_min_overlap_percent": {
                f"{100 * t:g}": {"particle_fraction": p, "cam_volume_fraction": v}
                for t, p, v in zip(self.thresholds, self.particle_fraction,
                                   self.volume_fraction, strict=True)
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> ParticleUtilization:
        """The record :meth:`to_dict` wrote."""
        rows = data["by_min_overlap_percent"]
        return cls(tuple(float(k) / 100.0 for k in rows),
                   tuple(r["particle_fraction"] for r in rows.values()),
                   tuple(r["cam_volume_fraction"] for r in rows.values()),
                   data["n_cam_particles"])


def particle_utilization(
    packing: Packing, thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS,
    contacts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> ParticleUtilization:
    """Paper 000's CAM utilization at each relative minimum overlap in ``thresholds``.

    ``contacts`` may pass :func:`geometric_contacts` of the same packing.
    """
    th = tuple(float(t) for t in thresholds)
    if not th or any(not 0.0 <= t < 1.0 for t in th):
        raise ValueError(f"thresholds must be fractions in [0, 1), got {thresholds}")
    roles = np.asarray(packing.component_roles)[packing.component]
    cam = roles == "CAM"
    shelled = cam & (packing.shell_thickness_um > 0) & (packing.coverage > 0)
    ionic = (roles == "SSE") | shelled
    n_cam = int(cam.sum())
    if n_cam == 0:
        raise ValueError("packing has no CAM particles; utilization is undefined")
    i, j, overlap = contacts if contacts is not None else geometric_contacts(packing)
    rel = overlap / (packing.radius_um[i] + packing.radius_um[j])
    vol = packing.core_radius_um**3
    fr_p, fr_v = [], []
    for t in th:
        ok = rel >= t
        hit = shelled.copy()
        a = ok & cam[i] & ionic[j]
        b = ok & cam[j] & ionic[i]
        hit[i[a]] = True
        hit[j[b]] = True
        hit &= cam
        fr_p.append(float(hit.sum() / n_cam))
        fr_v.append(float(vol[hit].sum() / vol[cam].sum()))
    return ParticleUtilization(th, tuple(fr_p), tuple(fr_v), n_cam)


def face_neighbours(mask: np.ndarray, periodic_xy: bool) -> np.ndarray:
    """Voxels sharing a face with a True voxel of ``mask`` (x/y wrap when periodic)."""
    out = np.zeros_like(mask)
    for axis in range(3):
        if periodic_xy and axis < 2:
            out |= np.roll(mask, 1, axis=axis)
            out |= np.roll(mask, -1, axis=axis)
        else:
            lo = [slice(None)] * 3
            hi = [slice(None)] * 3
            lo[axis], hi[axis] = slice(0, -1), slice(1, None)
            out[tuple(lo)] |= mask[tuple(hi)]
            out[tuple(hi)] |= mask[tuple(lo)]
    return out


@dataclass(frozen=True)
class VoxelUtilization(Record):
    """CAM volume (and particle) shares (0..1) reachable by ions, and by ions and electrons."""

    ionic_volume_fraction: float = field(metadata=key("ionic_cam_volume_fraction"))
    ionic_electronic_volume_fraction: float = field(
        metadata=key("ionic_electronic_cam_volume_fraction"))
    ionic_particle_fraction: float = field(metadata=key("ionic_cam_particle_fraction"))
    ionic_electronic_particle_fraction: float = field(
        metadata=key("ionic_electronic_cam_particle_fraction"))
    n_cam_units: int
    # what a CAM unit is: "packing particles", "watershed particles", "clusters"
    unit: str = field(metadata=key("cam_unit"))


def voxel_utilization(
    micro: Microstructure, particle_ids: np.ndarray | None = None, unit: str = "clusters",
    ionic: Network | None = None, electronic: Network | None = None,
    electron_connected: np.ndarray | None = None,
) -> VoxelUtilization:
    """Utilization (b) and (c) of the CAM in ``micro``.

    ``particle_ids`` (int, same shape; ≥ 0 on CAM voxels, e.g. voxelize_with_owners' owners or
    a watershed) says which voxels form one particle; without it each connected CAM cluster
    is one unit. ``ionic`` / ``electronic`` may pass networks already computed on SSE + shell
    and CAM + coating + carbon. ``electron_connected`` (bool, indexed by the values of
    ``particle_ids``) marks particles joined to the collector by another electron path (the
    packing's contact network).
    """
    periodic = is_periodic_xy(micro)
    cam = micro.mask(*CAM_SIDE_ROLES)
    if not cam.any():
        raise ValueError("volume has no CAM voxels; utilization is undefined")
    if particle_ids is None:
        units = network(cam, periodic).labels
    else:
        if particle_ids.shape != micro.shape:
            raise ValueError(
                f"particle_ids shape {particle_ids.shape} differs from the volume {micro.shape}"
            )
        if particle_ids[cam].min() < 0:
            raise ValueError("particle_ids must be >= 0 on every CAM voxel")
        units = np.where(cam, particle_ids + 1, 0).astype(np.int32)
    if ionic is None:
        ionic = network(micro.mask(*IONIC_ROLES), periodic)
    if electronic is None:
        electronic = network(micro.mask(*ELECTRONIC_ROLES), periodic)
    touch = cam & face_neighbours(ionic.connected_mask("separator"), periodic)
    n = int(units.max()) + 1
    vol = np.bincount(units[cam], minlength=n).astype(np.float64)
    ion_ok = np.bincount(units[touch], minlength=n) > 0
    el_ok = np.bincount(units[cam & electronic.connected_mask("collector")], minlength=n) > 0
    if electron_connected is not None:
        if particle_ids is None:
            raise ValueError("electron_connected needs particle_ids (one flag per particle id)")
        flags = np.asarray(electron_connected, bool)[: n - 1]
        el_ok[1:flags.size + 1] |= flags
    exists = vol > 0
    exists[0] = False
    both = ion_ok & el_ok & exists
    ion_ok &= exists
    return VoxelUtilization(
        ionic_volume_fraction=float(vol[ion_ok].sum() / vol[exists].sum()),
        ionic_electronic_volume_fraction=float(vol[both].sum() / vol[exists].sum()),
        ionic_particle_fraction=float(ion_ok.sum() / exists.sum()),
        ionic_electronic_particle_fraction=float(both.sum() / exists.sum()),
        n_cam_units=int(exists.sum()),
        unit=unit if particle_ids is not None else "clusters",
    )
