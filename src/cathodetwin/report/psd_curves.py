"""Size-distribution curves of recipe powders on number and volume basis (densities per ln d)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cathodetwin.psd import LognormalPSD, TablePSD

GRID_POINTS = 400
LOGNORMAL_SPAN_SIGMAS = 4.0


@dataclass(frozen=True)
class PsdCurve:
    """Number- and volume-weighted densities per unit ln(d) of one powder on a diameter grid."""

    name: str
    d_um: np.ndarray
    number_density: np.ndarray
    volume_density: np.ndarray


def _normalise(d_um: np.ndarray, density: np.ndarray) -> np.ndarray:
    area = np.trapezoid(density, np.log(d_um))
    return density / area if area > 0 else density


def lognormal_curve(name: str, psd: LognormalPSD, points: int = GRID_POINTS) -> PsdCurve:
    """Both bases of a lognormal PSD (Hatch–Choate: volume median = number median·e^{3σ²})."""
    s = psd.sigma_ln
    mu_n = math.log(psd.number_median_um())
    mu_v = mu_n + 3.0 * s * s
    if s == 0.0:
        d = np.array([math.exp(mu_n)])
        return PsdCurve(name, d, np.ones(1), np.ones(1))
    ln_d = np.linspace(mu_n - LOGNORMAL_SPAN_SIGMAS * s, mu_v + LOGNORMAL_SPAN_SIGMAS * s, points)

    def gauss(mu: float) -> np.ndarray:
        return np.exp(-0.5 * ((ln_d - mu) / s) ** 2) / (s * math.sqrt(2.0 * math.pi))

    return PsdCurve(name, np.exp(ln_d), gauss(mu_n), gauss(mu_v))


def table_curve(name: str, psd: TablePSD, points: int = GRID_POINTS) -> PsdCurve:
    """Both bases of a measured cumulative table (d³ weighting converts between them)."""
    sizes = np.asarray(psd.sizes_um, float)
    ln_edges = np.linspace(math.log(sizes[0]), math.log(sizes[-1]), points + 1)
    cum = np.interp(ln_edges, np.log(sizes), np.asarray(psd.cumulative, float))
    share = np.diff(cum)
    d_mid = np.exp(0.5 * (ln_edges[1:] + ln_edges[:-1]))
    if psd.basis == "volume":
        vol, num = share, share / d_mid**3
    else:
        vol, num = share * d_mid**3, share
    return PsdCurve(name, d_mid, _normalise(d_mid, num), _normalise(d_mid, vol))


def sampled_density(
    d_um: np.ndarray, weights: np.ndarray | None, bins: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """(bin edges in µm, density per ln d) of sampled diameters, optionally weighted (e.g. d³)."""
    d_um = np.asarray(d_um, float)
    ln_d = np.log(d_um)
    lo, hi = float(ln_d.min()), float(ln_d.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 0.05, hi + 0.05
    density, edges = np.histogram(ln_d, bins=bins, range=(lo, hi), weights=weights, density=True)
    return np.exp(edges), density
