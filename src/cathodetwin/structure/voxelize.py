"""Voxelize a Packing into a labelled Microstructure (exact tests at voxel centres, chunked in z).

Phase legend: label 0 is pore; then one label per packing component in component order (CAM,
SSE, carbon, binder, coating powders keep their own name and material); then one "shell" label
per shell material and one "coating" label per buffer material (buffers only where resolvable).

Where solids overlap (DEM overlaps are how a pressed powder deforms), the harder phase wins:
CAM > buffer coating > carbon > SSE shell > SSE > binder > pore. Between equal priorities
(two CAM particles, two SSE particles) the voxel goes to the particle with the smaller power
distance |x − c|² − r², which cuts a lens of overlap by the plane through its rim.

Geometry: voxel (i, j, k) has its centre at ((i + ½) vx, (j + ½) vy, (k + ½) vz) µm; x and y
wrap with the box period, z runs from the current collector (k = 0) to the separator. The
grid has ``round(box / voxel_size)`` voxels per axis and the voxel edge is adjusted per axis
so that the grid spans the box exactly (x/y periodicity needs it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cathodetwin.errors import InputError
from cathodetwin.packing import Packing
from cathodetwin.packing.shell_patches import PATCH_KAPPA, shell_patches
from cathodetwin.structure.microstructure import Microstructure, Phase
from cathodetwin.structure.raster_kernels import draw_fibers, draw_spheres

OVERLAP_PRIORITY: dict[str, int] = {
    "pore": 0, "binder": 1, "SSE": 2, "shell": 3, "carbon": 4, "coating": 5, "CAM": 6,
}
_CHUNK_BYTES = 256 * 2**20  # working memory per z-slab (priority + key + label [+ owner])


@dataclass(frozen=True)
class _Legend:
    phases: tuple[Phase, ...]
    core_label: np.ndarray  # per component
    shell_label: np.ndarray  # per component (0 where none)
    buffer_label: np.ndarray  # per component (0 where none or unresolved)


def grid_for_box(
    box_um: tuple[float, float, float], voxel_size_um: float
) -> tuple[tuple[int, int, int], tuple[float, float, float]]:
    """Voxel counts and per-axis voxel edges (µm) tiling ``box_um`` at about ``voxel_size_um``."""
    if not voxel_size_um > 0:
        raise InputError(f"voxel_size_um must be > 0, got {voxel_size_um}")
    shape = tuple(max(1, round(b / voxel_size_um)) for b in box_um)
    spacing = tuple(b / n for b, n in zip(box_um, shape, strict=True))
    return shape, spacing  # type: ignore[return-value]


def _buffer_resolved(packing: Packing, spacing: tuple[float, float, float]) -> bool:
    """A buffer is drawn only if it is at least one voxel edge thick everywhere it exists."""
    t = packing.buffer_thickness_um[packing.buffer_thickness_um > 0]
    return bool(t.size) and float(t.min()) >= max(spacing)


def _legend(packing: Packing, draw_buffer: bool) -> _Legend:
    phases = [Phase(0, "pore", "pore", None)]
    k = len(packing.component_names)
    core = np.zeros(k, np.uint8)
    for c in range(k):
        core[c] = len(phases)
        phases.append(Phase(len(phases), packing.component_names[c],
                            packing.component_roles[c], packing.component_materials[c]))
    has_shell = np.zeros(k, bool)
    has_buf = np.zeros(k, bool)
    for c in range(k):
        sel = packing.component == c
        has_shell[c] = bool(np.any(packing.shell_thickness_um[sel] > 0))
        has_buf[c] = draw_buffer and bool(np.any(packing.buffer_thickness_um[sel] > 0))
    shell = np.zeros(k, np.uint8)
    buf = np.zeros(k, np.uint8)
    for flags, mats, out, role in (
        (has_shell, packing.shell_materials, shell, "shell"),
        (has_buf, packing.buffer_materials, buf, "coating"),
    ):
        by_material: dict[object, int] = {}  # one label per distinct resolved material
        for c in np.flatnonzero(flags):
            key = mats[c] or role
            if key not in by_material:
                by_material[key] = len(phases)
                name = f"{mats[c].name if mats[c] else role} {role}"
                if any(p.name == name for p in phases):  # same library name, other overrides
                    name = f"{name} ({packing.component_names[c]})"
                phases.append(Phase(len(phases), name, role, mats[c]))
            out[c] = by_material[key]
    return _Legend(tuple(phases), core, shell, buf)


def _rasterize(
    packing: Packing, voxel_size_um: float, want_owner: bool, patch_seed: int | None,
    chunk_bytes: int,
) -> tuple[Microstructure, np.ndarray]:
    shape, spacing = grid_for_box(packing.box_um, voxel_size_um)
    nx, ny, nz = shape
    draw_buffer = _buffer_resolved(packing, spacing)
    leg = _legend(packing, draw_buffer)
    comp = packing.component.astype(np.int64)
    r_out = packing.radius_um.astype(np.float64)
    r_shell_in = r_out - packing.shell_thickness_um
    r_core = packing.core_radius_um if draw_buffer else r_shell_in
    lab_core = leg.core_label[comp]
    lab_buf = leg.buffer_label[comp]
    lab_shell = leg.shell_label[comp]
    roles = np.asarray(packing.component_roles, dtype=object)
    pri_core = np.array([OVERLAP_PRIORITY[r] for r in roles], np.int8)[comp]
    coverage = np.where(packing.shell_thickness_um > 0, packing.coverage, 1.0).astype(np.float64)
    if patch_seed is None:  # the patches the compaction pressed with
        patch_seed = int(packing.provenance.get("compaction", {}).get("patch_seed", 0))
    dirs, thr = shell_patches(coverage, patch_seed)
    fib = packing.fibers
    fib_lab = np.array([leg.core_label[c] for c in fib.component], np.uint8)
    fib_zlo = np.minimum(fib.start_um[:, 2], fib.end_um[:, 2]) - fib.radius_um
    fib_zhi = np.maximum(fib.start_um[:, 2], fib.end_um[:, 2]) + fib.radius_um

    labels = np.zeros(shape, np.uint8)
    owner = np.full(shape, -1, np.int32) if want_owner else np.zeros((1, 1, 1), np.int32)
    per_slice = nx * ny * (6 + (4 if want_owner else 0))
    cz = int(max(1, min(nz, chunk_bytes // per_slice)))
    sp = np.asarray(spacing, np.float64)
    centers = packing.center_um.astype(np.float64)
    zc = centers[:, 2]
    f_start, f_end = fib.start_um.astype(np.float64), fib.end_um.astype(np.float64)
    f_radius = fib.radius_um.astype(np.float64)
    for k0 in range(0, nz, cz):
        k1 = min(nz, k0 + cz)
        z0, z1 = k0 * spacing[2], k1 * spacing[2]
        lab = labels[:, :, k0:k1]
        own = owner[:, :, k0:k1] if want_owner else owner
        pri = np.zeros(lab.shape, np.int8)
        keys = np.full(lab.shape, np.inf, np.float32)
        idx = np.flatnonzero((zc + r_out > z0) & (zc - r_out < z1))
        draw_spheres(lab, pri, keys, own, want_owner, k0, nz, sp, idx,
                     centers, r_core.astype(np.float64), r_shell_in.astype(np.float64), r_out,
                     lab_core, lab_buf, lab_shell,
                     pri_core, OVERLAP_PRIORITY["coating"], OVERLAP_PRIORITY["shell"],
                     coverage, dirs, thr, PATCH_KAPPA)
        fidx = np.flatnonzero((fib_zhi > z0) & (fib_zlo < z1))
        if fidx.size:
            draw_fibers(lab, pri, keys, own, want_owner, k0, nz, sp, fidx, f_start, f_end,
                        f_radius, fib_lab, OVERLAP_PRIORITY["carbon"], len(packing))
    provenance = {
        "source": "voxelize",
        "voxel_size_um": list(spacing),
        "periodic_xy": True,
        "overlap_priority": dict(OVERLAP_PRIORITY),
        "buffer_resolved": draw_buffer,
        "patch_seed": patch_seed,
        "packing": dict(packing.provenance),
    }
    micro = Microstructure(labels, spacing, leg.phases, provenance)
    return micro, owner


def voxelize(
    packing: Packing, voxel_size_um: float, *, patch_seed: int | None = None,
    chunk_bytes: int = _CHUNK_BYTES,
) -> Microstructure:
    """Labelled voxel twin of ``packing`` at about ``voxel_size_um`` µm per voxel edge.

    ``chunk_bytes`` bounds the working memory of one z-slab; the result itself is one uint8
    per voxel. ``patch_seed`` seeds the shell patches of partially covered particles (default:
    the seed the compaction used, so shells are drawn where they were pressed).
    """
    return _rasterize(packing, voxel_size_um, False, patch_seed, chunk_bytes)[0]


def voxelize_with_owners(
    packing: Packing, voxel_size_um: float, *, patch_seed: int | None = None,
    chunk_bytes: int = _CHUNK_BYTES,
) -> tuple[Microstructure, np.ndarray]:
    """Like :func:`voxelize`, plus an int32 volume of owning particle indices.

    Owner p < len(packing) is sphere p, len(packing) + f is fibre f, −1 is pore. Costs four
    more bytes per voxel.
    """
    return _rasterize(packing, voxel_size_um, True, patch_seed, chunk_bytes)
