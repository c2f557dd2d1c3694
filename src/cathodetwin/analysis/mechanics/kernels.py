"""Numba kernels of the staggered-grid elasticity operator (stresses in MPa, lengths in µm).

Grid (Schneider, Merkert & Kabel 2017, "Computational homogenization of elasticity on a
staggered grid"): voxel (i, j, k) carries u_x on its +x face, u_y on its +y face, u_z on its
+z face; normal strains and stresses live at the voxel centre; the shear component ab lives
on the edge between the voxel and its +a, +b neighbours and uses the harmonic mean of the
four surrounding shear moduli (zero when any of them is a pore). All axes are periodic.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _harmonic4(a: float, b: float, c: float, d: float) -> float:
    """Harmonic mean of four shear moduli; zero when any is zero."""
    if a <= 0.0 or b <= 0.0 or c <= 0.0 or d <= 0.0:
        return 0.0
    return 4.0 / (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d)


@njit(parallel=True, cache=True)
def stress_fields(u, labels, lam, mu, eig_stress, macro, eig_scale, inv_h, sigma):
    """Stress (MPa) of displacement fluctuation u plus macro strain and scaled eigenstrain.

    u: (3, nx, ny, nz) displacement fluctuation (µm); lam, mu: Lamé table per label (MPa);
    eig_stress: (3 lam + 2 mu) * eigenstrain per label (MPa); macro: 6 strains
    (xx, yy, zz, xy, xz, yz; tensor shear); sigma: (6, nx, ny, nz) output, same order.
    """
    nx, ny, nz = labels.shape
    hx, hy, hz = inv_h[0], inv_h[1], inv_h[2]
    ux, uy, uz = u[0], u[1], u[2]
    for i in prange(nx):
        im = i - 1 if i > 0 else nx - 1
        ip = i + 1 if i < nx - 1 else 0
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            jp = j + 1 if j < ny - 1 else 0
            for k in range(nz):
                km = k - 1 if k > 0 else nz - 1
                kp = k + 1 if k < nz - 1 else 0
                lab = labels[i, j, k]
                m0 = mu[lab]
                exx = (ux[i, j, k] - ux[im, j, k]) * hx + macro[0]
                eyy = (uy[i, j, k] - uy[i, jm, k]) * hy + macro[1]
                ezz = (uz[i, j, k] - uz[i, j, km]) * hz + macro[2]
                p = lam[lab] * (exx + eyy + ezz) - eig_scale * eig_stress[lab]
                sigma[0, i, j, k] = p + 2.0 * m0 * exx
                sigma[1, i, j, k] = p + 2.0 * m0 * eyy
                sigma[2, i, j, k] = p + 2.0 * m0 * ezz
                m_xy = _harmonic4(m0, mu[labels[ip, j, k]], mu[labels[i, jp, k]],
                                  mu[labels[ip, jp, k]])
                g_xy = ((ux[i, jp, k] - ux[i, j, k]) * hy + (uy[ip, j, k] - uy[i, j, k]) * hx
                        + 2.0 * macro[3])
                sigma[3, i, j, k] = m_xy * g_xy
                m_xz = _harmonic4(m0, mu[labels[ip, j, k]], mu[labels[i, j, kp]],
                                  mu[labels[ip, j, kp]])
                g_xz = ((ux[i, j, kp] - ux[i, j, k]) * hz + (uz[ip, j, k] - uz[i, j, k]) * hx
                        + 2.0 * macro[4])
                sigma[4, i, j, k] = m_xz * g_xz
                m_yz = _harmonic4(m0, mu[labels[i, jp, k]], mu[labels[i, j, kp]],
                                  mu[labels[i, jp, kp]])
                g_yz = ((uy[i, j, kp] - uy[i, j, k]) * hz + (uz[i, jp, k] - uz[i, j, k]) * hy
                        + 2.0 * macro[5])
                sigma[5, i, j, k] = m_yz * g_yz


@njit(parallel=True, cache=True)
def negative_divergence(sigma, inv_h, scale, out):
    """Nodal force -div(sigma) * scale on the staggered displacement nodes (out: (3, ...))."""
    _, nx, ny, nz = sigma.shape
    hx, hy, hz = inv_h[0], inv_h[1], inv_h[2]
    sxx, syy, szz, sxy, sxz, syz = sigma[0], sigma[1], sigma[2], sigma[3], sigma[4], sigma[5]
    for i in prange(nx):
        im = i - 1 if i > 0 else nx - 1
        ip = i + 1 if i < nx - 1 else 0
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            jp = j + 1 if j < ny - 1 else 0
            for k in range(nz):
                km = k - 1 if k > 0 else nz - 1
                kp = k + 1 if k < nz - 1 else 0
                out[0, i, j, k] = -scale * (
                    (sxx[ip, j, k] - sxx[i, j, k]) * hx
                    + (sxy[i, j, k] - sxy[i, jm, k]) * hy
                    + (sxz[i, j, k] - sxz[i, j, km]) * hz
                )
                out[1, i, j, k] = -scale * (
                    (syy[i, jp, k] - syy[i, j, k]) * hy
                    + (sxy[i, j, k] - sxy[im, j, k]) * hx
                    + (syz[i, j, k] - syz[i, j, km]) * hz
                )
                out[2, i, j, k] = -scale * (
                    (szz[i, j, kp] - szz[i, j, k]) * hz
                    + (sxz[i, j, k] - sxz[im, j, k]) * hx
                    + (syz[i, j, k] - syz[i, jm, k]) * hy
                )


@njit(parallel=True, cache=True)
def energy_density(sigma, labels, lam, mu, out):
    """Elastic strain energy density (MPa = MJ/m³) per voxel from the stress field.

    Normal part from the voxel-centre stresses; each shear edge's energy sigma_ab²/(2 mu_edge)
    is shared equally by the four voxels around the edge, so the sum over voxels is exact.
    """
    _, nx, ny, nz = sigma.shape
    for i in prange(nx):
        im = i - 1 if i > 0 else nx - 1
        ip = i + 1 if i < nx - 1 else 0
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            jp = j + 1 if j < ny - 1 else 0
            for k in range(nz):
                km = k - 1 if k > 0 else nz - 1
                kp = k + 1 if k < nz - 1 else 0
                lab = labels[i, j, k]
                m0 = mu[lab]
                if m0 <= 0.0:
                    out[i, j, k] = 0.0
                    continue
                l0 = lam[lab]
                s0, s1, s2 = sigma[0, i, j, k], sigma[1, i, j, k], sigma[2, i, j, k]
                tr = s0 + s1 + s2
                # isotropic compliance: eps = (s - lam/(3 lam + 2 mu) tr s) / (2 mu)
                c = l0 / (3.0 * l0 + 2.0 * m0)
                w = (s0 * s0 + s1 * s1 + s2 * s2 - c * tr * tr) / (4.0 * m0)
                w += 0.25 * (
                    _edge_energy(sigma[3, i, j, k], m0, mu[labels[ip, j, k]],
                                 mu[labels[i, jp, k]], mu[labels[ip, jp, k]])
                    + _edge_energy(sigma[3, im, j, k], mu[labels[im, j, k]], m0,
                                   mu[labels[im, jp, k]], mu[labels[i, jp, k]])
                    + _edge_energy(sigma[3, i, jm, k], mu[labels[i, jm, k]],
                                   mu[labels[ip, jm, k]], m0, mu[labels[ip, j, k]])
                    + _edge_energy(sigma[3, im, jm, k], mu[labels[im, jm, k]],
                                   mu[labels[i, jm, k]], mu[labels[im, j, k]], m0)
                    + _edge_energy(sigma[4, i, j, k], m0, mu[labels[ip, j, k]],
                                   mu[labels[i, j, kp]], mu[labels[ip, j, kp]])
                    + _edge_energy(sigma[4, im, j, k], mu[labels[im, j, k]], m0,
                                   mu[labels[im, j, kp]], mu[labels[i, j, kp]])
                    + _edge_energy(sigma[4, i, j, km], mu[labels[i, j, km]],
                                   mu[labels[ip, j, km]], m0, mu[labels[ip, j, k]])
                    + _edge_energy(sigma[4, im, j, km], mu[labels[im, j, km]],
                                   mu[labels[i, j, km]], mu[labels[im, j, k]], m0)
                    + _edge_energy(sigma[5, i, j, k], m0, mu[labels[i, jp, k]],
                                   mu[labels[i, j, kp]], mu[labels[i, jp, kp]])
                    + _edge_energy(sigma[5, i, jm, k], mu[labels[i, jm, k]], m0,
                                   mu[labels[i, jm, kp]], mu[labels[i, j, kp]])
                    + _edge_energy(sigma[5, i, j, km], mu[labels[i, j, km]],
                                   mu[labels[i, jp, km]], m0, mu[labels[i, jp, k]])
                    + _edge_energy(sigma[5, i, jm, km], mu[labels[i, jm, km]],
                                   mu[labels[i, j, km]], mu[labels[i, jm, k]], m0)
                )
                out[i, j, k] = w


@njit(cache=True, inline="always")
def _edge_energy(s: float, a: float, b: float, c: float, d: float) -> float:
    """Shear energy density s²/(2 mu_edge) of one edge; zero on edges touching a pore."""
    m = _harmonic4(a, b, c, d)
    if m <= 0.0:
        return 0.0
    return s * s / (2.0 * m)


@njit(parallel=True, cache=True)
def apply_green(rx, ry, rz, gx, gy, gz, lam0, mu0, scale):
    """In place: r_hat <- scale * K0(xi)^-1 r_hat for the reference Navier operator.

    K0 = mu0 |g|² I + (lam0 + mu0) g conj(g)^T with g the staggered difference symbols per
    axis; the xi = 0 mode (rigid translation) is set to zero.
    """
    nx, ny, nz = rx.shape
    c = (lam0 + mu0) / (lam0 + 2.0 * mu0)
    for i in prange(nx):
        a = gx[i]
        for j in range(ny):
            b = gy[j]
            for k in range(nz):
                d = gz[k]
                g2 = (a.real * a.real + a.imag * a.imag + b.real * b.real + b.imag * b.imag
                      + d.real * d.real + d.imag * d.imag)
                if g2 == 0.0:
                    rx[i, j, k] = 0.0
                    ry[i, j, k] = 0.0
                    rz[i, j, k] = 0.0
                    continue
                x, y, z = rx[i, j, k], ry[i, j, k], rz[i, j, k]
                proj = c * (a.conjugate() * x + b.conjugate() * y + d.conjugate() * z) / g2
                f = scale / (mu0 * g2)
                rx[i, j, k] = f * (x - a * proj)
                ry[i, j, k] = f * (y - b * proj)
                rz[i, j, k] = f * (z - d * proj)


@njit(parallel=True, cache=True)
def dot(a, b):
    """Float64-accumulated dot product of two flat float32 arrays."""
    s = 0.0
    for i in prange(a.size):
        s += np.float64(a[i]) * np.float64(b[i])
    return s


@njit(parallel=True, cache=True)
def axpy(y, alpha, x):
    """In place y <- y + alpha * x for flat float32 arrays."""
    a = np.float32(alpha)
    for i in prange(y.size):
        y[i] += a * x[i]


@njit(parallel=True, cache=True)
def xpby(x, beta, y):
    """In place y <- x + beta * y for flat float32 arrays."""
    b = np.float32(beta)
    for i in prange(y.size):
        y[i] = x[i] + b * y[i]
