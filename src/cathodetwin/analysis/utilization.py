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
from cathodetwin.errors import InputError
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
    packing: Packing, *, thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS,
    contacts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> ParticleUtilization:
    """Paper 000's CAM utilization: share (0..1) of CAM particles with an SSE contact.

    A CAM particle counts at a threshold t when it overlaps an SSE particle (or a CAM particle
    with an SSE shell) by at least t × (r_i + r_j), or carries an SSE shell itself.

    Parameters
    ----------
    packing : Packing
        The particles; it must hold CAM.
    thresholds : tuple of float, optional
        Minimum overlaps as fractions (0..1) of the sum of the two radii; default 0, 2, 5 and
        10 %.
    contacts : tuple of 3 ndarray, optional
        ``geometric_contacts(packing)`` (pairs i, j and overlaps in µm), if already computed.

    Returns
    -------
    ParticleUtilization
        Per threshold the share (0..1) of CAM particles and of CAM core volume in contact, and
        the number of CAM particles.

    Examples
    --------
    Two CAM spheres (radius 2 µm), one overlapping an SSE sphere by 0.2 µm = 6.7 % of r_i + r_j:

    >>> import numpy as np
    >>> from cathodetwin.analysis import particle_utilization
    >>> from cathodetwin.packing import Packing
    >>> pair = Packing(
    ...     box_um=(10.0, 10.0, 10.0), center_um=np.array([[3, 5, 5], [7, 5, 1.5], [5.8, 5, 5]]),
    ...     radius_um=np.array([2.0, 2.0, 1.0]), component=np.array([0, 0, 1], np.int16),
    ...     component_names=("NCM", "LPSCl"), component_roles=("CAM", "SSE"),
    ...     component_materials=("NCM811", "Li6PS5Cl"), shell_thickness_um=np.zeros(3),
    ...     coverage=np.zeros(3), buffer_thickness_um=np.zeros(3))
    >>> particle_utilization(pair, thresholds=(0.0, 0.05, 0.10)).particle_fraction
    (0.5, 0.5, 0.0)
    """
    th = tuple(float(t) for t in thresholds)
    if not th or any(not 0.0 <= t < 1.0 for t in th):
        raise InputError(f"thresholds must be fractions in [0, 1), got {thresholds}")
    roles = np.asarray(packing.component_roles)[packing.component]
    cam = roles == "CAM"
    shelled = cam & (packing.shell_thickness_um > 0) & (packing.coverage > 0)
    ionic = (roles == "SSE") | shelled
    n_cam = int(cam.sum())
    if n_cam == 0:
        raise InputError("packing has no CAM particles; utilization is undefined")
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
    micro: Microstructure, *, particle_ids: np.ndarray | None = None, unit: str = "clusters",
    ionic: Network | None = None, electronic: Network | None = None,
    electron_connected: np.ndarray | None = None,
) -> VoxelUtilization:
    """Share (0..1) of CAM reachable by ions, and by ions and electrons, in the voxels.

    Ionic: the CAM particle shares a voxel face with SSE or shell connected to the separator.
    Ionic + electronic: also its CAM belongs to the electron network (CAM + coating + carbon)
    connected to the current collector, or ``electron_connected`` says it is joined to it.

    Parameters
    ----------
    micro : Microstructure
        The volume; it must hold CAM.
    particle_ids : ndarray of int, shape of ``micro``, optional
        Particle id (≥ 0) of each CAM voxel (``voxelize_with_owners``' owners, or
        ``cam_particle_ids(micro).ids``); without it each connected CAM cluster is one unit.
    unit : str, optional
        What a unit is, for the record ("packing particles", "watershed particles", ...).
    ionic, electronic : Network, optional
        ``role_networks(micro)["ionic"]`` and ``["electronic"]``, if already computed.
    electron_connected : ndarray of bool, optional
        Indexed by the values of ``particle_ids``: particles joined to the collector by another
        electron path (the packing's contact network).

    Returns
    -------
    VoxelUtilization
        Shares (0..1) of CAM volume and of CAM units reachable by ions, and by ions and
        electrons; the number of units and what a unit is.

    Examples
    --------
    >>> from cathodetwin.analysis import voxel_utilization
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> use = voxel_utilization(synthetic_composite((24, 24, 24), seed=1))
    >>> use.unit, use.ionic_volume_fraction > 0.9
    ('clusters', True)
    """
    periodic = is_periodic_xy(micro)
    cam = micro.mask(*CAM_SIDE_ROLES)
    if not cam.any():
        raise InputError("volume has no CAM voxels; utilization is undefined")
    if particle_ids is None:
        units = network(cam, periodic).labels
    else:
        if particle_ids.shape != micro.shape:
            raise InputError(
                f"particle_ids shape {particle_ids.shape} differs from the volume {micro.shape}"
            )
        if particle_ids[cam].min() < 0:
            raise InputError("particle_ids must be >= 0 on every CAM voxel")
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
            raise InputError("electron_connected needs particle_ids (one flag per particle id)")
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
