"""PSD curves: normalised densities and the Hatch–Choate shift between number and volume basis."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from cathodetwin.psd import LognormalPSD, TablePSD
from cathodetwin.report.psd_curves import lognormal_curve, sampled_density, table_curve


def median_um(d_um: np.ndarray, density: np.ndarray) -> float:
    """Median diameter of a density per ln d (trapezoid cumulative)."""
    ln_d = np.log(d_um)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(ln_d))])
    return float(np.exp(np.interp(0.5 * cum[-1], cum, ln_d)))


def area(curve_d: np.ndarray, density: np.ndarray) -> float:
    return float(np.trapezoid(density, np.log(curve_d)))


def test_lognormal_curves_are_normalised_and_shifted_by_hatch_choate() -> None:
    psd = LognormalPSD(d50_um=5.0, gsd=1.5, basis="volume")
    c = lognormal_curve("NCM", psd)
    s = math.log(1.5)
    assert math.isclose(area(c.d_um, c.number_density), 1.0, rel_tol=1e-3)
    assert math.isclose(area(c.d_um, c.volume_density), 1.0, rel_tol=1e-3)
    assert math.isclose(median_um(c.d_um, c.volume_density), 5.0, rel_tol=1e-3)
    assert math.isclose(median_um(c.d_um, c.number_density), 5.0 * math.exp(-3 * s * s),
                        rel_tol=1e-3)


def test_number_basis_input_gives_the_same_curves() -> None:
    s = math.log(1.4)
    by_volume = lognormal_curve("a", LognormalPSD(d50_um=3.0, gsd=1.4, basis="volume"))
    by_number = lognormal_curve("b", LognormalPSD(d50_um=3.0 * math.exp(-3 * s * s), gsd=1.4,
                                                  basis="number"))
    assert np.allclose(by_volume.d_um, by_number.d_um)
    assert np.allclose(by_volume.volume_density, by_number.volume_density)


def test_measured_table_matches_the_lognormal_it_was_sampled_from() -> None:
    s, d50 = math.log(1.5), 2.0
    sizes = np.geomspace(0.3, 12.0, 60)
    cum = ndtr(np.log(sizes / d50) / s)
    cum = (cum - cum[0]) / (cum[-1] - cum[0])
    c = table_curve("t", TablePSD(sizes_um=sizes.tolist(), cumulative=cum.tolist()))
    assert math.isclose(area(c.d_um, c.number_density), 1.0, rel_tol=1e-6)
    assert math.isclose(median_um(c.d_um, c.volume_density), d50, rel_tol=0.02)
    assert math.isclose(median_um(c.d_um, c.number_density), d50 * math.exp(-3 * s * s),
                        rel_tol=0.03)


def test_sampled_density_integrates_to_one_per_ln_d() -> None:
    d = np.random.default_rng(0).lognormal(math.log(2.0), 0.3, 5000)
    edges, dens = sampled_density(d, d**3, bins=25)
    assert math.isclose(float(np.sum(dens * np.diff(np.log(edges)))), 1.0, rel_tol=1e-9)
    edges, dens = sampled_density(np.full(4, 1.5), None)  # monodisperse: one narrow class
    assert edges[0] < 1.5 < edges[-1]
