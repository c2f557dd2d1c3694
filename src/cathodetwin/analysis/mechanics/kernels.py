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
def stress_fields(u, labels, lam, mu, inv_mu, eig_stress, macro, eig_scale, inv_h, sigma):
    """Stress (MPa) of displacement fluctuation u plus macro strain and scaled eigenstrain.

    u: (3, nx, ny, nz) displacement fluctuation (µm); lam, mu: Lamé table per label (MPa);
    inv_mu: 1 / mu per label (inf for pores, so edge moduli touching a pore vanish);
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
                w0 = inv_mu[lab]
                w_x = inv_mu[labels[ip, j, k]]
                w_y = inv_mu[labels[i, jp, k]]
                w_z = inv_mu[labels[i, j, kp]]
                m_xy = 4.0 / (w0 + w_x + w_y + inv_mu[labels[ip, jp, k]])
                g_xy = ((ux[i, jp, k] - ux[i, j, k]) * hy + (uy[ip, j, k] - uy[i, j, k]) * hx
                        + 2.0 * macro[3])
                sigma[3, i, j, k] = m_xy * g_xy
                m_xz = 4.0 / (w0 + w_x + w_z + inv_mu[labels[ip, j, kp]])
                g_xz = ((ux[i, j, kp] - ux[i, j, k]) * hz + (uz[ip, j, k] - uz[i, j, k]) * hx
                        + 2.0 * macro[4])
                sigma[4, i, j, k] = m_xz * g_xz
                m_yz = 4.0 / (w0 + w_y + w_z + inv_mu[labels[i, jp, kp]])
                g_yz = ((uy[i, j, kp] - uy[i, j, k]) * hz + (uz[i, jp, k] - uz[i, j, k]) * hy
                        + 2.0 * macro[5])
                sigma[5, i, j, k] = m_yz * g_yz


@njit(parallel=True, cache=True)
def negative_divergence(sigma, inv_h, scale, out, v):
    """Nodal force -div(sigma) * scale into out (3, ...); returns the float64 dot(v, out)."""
    _, nx, ny, nz = sigma.shape
    acc = 0.0
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
                acc += (np.float64(v[0, i, j, k]) * out[0, i, j, k]
                        + np.float64(v[1, i, j, k]) * out[1, i, j, k]
                        + np.float64(v[2, i, j, k]) * out[2, i, j, k])
    return acc


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
def apply_green(r_hat, g_re, g_im, lam0, mu0, nz_real):
    """In place r_hat <- K0(xi)^-1 r_hat; returns sum_x r(x) z(x) by Parseval, where z is
    the unnormalised inverse real FFT of the result.

    r_hat: (3, nx, ny, nz_real // 2 + 1) rfft of the residual; K0 = mu0 |g|² I +
    (lam0 + mu0) g conj(g)^T, g the forward-difference symbols (g_re, g_im: (3, max n)).
    The xi = 0 mode (rigid translation) is set to zero.
    """
    _, nx, ny, nh = r_hat.shape
    c = (lam0 + mu0) / (lam0 + 2.0 * mu0)
    acc = 0.0
    for i in prange(nx):
        ax, bx = g_re[0, i], g_im[0, i]
        for j in range(ny):
            ay, by = g_re[1, j], g_im[1, j]
            for k in range(nh):
                az, bz = g_re[2, k], g_im[2, k]
                g2 = ax * ax + bx * bx + ay * ay + by * by + az * az + bz * bz
                if g2 == 0.0:
                    r_hat[0, i, j, k] = 0.0
                    r_hat[1, i, j, k] = 0.0
                    r_hat[2, i, j, k] = 0.0
                    continue
                x = r_hat[0, i, j, k]
                y = r_hat[1, i, j, k]
                z = r_hat[2, i, j, k]
                inv = 1.0 / g2
                # conj(g) . r
                pr = (ax * x.real + bx * x.imag + ay * y.real + by * y.imag
                      + az * z.real + bz * z.imag) * c * inv
                pi = (ax * x.imag - bx * x.real + ay * y.imag - by * y.real
                      + az * z.imag - bz * z.real) * c * inv
                f = inv / mu0
                zx = f * (x - complex(ax * pr - bx * pi, ax * pi + bx * pr))
                zy = f * (y - complex(ay * pr - by * pi, ay * pi + by * pr))
                zz = f * (z - complex(az * pr - bz * pi, az * pi + bz * pr))
                r_hat[0, i, j, k] = zx
                r_hat[1, i, j, k] = zy
                r_hat[2, i, j, k] = zz
                weight = 1.0 if (k == 0 or 2 * k == nz_real) else 2.0
                acc += weight * (x.real * zx.real + x.imag * zx.imag + y.real * zy.real
                                 + y.imag * zy.imag + z.real * zz.real + z.imag * zz.imag)
    return acc


@njit(parallel=True, cache=True)
def cg_step(x, p, r, q, alpha):
    """In place x <- x + alpha p and r <- r - alpha q for flat float32 arrays."""
    a = np.float32(alpha)
    for i in prange(x.size):
        x[i] += a * p[i]
        r[i] -= a * q[i]


@njit(parallel=True, cache=True)
def xpby(x, beta, y):
    """In place y <- x + beta * y for flat float32 arrays."""
    b = np.float32(beta)
    for i in prange(y.size):
        y[i] = x[i] + b * y[i]
