"""Periodic voxel elasticity with eigenstrain: staggered grid, FFT-preconditioned CG.

The unknowns are the periodic displacement fluctuation on the staggered grid and the
stress-controlled macroscopic normal strains. Conjugate gradients minimise the discrete
elastic energy; the preconditioner inverts the operator of a homogeneous reference medium
by FFT (block diagonal: the reference operator does not couple the fluctuation to the
macroscopic strain). Pores (E = 0) carry no stiffness; the staggered discretisation keeps the
iteration robust with them and free of the ringing of the continuous Green operator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import ducc0
import numba
import numpy as np

from cathodetwin.analysis.mechanics import kernels
from cathodetwin.errors import InputError
from cathodetwin.records import Record

N_LABELS = 256
NORMAL = (0, 1, 2)


@dataclass(frozen=True)
class LabelElasticity:
    """Per-label lookup tables: Lamé constants (MPa) and isotropic eigenstrain (linear)."""

    lame_lambda_mpa: np.ndarray
    shear_modulus_mpa: np.ndarray
    eigenstrain: np.ndarray

    @property
    def inverse_shear_modulus(self) -> np.ndarray:
        """1 / mu per label (1/MPa), infinite for pores."""
        with np.errstate(divide="ignore"):
            return (1.0 / self.shear_modulus_mpa).astype(np.float32)

    @property
    def eigen_stress_mpa(self) -> np.ndarray:
        """(3 lambda + 2 mu) * eigenstrain per label: the stress a fully clamped voxel feels."""
        return ((3.0 * self.lame_lambda_mpa + 2.0 * self.shear_modulus_mpa)
                * self.eigenstrain).astype(np.float32)


@dataclass(frozen=True)
class ElasticSolution(Record):
    """Solved state: macro strain, mean stress (MPa), CG stats; displacement fluctuation (µm).

    The displacement field is not written (a solution read back from JSON has None).
    """

    macro_strain: np.ndarray = field(metadata={"codec": (
        lambda a: [float(v) for v in a], lambda v: np.asarray(v, float))})
    mean_stress_mpa: np.ndarray = field(metadata={"codec": (
        lambda a: [float(v) for v in a], lambda v: np.asarray(v, float))})
    iterations: int
    relative_residual: float
    displacement_um: np.ndarray | None = field(default=None, repr=False, compare=False,
                                               metadata={"json": False})


def label_elasticity(
    youngs_modulus_gpa: dict[int, float],
    poisson_ratio: dict[int, float],
    eigenstrain: dict[int, float] | None = None,
) -> LabelElasticity:
    """Lookup tables from per-label E (GPa), Poisson ratio and linear eigenstrain."""
    lam = np.zeros(N_LABELS, np.float32)
    mu = np.zeros(N_LABELS, np.float32)
    eig = np.zeros(N_LABELS, np.float32)
    for label, e_gpa in youngs_modulus_gpa.items():
        if not 0 <= int(label) < N_LABELS:
            raise InputError(f"label {label} must be in 0..255")
        if label not in poisson_ratio:
            raise InputError(f"poisson_ratio: label {label} has a Young's modulus but no ratio")
        nu = float(poisson_ratio[label])
        if not np.isfinite(e_gpa) or e_gpa < 0:
            raise InputError(f"youngs_modulus_gpa[{label}] = {e_gpa}; allowed: finite >= 0")
        if not -1.0 < nu < 0.5:
            raise InputError(f"poisson_ratio[{label}] = {nu}; allowed: -1 < nu < 0.5")
        e_mpa = 1e3 * float(e_gpa)
        lam[label] = e_mpa * nu / ((1 + nu) * (1 - 2 * nu))
        mu[label] = e_mpa / (2 * (1 + nu))
    for label, value in (eigenstrain or {}).items():
        if label not in youngs_modulus_gpa:
            raise InputError(f"eigenstrain: label {label} has no Young's modulus")
        if not np.isfinite(value) or abs(value) >= 0.5:
            raise InputError(f"eigenstrain[{label}] = {value}; allowed: |value| < 0.5")
        eig[label] = value
    return LabelElasticity(lam, mu, eig)


def reference_medium(labels: np.ndarray, table: LabelElasticity) -> tuple[float, float]:
    """Reference Lamé constants (MPa): geometric mean of the extremes over loaded phases."""
    present = np.flatnonzero(np.bincount(labels.ravel(), minlength=N_LABELS))
    mu = table.shear_modulus_mpa[present]
    lam = table.lame_lambda_mpa[present]
    solid = mu > 0
    if not solid.any():
        raise InputError("labels: every phase present has zero stiffness; nothing carries load")
    mu_s, lam_s = mu[solid].astype(float), lam[solid].astype(float)
    m_s = lam_s + 2 * mu_s
    mu0 = float(np.sqrt(mu_s.min() * mu_s.max()))
    m0 = float(np.sqrt(m_s.min() * m_s.max()))
    return max(m0 - 2 * mu0, 0.0), mu0


def difference_symbols(shape: tuple[int, int, int], voxel_size_um: tuple[float, float, float]
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Real and imaginary parts (3, max n) of (e^{i theta} - 1) / h per axis (rfft along z)."""
    g = np.zeros((3, max(shape)), np.complex128)
    for axis, (n, h) in enumerate(zip(shape, voxel_size_um, strict=True)):
        m = np.arange(n // 2 + 1 if axis == 2 else n)
        g[axis, : m.size] = (np.exp(2j * np.pi * m / n) - 1.0) / h
    return np.ascontiguousarray(g.real), np.ascontiguousarray(g.imag)


class _Operator:
    """Energy Hessian, right-hand side and preconditioner of one voxel problem."""

    def __init__(self, labels, table, voxel_size_um, stress_controlled):
        self.labels = labels
        self.table = table
        self.shape = labels.shape
        self.n = labels.size
        self.inv_h = np.array([1.0 / h for h in voxel_size_um], np.float64)
        self.controlled = [a for a in NORMAL if stress_controlled[a]]
        self.lam0, self.mu0 = reference_medium(labels, table)
        self.symbols = difference_symbols(self.shape, voxel_size_um)
        c0 = self.lam0 * np.ones((3, 3)) + 2 * self.mu0 * np.eye(3)
        idx = np.array(self.controlled, int)
        self.c0_inv = np.linalg.inv(c0[np.ix_(idx, idx)]) if idx.size else np.zeros((0, 0))
        self.sigma = np.empty((6, *self.shape), np.float32)
        nx, ny, nz = self.shape
        self.hat = np.empty((3, nx, ny, nz // 2 + 1), np.complex64)
        self.eig_stress = table.eigen_stress_mpa
        self.inv_mu = table.inverse_shear_modulus

    def stress(self, u, macro, eig_scale):
        """Stress field into the shared buffer; returns it."""
        kernels.stress_fields(u, self.labels, self.table.lame_lambda_mpa,
                              self.table.shear_modulus_mpa, self.inv_mu, self.eig_stress,
                              np.asarray(macro, np.float64), float(eig_scale), self.inv_h,
                              self.sigma)
        return self.sigma

    def mean_normal_stress(self):
        """Volume average of the three normal stresses of the shared buffer (MPa)."""
        return np.array([np.mean(self.sigma[a], dtype=np.float64) for a in NORMAL])

    def apply(self, u, e_ctrl, out_u):
        """Hessian times (u, controlled strains) into out_u; returns (mean stresses, u . out_u)."""
        macro = np.zeros(6)
        macro[self.controlled] = e_ctrl
        self.stress(u, macro, 0.0)
        uq = kernels.negative_divergence(self.sigma, self.inv_h, 1.0 / self.n, out_u, u)
        if not self.controlled:
            return np.zeros(0), uq
        return self.mean_normal_stress()[self.controlled], uq

    def precondition(self, r_u, r_e, out_u):
        """Reference-medium inverse into out_u (FFT Green operator; C0^-1 for the macro
        strains); returns (z_e, r . z)."""
        ducc0.fft.r2c(r_u, axes=(1, 2, 3), out=self.hat, nthreads=numba.get_num_threads())
        # unnormalised inverse FFT: multiplies by N, the scale of the (1/N) K block
        rz = kernels.apply_green(self.hat, *self.symbols, self.lam0, self.mu0, self.shape[2])
        ducc0.fft.c2r(self.hat, axes=(1, 2, 3), lastsize=self.shape[2], forward=False,
                      out=out_u, nthreads=numba.get_num_threads(), allow_overwriting_input=True)
        z_e = self.c0_inv @ r_e
        return z_e, rz + float(r_e @ z_e)


def solve_elasticity(
    labels: np.ndarray,
    table: LabelElasticity,
    voxel_size_um: tuple[float, float, float],
    macro_strain: tuple[float, ...] = (0.0,) * 6,
    stress_controlled: tuple[bool, bool, bool] = (False, False, False),
    macro_stress_mpa: tuple[float, float, float] = (0.0, 0.0, 0.0),
    eigenstrain_scale: float = 1.0,
    rtol: float = 1e-5,
    max_iterations: int = 1000,
    progress: Callable[[float], None] | None = None,
) -> ElasticSolution:
    """Periodic elastic equilibrium with eigenstrain under mixed macroscopic control.

    macro_strain: (xx, yy, zz, xy, xz, yz) tensor strains; normal component a is instead
    stress-controlled to macro_stress_mpa[a] (tension positive) where stress_controlled[a].
    Shear components are always strain-controlled. Eigenstrain per label is multiplied by
    eigenstrain_scale. Stops when the preconditioned residual norm falls by rtol.
    ``progress`` receives the share (0–1) of the residual reduction reached, log(r0/r) over
    log(1/rtol), after each iteration.
    """
    if labels.ndim != 3 or labels.dtype != np.uint8:
        raise InputError(f"labels must be a 3D uint8 array, got {labels.dtype} {labels.shape}")
    if len(macro_strain) != 6 or len(stress_controlled) != 3 or len(macro_stress_mpa) != 3:
        raise InputError("macro_strain needs 6 values, stress_controlled and macro_stress_mpa 3")
    if not 0 < rtol < 1:
        raise InputError(f"rtol = {rtol}; allowed: 0 < rtol < 1")
    labels = np.ascontiguousarray(labels)
    op = _Operator(labels, table, voxel_size_um, stress_controlled)
    fixed = np.array(macro_strain, np.float64)
    fixed[op.controlled] = 0.0
    target = np.array(macro_stress_mpa, np.float64)[op.controlled]

    x_u = np.zeros((3, *op.shape), np.float32)
    x_e = np.zeros(len(op.controlled))
    r_u = np.empty_like(x_u)
    op.stress(x_u, fixed, eigenstrain_scale)
    kernels.negative_divergence(op.sigma, op.inv_h, -1.0 / op.n, r_u, x_u)
    r_e = target - op.mean_normal_stress()[op.controlled]

    z_u = np.empty_like(x_u)
    z_e, rz = op.precondition(r_u, r_e, z_u)
    p_u, p_e = z_u.copy(), z_e.copy()
    q_u = np.empty_like(x_u)
    rz0 = rz
    iterations = 0
    done = 0.0
    while rz > (rtol * rtol) * rz0 and iterations < max_iterations:
        q_e, pq_u = op.apply(p_u, p_e, q_u)
        pq = pq_u + float(p_e @ q_e)
        if pq <= 0:
            break
        alpha = rz / pq
        kernels.cg_step(x_u.reshape(-1), p_u.reshape(-1), r_u.reshape(-1), q_u.reshape(-1),
                        alpha)
        x_e += alpha * p_e
        r_e -= alpha * q_e
        z_e, rz_new = op.precondition(r_u, r_e, z_u)
        beta = rz_new / rz
        rz = rz_new
        kernels.xpby(z_u.reshape(-1), beta, p_u.reshape(-1))
        p_e = z_e + beta * p_e
        iterations += 1
        if progress is not None and rz > 0:  # the best reduction so far: never goes back
            done = max(done, min(1.0, math.log(rz0 / rz) / (2.0 * math.log(1.0 / rtol))))
            progress(done)
    del r_u, z_u, p_u, q_u
    macro = np.array(macro_strain, np.float64)
    macro[op.controlled] = x_e
    op.stress(x_u, macro, eigenstrain_scale)
    mean = np.array([np.mean(op.sigma[a], dtype=np.float64) for a in range(6)])
    residual = float(np.sqrt(max(rz, 0.0) / rz0)) if rz0 > 0 else 0.0
    return ElasticSolution(macro, mean, iterations, residual, displacement_um=x_u)


def stress_field(
    solution_displacement_um: np.ndarray,
    labels: np.ndarray,
    table: LabelElasticity,
    voxel_size_um: tuple[float, float, float],
    macro_strain: np.ndarray,
    eigenstrain_scale: float = 1.0,
) -> np.ndarray:
    """Stress (6, nx, ny, nz) in MPa of a displacement fluctuation, macro strain, eigenstrain.

    Normal components at voxel centres; shear ab on the edge shared with the +a, +b voxels.
    """
    sigma = np.empty((6, *labels.shape), np.float32)
    inv_h = np.array([1.0 / h for h in voxel_size_um], np.float64)
    kernels.stress_fields(solution_displacement_um, np.ascontiguousarray(labels),
                          table.lame_lambda_mpa, table.shear_modulus_mpa,
                          table.inverse_shear_modulus, table.eigen_stress_mpa,
                          np.asarray(macro_strain, np.float64), float(eigenstrain_scale), inv_h,
                          sigma)
    return sigma


def strain_field(
    displacement_um: np.ndarray,
    macro_strain: np.ndarray,
    voxel_size_um: tuple[float, float, float],
) -> np.ndarray:
    """Total strain (6, nx, ny, nz), tensor shear, located like the stress (NumPy, periodic)."""
    ux, uy, uz = displacement_um
    hx, hy, hz = voxel_size_um
    e = np.empty((6, *ux.shape), np.float32)
    e[0] = (ux - np.roll(ux, 1, 0)) / hx + macro_strain[0]
    e[1] = (uy - np.roll(uy, 1, 1)) / hy + macro_strain[1]
    e[2] = (uz - np.roll(uz, 1, 2)) / hz + macro_strain[2]
    e[3] = 0.5 * ((np.roll(ux, -1, 1) - ux) / hy + (np.roll(uy, -1, 0) - uy) / hx) + macro_strain[3]
    e[4] = 0.5 * ((np.roll(ux, -1, 2) - ux) / hz + (np.roll(uz, -1, 0) - uz) / hx) + macro_strain[4]
    e[5] = 0.5 * ((np.roll(uy, -1, 2) - uy) / hz + (np.roll(uz, -1, 1) - uz) / hy) + macro_strain[5]
    return e
