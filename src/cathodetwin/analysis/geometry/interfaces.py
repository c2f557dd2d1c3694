"""Interface areas between every pair of phases by the Crofton formula on 13 lattice directions.

For a surface, the number of crossings N_k of lattice lines along direction u_k (step length
ℓ_k) estimates its projected area ∫|n·u_k| dA = N_k V_voxel / ℓ_k. Averaging |n·u| over all
directions gives ½, so A = 2 Σ_k c_k N_k V_voxel / ℓ_k with c_k the solid-angle share of the
directions closest to ±u_k (Ohser & Mücklich, Statistical Analysis of Microstructures, 2000).
The estimate is exact for a sphere in the continuum limit; on voxelized spheres of radius 20
voxels it is within 1 %, where voxel-face counting is 50 % and binary marching cubes ~9 % high.
Every pair (i, j) is counted directly from the i–j label changes, so all pair areas come from
one pass over the volume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numba as nb
import numpy as np

from cathodetwin.analysis.geometry._crofton_kernels import DIRECTIONS, transition_counts
from cathodetwin.analysis.geometry.connectivity import is_periodic_xy
from cathodetwin.records import Record, key, pair_keys
from cathodetwin.structure.microstructure import CAM_SIDE_ROLES, IONIC_ROLES, Microstructure

_SOLID_ANGLE_SAMPLES = 400_000


@cache
def crofton_weights(spacing: tuple[float, float, float]) -> np.ndarray:
    """Area (µm²) per label change along each of the 13 lattice directions at voxel ``spacing``."""
    s = np.asarray(spacing, float)
    vec = DIRECTIONS * s
    length = np.linalg.norm(vec, axis=1)
    unit = vec / length[:, None]
    m = _SOLID_ANGLE_SAMPLES
    i = np.arange(m) + 0.5
    z = 1.0 - 2.0 * i / m
    phi = np.pi * (1.0 + 5.0**0.5) * i
    r = np.sqrt(1.0 - z * z)
    pts = np.column_stack([r * np.cos(phi), r * np.sin(phi), z])
    nearest = np.argmax(np.abs(pts @ unit.T), axis=1)
    share = np.bincount(nearest, minlength=len(unit)) / m
    return 2.0 * share * float(np.prod(s)) / length


def pair_areas_um2(labels: np.ndarray, spacing: tuple[float, float, float],
                   periodic_xy: bool) -> np.ndarray:
    """Symmetric matrix (L × L, L = max label + 1) of interface areas in µm² between labels."""
    n_labels = int(labels.max()) + 1
    counts = transition_counts(labels, n_labels, periodic_xy, periodic_xy,
                               max(1, nb.get_num_threads()))
    w = crofton_weights(tuple(float(v) for v in spacing))
    area = np.tensordot(w, counts.astype(np.float64), axes=(0, 0))
    return area + area.T


@dataclass(frozen=True)
class InterfaceAreas(Record):
    """Pair interface areas and the CAM–electrolyte measures derived from them."""

    # phase-name pairs, each once; role pairs (sorted), summed over phases
    pairs_um2: dict[tuple[str, str], float] = field(metadata=key("pair_areas_um2", **pair_keys()))
    role_pairs_um2: dict[tuple[str, str], float] = field(
        metadata=key("role_pair_areas_um2", **pair_keys()))
    phase_surface_um2: dict[str, float] = field(metadata=key("phase_surface_area_um2"))
    cam_sse_area_um2: float  # CAM (+ coating) against SSE (+ shell)
    specific_cam_sse_area_per_um: float  # per electrode volume, µm²/µm³
    specific_cam_sse_area_m2_g: float | None  # per CAM mass; None without CAM or density
    # share of the CAM surface not facing CAM that faces SSE/shell
    sse_coverage: float | None = field(metadata=key("sse_coverage_of_cam_fraction"))


def cam_mass_g(micro: Microstructure, voxel_counts: np.ndarray) -> float | None:
    """Mass (g) of all CAM phases from library densities; None if any CAM lacks a material."""
    mass = 0.0
    for p in micro.phases:
        if p.role != "CAM":
            continue
        if p.material is None:
            return None
        vol_cm3 = voxel_counts[p.label] * micro.voxel_volume_um3 * 1e-12
        mass += vol_cm3 * p.material.density_g_cm3
    return mass


def interface_areas(micro: Microstructure) -> InterfaceAreas:
    """Interface area (µm²) of every phase pair, specific CAM–SSE area and SSE coverage of CAM.

    Areas come from the Crofton formula on 13 lattice directions (module docstring), with the
    volume's voxel size and periodicity. The CAM side is CAM + coating, the electrolyte side
    SSE + shell.

    Parameters
    ----------
    micro : Microstructure
        The volume.

    Returns
    -------
    InterfaceAreas
        Areas in µm² per phase pair and per role pair, each phase's surface (µm²), the CAM–SSE
        area (µm²), per electrode volume (µm²/µm³ = µm⁻¹) and per CAM mass (m²/g), and the
        share (0..1) of the CAM surface not facing CAM that faces the electrolyte.

    Examples
    --------
    >>> from cathodetwin.analysis import interface_areas
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> areas = interface_areas(synthetic_composite((24, 24, 24), seed=1))
    >>> sorted(areas.role_pairs_um2)
    [('CAM', 'SSE'), ('CAM', 'pore'), ('SSE', 'pore')]
    >>> 0.0 < areas.sse_coverage < 1.0
    True
    """
    area = pair_areas_um2(micro.labels, micro.voxel_size_um, is_periodic_xy(micro))
    counts = np.bincount(micro.labels.ravel(), minlength=area.shape[0])
    present = [p for p in micro.phases if p.label < area.shape[0] and counts[p.label] > 0]
    pairs: dict[tuple[str, str], float] = {}
    roles: dict[tuple[str, str], float] = {}
    surface: dict[str, float] = {}
    for a_i, pa in enumerate(present):
        surface[pa.name] = float(area[pa.label].sum())
        for pb in present[a_i + 1:]:
            v = float(area[pa.label, pb.label])
            if v <= 0.0:
                continue
            pairs[(pa.name, pb.name)] = v
            key = tuple(sorted((pa.role, pb.role)))
            roles[key] = roles.get(key, 0.0) + v  # type: ignore[index]
    cam = [p.label for p in present if p.role in CAM_SIDE_ROLES]
    ion = [p.label for p in present if p.role in IONIC_ROLES]
    other = [p.label for p in present if p.role not in CAM_SIDE_ROLES]
    cam_sse = float(area[np.ix_(cam, ion)].sum()) if cam and ion else 0.0
    cam_free = float(area[np.ix_(cam, other)].sum()) if cam and other else 0.0
    total_um3 = micro.labels.size * micro.voxel_volume_um3
    mass = cam_mass_g(micro, counts)
    return InterfaceAreas(
        pairs_um2=pairs,
        role_pairs_um2=roles,  # type: ignore[arg-type]
        phase_surface_um2=surface,
        cam_sse_area_um2=cam_sse,
        specific_cam_sse_area_per_um=cam_sse / total_um3,
        specific_cam_sse_area_m2_g=(cam_sse * 1e-12 / mass) if mass else None,
        sse_coverage=(cam_sse / cam_free) if cam_free > 0 else None,
    )
