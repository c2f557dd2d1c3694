"""Effective conductivity and tortuosity factor of a voxel volume between two opposite faces.

Finite volumes on the voxel grid: one unknown potential per conducting voxel, face conductances
from the harmonic mean of the two voxel conductivities, the inlet and outlet potentials imposed
on the outer voxel faces (half a voxel from the first and last voxel centres, as in TauFactor),
no flux (or periodic) on the four lateral faces. Only the voxels connected to both faces are
solved for; isolated pockets and volumes without a spanning path are reported as such.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from types import SimpleNamespace

import numba
import numpy as np

from cathodetwin.analysis.transport.deflation import DEFLATION_CONTRAST, ClusterDeflation
from cathodetwin.analysis.transport.devices import check_device, op_table
from cathodetwin.analysis.transport.results import ConductionResult
from cathodetwin.analysis.transport.solver import (
    INLET_POTENTIAL_V,
    OUTLET_POTENTIAL_V,
    solve_conduction,
)
from cathodetwin.errors import InputError
from cathodetwin.structure.microstructure import THROUGH_PLANE_AXIS, Microstructure

UM_PER_CM = 1.0e4
# Bytes per voxel at peak: labels and cluster mask, three float32 face arrays, four float64 CG
# vectors, two float32 multigrid vectors, about 1/7 more for the coarse levels.
BYTES_PER_VOXEL = 2 + 12 + 32 + 8 + 6
# On a GPU: the same, plus the int32 island ids of the deflation (kept on the device).
CUDA_BYTES_PER_VOXEL = BYTES_PER_VOXEL + 4
# Coarsest-level LU factors and small work arrays.
FIXED_BYTES = 16 * 2**20


def required_memory_bytes(shape: Sequence[int], device: str = "cpu") -> int:
    """Peak memory in bytes that one conduction solve on a volume of ``shape`` needs on
    ``device`` (host memory for "cpu", GPU memory for "cuda")."""
    per_voxel = CUDA_BYTES_PER_VOXEL if check_device(device) == "cuda" else BYTES_PER_VOXEL
    return int(np.prod(shape)) * per_voxel + FIXED_BYTES


def _check_memory(shape: Sequence[int], ops: SimpleNamespace) -> None:
    """MemoryError when a solve on ``shape`` would not fit in the memory of ``ops``'s device."""
    need = required_memory_bytes(shape, ops.name)
    available = ops.available_memory_bytes()
    if available is not None and need > available:
        where = "free on the GPU" if ops.name == "cuda" else "available"
        raise MemoryError(
            f"a conduction solve on a {tuple(shape)} volume needs about {need / 2**30:.1f} GiB "
            f"but only {available / 2**30:.1f} GiB is {where}; crop or coarsen the volume"
        )


def _thread_count(threads: int | None) -> int:
    """Threads to use: as asked (at most Numba's limit), or by default the idle cores."""
    if threads is not None:
        return min(threads, numba.config.NUMBA_NUM_THREADS)
    idle = (os.cpu_count() or 1) - int(round(os.getloadavg()[0]))
    return max(1, min(numba.config.NUMBA_NUM_THREADS, idle))


def _check_axis(axis: int) -> int:
    """The transport axis as a plain int; ValueError unless it is 0, 1 or 2."""
    if axis not in (0, 1, 2):
        raise InputError(f"axis must be 0, 1 or 2 (x, y, z), got {axis!r}")
    return int(axis)


def _voxel_size(volume: Microstructure | np.ndarray, voxel_size_um) -> tuple[float, float, float]:
    """Voxel edge lengths in µm: the Microstructure's, or the validated argument (default 1)."""
    if isinstance(volume, Microstructure):
        if voxel_size_um is not None:
            raise InputError("voxel_size_um is taken from the Microstructure; do not pass it")
        return volume.voxel_size_um
    size = (1.0, 1.0, 1.0) if voxel_size_um is None else voxel_size_um
    message = f"voxel_size_um must be one or three positive numbers in µm, got {size!r}"
    try:
        vs = tuple(float(v) for v in np.broadcast_to(np.asarray(size, dtype=float), (3,)))
    except (TypeError, ValueError) as error:
        raise InputError(message) from error
    if not all(np.isfinite(v) and v > 0 for v in vs):
        raise InputError(message)
    return vs  # type: ignore[return-value]


def _volume_array(volume: Microstructure | np.ndarray) -> np.ndarray:
    """The label or mask array of the input; ValueError unless it is 3D and non-empty."""
    array = volume.labels if isinstance(volume, Microstructure) else np.asarray(volume)
    if array.ndim != 3 or min(array.shape) < 1:
        raise InputError(f"volume must be a non-empty 3D array, got shape {array.shape}")
    return array


def _solve(
    labels: np.ndarray,
    table_s_cm: np.ndarray,
    voxel_size_um: tuple[float, float, float],
    axis: int,
    periodic: bool,
    bulk_conductivity_s_cm: float,
    volume_fraction: float,
    flux_tolerance: float,
    max_iterations: int,
    threads: int | None,
    device: str,
    return_fields: bool,
    start: float,
) -> ConductionResult:
    """Solve on C-contiguous uint8 ``labels`` whose axis 0 is the transport ``axis`` of the
    original volume, with conductivity ``table_s_cm[label]`` (S/cm, 0 = insulating).

    Everything from the labels on runs on ``device``; the labels go there once and only the
    plane currents (and the fields, if asked for) come back. The returned potential is NaN
    outside the spanning cluster (nothing was solved there).
    """
    if not 0.0 < flux_tolerance < 1.0:
        raise InputError(f"flux_tolerance must be in (0, 1), got {flux_tolerance!r}")
    if max_iterations < 1:
        raise InputError(f"max_iterations must be at least 1, got {max_iterations!r}")
    if threads is not None and threads < 1:
        raise InputError(f"threads must be a positive integer or None, got {threads!r}")
    order = (axis, *(a for a in range(3) if a != axis))
    shape = [0, 0, 0]
    for a, n in zip(order, labels.shape, strict=True):
        shape[a] = n
    d0, d1, d2 = (voxel_size_um[a] for a in order)
    threads = _thread_count(threads)
    ops = op_table(device, threads)
    _check_memory(shape, ops)
    common = dict(
        axis=axis, shape=tuple(shape), voxel_size_um=voxel_size_um, periodic=periodic,
        volume_fraction=volume_fraction, bulk_conductivity_s_cm=bulk_conductivity_s_cm,
    )
    previous_threads = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        on_device = ops.to_device(labels)
        spanning = ops.spanning_cluster(on_device, table_s_cm > 0, periodic)
        percolating_fraction = float(ops.count_nonzero(spanning)) / labels.size
        if percolating_fraction == 0.0:
            return ConductionResult(
                percolating=False, percolating_fraction=0.0, effective_conductivity_s_cm=0.0,
                flux_mismatch=0.0, iterations=0, converged=True,
                wall_time_s=time.perf_counter() - start, solver_setup_time_s=0.0,
                solver_time_s=0.0, **common,
            )
        present = ops.present_labels(on_device, spanning)
        # Work in units of the largest conductivity so float32 conductances stay near 1.
        sigma_scale = float(table_s_cm[present].max())
        strong = present[table_s_cm[present] >= DEFLATION_CONTRAST * table_s_cm[present].min()]
        canonical = ops.conductivity_field(on_device, table_s_cm / np.float32(sigma_scale),
                                           spanning)
        del on_device
        n0, n1, n2 = labels.shape
        g0 = ops.empty((n0 + 1, n1, n2), dtype=np.float32)
        g1 = ops.empty((n0, n1, n2), dtype=np.float32)
        g2 = ops.empty((n0, n1, n2), dtype=np.float32)
        # Conductance of a face per unit conductivity: face area / voxel length, in µm.
        ops.face_conductances(
            canonical, d1 * d2 / d0, d0 * d2 / d1, d0 * d1 / d2, periodic, periodic, g0, g1, g2
        )
        del canonical
        deflation = (ClusterDeflation(labels, strong, spanning, g0, g1, g2, ops)
                     if strong.size else None)
        spanning = ops.to_host(spanning) if return_fields else None
        solution = solve_conduction(
            g0, g1, g2, flux_tolerance=flux_tolerance, max_iterations=max_iterations, ops=ops,
            deflation=deflation,
        )
        potential = current_density = None
        if return_fields:
            potential_v = ops.to_host(solution.potential_v)
            potential = np.where(spanning, potential_v, np.nan).astype(np.float32)
            potential = np.moveaxis(potential, 0, axis)
            current_density = np.moveaxis(
                _axial_current_density(potential_v, ops.to_host(g0), sigma_scale, d1 * d2),
                0, axis,
            )
    finally:
        numba.set_num_threads(previous_threads)
    length_um = n0 * d0
    area_um2 = n1 * d1 * n2 * d2
    voltage_v = INLET_POTENTIAL_V - OUTLET_POTENTIAL_V
    sigma_eff = solution.current * sigma_scale * length_um / (voltage_v * area_um2)
    return ConductionResult(
        percolating=True, percolating_fraction=percolating_fraction,
        effective_conductivity_s_cm=float(sigma_eff), flux_mismatch=solution.flux_mismatch,
        iterations=solution.iterations, converged=solution.converged,
        wall_time_s=time.perf_counter() - start, solver_setup_time_s=solution.setup_time_s,
        solver_time_s=solution.solve_time_s, potential_v=potential,
        current_density_a_cm2=current_density, **common,
    )


def _axial_current_density(
    potential_v: np.ndarray, g0: np.ndarray, sigma_scale: float, face_area_um2: float
) -> np.ndarray:
    """Voxel-centred current density along the transport axis in A/cm² (mean of both faces)."""
    padded = np.empty((potential_v.shape[0] + 2, *potential_v.shape[1:]))
    padded[0] = INLET_POTENTIAL_V
    padded[-1] = OUTLET_POTENTIAL_V
    padded[1:-1] = potential_v
    face_current = g0 * (padded[:-1] - padded[1:]) * sigma_scale  # S/cm · µm · V
    per_area = face_current / face_area_um2 * UM_PER_CM  # A/cm²
    return (0.5 * (per_area[:-1] + per_area[1:])).astype(np.float32)


def effective_conductivity(
    volume: Microstructure | np.ndarray,
    conductivity_s_cm: Mapping[int, float],
    *,
    voxel_size_um: float | Sequence[float] | None = None,
    axis: int = THROUGH_PLANE_AXIS,
    periodic: bool = False,
    bulk_conductivity_s_cm: float | None = None,
    volume_fraction: float | None = None,
    flux_tolerance: float = 1e-5,
    max_iterations: int = 200,
    threads: int | None = None,
    device: str = "cpu",
    return_fields: bool = False,
) -> ConductionResult:
    """Multi-phase mode: σ_eff (S/cm) of a labelled volume with a conductivity per label.

    Steady conduction between the two faces normal to ``axis`` (finite volumes, module
    docstring). The reference σ0 for τ and the MacMullin number defaults to the
    volume-weighted mean conductivity of the conducting voxels and φ to their volume fraction;
    pass ``bulk_conductivity_s_cm`` and ``volume_fraction`` to use a material's bulk value as in
    paper 002 instead.

    Parameters
    ----------
    volume : Microstructure or ndarray of int, shape (nx, ny, nz)
        Labels 0..255 (a Microstructure's labels, with its voxel size).
    conductivity_s_cm : mapping of int to float
        Conductivity in S/cm per label; labels not listed are insulating.
    voxel_size_um : float or sequence of 3 float, optional
        Voxel edge length(s) in µm, array input only; default 1 µm.
    axis : int, optional
        Transport axis, 0/1/2 = x/y/z; default 2 (through-plane). The inlet (1 V) is the face
        at index 0.
    periodic : bool, optional
        Lateral faces periodic (default: no flux).
    bulk_conductivity_s_cm : float, optional
        σ0 in S/cm for τ and the MacMullin number.
    volume_fraction : float, optional
        φ (0..1] for τ.
    flux_tolerance : float, optional
        Stop when (max − min) / mean of the currents through all planes normal to ``axis`` is
        below this.
    max_iterations : int, optional
        Iteration limit of the preconditioned conjugate gradients.
    threads : int, optional
        Threads to use; default the idle cores.
    device : {"cpu", "cuda"}, optional
        Where the voxel solves run: "cpu" (numba, ``threads``) or "cuda" (the first GPU, via
        numba.cuda).
    return_fields : bool, optional
        Also return the potential (V for 1 V applied) and the axial current density (A/cm²).

    Returns
    -------
    ConductionResult
        σ_eff (S/cm), σ0 (S/cm), φ, the tortuosity factor τ = φ σ0 / σ_eff (-), the MacMullin
        number (-), the percolating share (0..1) and the solver's convergence and timings (s).

    Examples
    --------
    Two layers in series along z conduct with the harmonic mean, 2 / (1/1 + 1/3) S/cm:

    >>> import numpy as np
    >>> from cathodetwin.analysis import effective_conductivity
    >>> labels = np.ones((4, 4, 8), np.uint8)
    >>> labels[:, :, 4:] = 2
    >>> result = effective_conductivity(labels, {1: 1.0, 2: 3.0}, voxel_size_um=0.5)
    >>> round(result.effective_conductivity_s_cm, 4)
    1.5
    """
    start = time.perf_counter()
    check_device(device)
    labels = _volume_array(volume)
    spacing = _voxel_size(volume, voxel_size_um)
    axis = _check_axis(axis)
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() > 255:
        raise InputError(f"volume must hold integer labels 0..255, got dtype {labels.dtype}")
    table = np.zeros(256, dtype=np.float32)
    for label, value in conductivity_s_cm.items():
        if not 0 <= int(label) <= 255:
            raise InputError(f"conductivity_s_cm: label {label!r} is not in 0..255")
        if not (np.isfinite(value) and value >= 0.0):
            raise InputError(
                f"conductivity_s_cm[{label}] must be a finite conductivity ≥ 0 S/cm, got {value!r}"
            )
        table[int(label)] = value
    counts = np.bincount(labels.ravel(), minlength=256).astype(np.float64)
    conducting_voxels = float(counts[table > 0].sum())
    phi = conducting_voxels / labels.size
    sigma0 = float(counts @ table) / conducting_voxels if phi > 0 else 0.0
    if bulk_conductivity_s_cm is not None:
        if not bulk_conductivity_s_cm > 0:
            raise InputError(
                f"bulk_conductivity_s_cm must be > 0 S/cm, got {bulk_conductivity_s_cm!r}"
            )
        sigma0 = float(bulk_conductivity_s_cm)
    if volume_fraction is not None:
        if not 0.0 < volume_fraction <= 1.0:
            raise InputError(f"volume_fraction must be in (0, 1], got {volume_fraction!r}")
        phi = float(volume_fraction)
    canonical = np.ascontiguousarray(np.moveaxis(labels, axis, 0), dtype=np.uint8)
    return _solve(canonical, table, spacing, axis, periodic, sigma0, phi, flux_tolerance,
                  max_iterations, threads, device, return_fields, start)


def tortuosity_factor(
    volume: Microstructure | np.ndarray,
    *,
    conducting: Sequence[str] | Sequence[int] | None = None,
    voxel_size_um: float | Sequence[float] | None = None,
    axis: int = THROUGH_PLANE_AXIS,
    periodic: bool = False,
    bulk_conductivity_s_cm: float = 1.0,
    flux_tolerance: float = 1e-5,
    max_iterations: int = 200,
    threads: int | None = None,
    device: str = "cpu",
    return_fields: bool = False,
) -> ConductionResult:
    """Two-phase mode: tortuosity factor τ (-) of one conducting phase in an insulating rest.

    The conducting phase has the uniform conductivity ``bulk_conductivity_s_cm`` (σ0); the
    result gives σ_eff = σ0 φ / τ in the same unit (TauFactor's τ; paper 002's τ²).

    Parameters
    ----------
    volume : Microstructure or ndarray, shape (nx, ny, nz)
        The volume: a Microstructure, a boolean mask (True conducts) or integer labels.
    conducting : sequence of str or of int, optional
        The conducting phase: role names for a Microstructure (e.g. ``("SSE", "shell")``,
        required), labels for an integer array, or None for an array whose non-zero voxels
        conduct.
    voxel_size_um : float or sequence of 3 float, optional
        Voxel edge length(s) in µm, array input only; default 1 µm.
    axis : int, optional
        Transport axis, 0/1/2 = x/y/z; default 2 (through-plane).
    periodic : bool, optional
        Lateral faces periodic (default: no flux).
    bulk_conductivity_s_cm : float, optional
        σ0 of the conducting phase in S/cm; default 1 (relative).
    flux_tolerance : float, optional
        Stop when (max − min) / mean of the currents through all planes normal to ``axis`` is
        below this.
    max_iterations : int, optional
        Iteration limit of the preconditioned conjugate gradients.
    threads : int, optional
        Threads to use; default the idle cores.
    device : {"cpu", "cuda"}, optional
        Where the voxel solves run: "cpu" (numba, ``threads``) or "cuda" (the first GPU, via
        numba.cuda).
    return_fields : bool, optional
        Also return the potential (V for 1 V applied) and the axial current density (A/cm²).

    Returns
    -------
    ConductionResult
        τ (-) as ``tortuosity_factor``, σ_eff (S/cm), φ, the MacMullin number (-), the
        percolating share (0..1) and the solver's convergence and timings (s).

    Examples
    --------
    Straight channels along z have τ = 1:

    >>> import numpy as np
    >>> from cathodetwin.analysis import tortuosity_factor
    >>> channels = np.zeros((8, 8, 8), bool)
    >>> channels[::2] = True
    >>> round(tortuosity_factor(channels, voxel_size_um=0.2).tortuosity_factor, 4)
    1.0

    On a Microstructure, name the conducting roles:

    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> micro = synthetic_composite((24, 24, 24), seed=1)
    >>> ionic = tortuosity_factor(micro, conducting=("SSE", "shell"))
    >>> ionic.percolating, 1.0 < ionic.tortuosity_factor < 20.0
    (True, True)
    """
    start = time.perf_counter()
    check_device(device)
    array = _volume_array(volume)
    spacing = _voxel_size(volume, voxel_size_um)
    axis = _check_axis(axis)
    if isinstance(volume, Microstructure):
        if not conducting or not all(isinstance(c, str) for c in conducting):
            raise InputError(
                f"conducting must name the conducting roles of the Microstructure, "
                f"e.g. ('SSE', 'shell'); got {conducting!r}"
            )
        mask = np.moveaxis(volume.mask(*conducting), axis, 0)
    elif conducting is None:
        mask = np.moveaxis(array, axis, 0) != 0
    else:
        if not all(isinstance(c, int | np.integer) for c in conducting):
            raise InputError(f"conducting must be integer labels for an array, got {conducting!r}")
        mask = np.isin(np.moveaxis(array, axis, 0), np.asarray(conducting))
    if not bulk_conductivity_s_cm > 0:
        raise InputError(f"bulk_conductivity_s_cm must be > 0 S/cm, got {bulk_conductivity_s_cm!r}")
    phi = float(np.count_nonzero(mask)) / mask.size
    canonical = np.ascontiguousarray(mask, dtype=np.uint8)
    del mask
    table = np.zeros(256, dtype=np.float32)
    table[1] = bulk_conductivity_s_cm
    return _solve(canonical, table, spacing, axis, periodic, float(bulk_conductivity_s_cm), phi,
                  flux_tolerance, max_iterations, threads, device, return_fields, start)
