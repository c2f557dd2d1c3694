"""Particles in an image: split a phase by distance-map watershed; count particle contacts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from cathodetwin.analysis.geometry._segment_kernels import persistence_watershed
from cathodetwin.analysis.geometry.connectivity import is_periodic_xy
from cathodetwin.analysis.geometry.distance import distance_transform
from cathodetwin.errors import InputError
from cathodetwin.packing import Packing
from cathodetwin.records import Record, key
from cathodetwin.structure.microstructure import CAM_SIDE_ROLES, Microstructure
from cathodetwin.structure.voxelize import grid_for_box, voxelize_with_owners

DEFAULT_MIN_PERSISTENCE_VOXELS = 1.0


def separate_particles(
    mask: np.ndarray, *, voxel_size_um: tuple[float, float, float], periodic_xy: bool = False,
    min_persistence_um: float | None = None, dist: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Split a phase into particles by a watershed of its distance map (µm); ids and count.

    Each particle grows from a maximum of the inscribed-sphere radius; two maxima stay
    separate particles when both rise more than ``min_persistence_um`` above the neck
    between them (the h-maxima criterion).

    Parameters
    ----------
    mask : ndarray of bool, shape (nx, ny, nz)
        The phase to split (CAM of an imported image, or the pores into pore bodies).
    voxel_size_um : tuple of 3 float
        Voxel edge lengths in µm along x, y, z.
    periodic_xy : bool, optional
        The volume repeats in x and y (a generated twin); default False.
    min_persistence_um : float, optional
        Height in µm a maximum must rise above the neck to its neighbour to stay a particle of
        its own; default one (smallest) voxel edge.
    dist : ndarray of float32, optional
        :func:`distance_transform` of ``mask`` in µm, if already computed.

    Returns
    -------
    ids : ndarray of int32, shape (nx, ny, nz)
        Particle id (dimensionless) per voxel: 1..n inside ``mask``, 0 outside.
    n : int
        Number of particles.

    Examples
    --------
    >>> import numpy as np
    >>> from cathodetwin.analysis import separate_particles
    >>> x, y, z = np.indices((24, 14, 14))
    >>> two = ((x - 6) ** 2 + (y - 7) ** 2 + (z - 7) ** 2 < 25) | (
    ...     (x - 15) ** 2 + (y - 7) ** 2 + (z - 7) ** 2 < 25)  # two overlapping balls
    >>> ids, n = separate_particles(two, voxel_size_um=(0.1, 0.1, 0.1))
    >>> n
    2
    """
    h = DEFAULT_MIN_PERSISTENCE_VOXELS * min(voxel_size_um) if min_persistence_um is None \
        else float(min_persistence_um)
    if h < 0:
        raise InputError(f"min_persistence_um must be >= 0, got {min_persistence_um}")
    if dist is None:
        dist = distance_transform(mask, voxel_size_um=voxel_size_um,
                                  periodic=(periodic_xy, periodic_xy, False))
    flat = np.flatnonzero(mask.ravel())
    order = flat[np.argsort(-dist.ravel()[flat], kind="stable")]
    return persistence_watershed(dist, order, h, periodic_xy, periodic_xy)


def _along(a: np.ndarray, axis: int, start: int, stop: int) -> np.ndarray:
    sl = [slice(None)] * a.ndim
    sl[axis] = slice(start, stop)
    return a[tuple(sl)]


def contact_pairs(ids: np.ndarray, periodic_xy: bool) -> np.ndarray:
    """Distinct pairs (a < b) of positive ids that share at least one voxel face, shape (P, 2)."""
    keys = []
    base = np.int64(int(ids.max()) + 1)
    for axis in range(3):
        n = ids.shape[axis]
        pieces = [(_along(ids, axis, 0, n - 1), _along(ids, axis, 1, n))]
        if periodic_xy and axis < 2:
            pieces.append((_along(ids, axis, n - 1, n), _along(ids, axis, 0, 1)))
        for u, v in pieces:
            sel = (u > 0) & (v > 0) & (u != v)
            lo = np.minimum(u[sel], v[sel]).astype(np.int64)
            hi = np.maximum(u[sel], v[sel]).astype(np.int64)
            keys.append(np.unique(lo * base + hi))
    uniq = np.unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
    return np.column_stack([uniq // base, uniq % base])


def _size_classes(r: np.ndarray, ratio: float = 1.5) -> list[np.ndarray]:
    """Indices of spheres grouped by radius in classes spanning a factor ``ratio`` each."""
    edges = [float(r.min())]
    while edges[-1] * ratio < r.max():
        edges.append(edges[-1] * ratio)
    cls = np.searchsorted(np.asarray(edges), r, side="right") - 1
    return [np.flatnonzero(cls == c) for c in range(len(edges)) if np.any(cls == c)]


def geometric_contacts(packing: Packing) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sphere pairs (i < j) that overlap, with overlap r_i + r_j − |x_i − x_j| (µm) > 0.

    Distances use the nearest periodic image in x and y; z is not periodic. This is the DEM's
    contact definition, so it also serves hand-built packings that carry no contact list.
    Spheres are searched by radius class so that a few large particles do not widen the
    search radius of all the small ones.
    """
    n = len(packing)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if n < 2:
        return empty
    bx, by, _ = packing.box_um
    c = packing.center_um.copy()
    c[:, 0] %= bx
    c[:, 1] %= by
    r = packing.radius_um
    c[:, 2] -= c[:, 2].min()
    box = (bx, by, c[:, 2].max() + 4.0 * r.max() + 1.0)
    classes = _size_classes(r)
    trees = [cKDTree(c[idx], boxsize=box) for idx in classes]
    ii, jj = [], []
    for a, ia in enumerate(classes):
        for b in range(a, len(classes)):
            ib = classes[b]
            reach = float(r[ia].max() + r[ib].max())
            m = trees[a].sparse_distance_matrix(trees[b], reach, output_type="ndarray")
            gi, gj = ia[m["i"]], ib[m["j"]]
            keep = (gi < gj) if a == b else np.ones(gi.size, bool)
            ii.append(gi[keep])
            jj.append(gj[keep])
    i = np.concatenate(ii).astype(np.int64)
    j = np.concatenate(jj).astype(np.int64)
    d = c[j] - c[i]
    d[:, 0] -= bx * np.round(d[:, 0] / bx)
    d[:, 1] -= by * np.round(d[:, 1] / by)
    overlap = r[i] + r[j] - np.linalg.norm(d, axis=1)
    keep = overlap > 0
    lo, hi = np.minimum(i, j)[keep], np.maximum(i, j)[keep]
    return lo, hi, overlap[keep]


def _coordination(contacts: int | None, particles: int | None) -> float | None:
    """Mean contacts per particle, 2 × contacts / particles (None where unknown)."""
    return 2.0 * contacts / particles if contacts is not None and particles else None


@dataclass(frozen=True)
class CamContacts(Record):
    """CAM–CAM particle contacts counted from the Packing and/or from the image."""

    DERIVED = ("cam_coordination_packing", "cam_coordination_image")

    n_particles_packing: int | None = field(metadata=key("n_cam_particles_packing"))
    n_contacts_packing: int | None = field(metadata=key("n_cam_cam_contacts_packing"))
    n_particles_image: int = field(metadata=key("n_cam_particles_image"))
    n_contacts_image: int = field(metadata=key("n_cam_cam_contacts_image"))
    # "packing particles", "given particle ids" or "watershed particles"
    image_method: str = field(metadata=key("image_particle_method"))

    @property
    def cam_coordination_packing(self) -> float | None:
        """CAM–CAM contacts per CAM particle in the packing."""
        return _coordination(self.n_contacts_packing, self.n_particles_packing)

    @property
    def cam_coordination_image(self) -> float | None:
        """CAM–CAM contacts per CAM particle in the image."""
        return _coordination(self.n_contacts_image, self.n_particles_image)


def packing_owners(micro: Microstructure, packing: Packing) -> np.ndarray:
    """Owning particle index per voxel for ``micro`` re-drawn from ``packing`` (checked equal)."""
    shape, _ = grid_for_box(packing.box_um, micro.voxel_size_um[0])
    if shape != micro.shape:
        raise InputError(
            f"packing: box {packing.box_um} µm at voxel {micro.voxel_size_um[0]:g} µm gives "
            f"{shape} voxels, but the volume is {micro.shape}"
        )
    seed = int(micro.provenance.get("patch_seed", 0))
    again, owners = voxelize_with_owners(packing, micro.voxel_size_um[0], patch_seed=seed)
    if not np.array_equal(again.labels, micro.labels):
        raise InputError("packing: the volume was not voxelized from this packing and voxel size")
    return owners


@dataclass(frozen=True)
class CamParticleIds:
    """CAM particle id per voxel (int32; 0 off the CAM side) and how the ids were found."""

    ids: np.ndarray
    method: str  # "given particle ids", "packing particles" or "watershed particles"


def cam_particle_ids(
    micro: Microstructure, packing: Packing | None = None, *,
    particle_ids: np.ndarray | None = None,
) -> CamParticleIds:
    """The CAM particle (id, dimensionless) of each voxel on the CAM side of a volume.

    The CAM side is CAM with its buffer coating. Ids come from ``particle_ids``, else from the
    ``packing`` the volume was voxelized from (particle p has id p + 1), else from a
    distance-map watershed of the CAM (an imported image, :func:`separate_particles`).

    Parameters
    ----------
    micro : Microstructure
        The volume.
    packing : Packing, optional
        The packing ``micro`` was voxelized from; its spheres are the particles.
    particle_ids : ndarray of int, shape of ``micro``, optional
        Owning particle index per voxel (``voxelize_with_owners``), saves re-drawing the
        packing.

    Returns
    -------
    CamParticleIds
        ``ids`` (int32 volume; 0 off the CAM side) and ``method``: "given particle ids",
        "packing particles" or "watershed particles".

    Examples
    --------
    >>> from cathodetwin.analysis import cam_particle_ids
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> found = cam_particle_ids(synthetic_composite((24, 24, 24), seed=1))
    >>> found.method, int(found.ids.max()) > 1
    ('watershed particles', True)
    """
    cam = micro.mask(*CAM_SIDE_ROLES)
    if particle_ids is not None or packing is not None:
        owners = particle_ids if particle_ids is not None else packing_owners(micro, packing)
        method = "given particle ids" if particle_ids is not None else "packing particles"
        return CamParticleIds(np.where(cam, owners + 1, 0).astype(np.int32), method)
    ids, _ = separate_particles(cam, voxel_size_um=micro.voxel_size_um,
                                periodic_xy=is_periodic_xy(micro))
    return CamParticleIds(ids, "watershed particles")


def cam_particle_mask(packing: Packing) -> np.ndarray:
    """Boolean (N,): which spheres are CAM particles."""
    return np.asarray(packing.component_roles)[packing.component] == "CAM"


def packing_cam_contacts(
    packing: Packing, contacts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> tuple[int, int]:
    """(number of CAM particles, number of overlapping CAM–CAM pairs) in the packing.

    ``contacts`` may pass :func:`geometric_contacts` of the same packing.
    """
    cam = cam_particle_mask(packing)
    i, j, _ = contacts if contacts is not None else geometric_contacts(packing)
    return int(cam.sum()), int(np.count_nonzero(cam[i] & cam[j]))
