"""Tortuosity factor and effective conductivity: analytic cases, bounds and a direct solve."""

import json
import math
import tracemalloc

import numpy as np
import pytest
from scipy import ndimage

from cathodetwin.analysis.transport import (
    effective_conductivity,
    required_memory_bytes,
    tortuosity_factor,
)
from cathodetwin.analysis.transport.conduction import BYTES_PER_VOXEL
from cathodetwin.analysis.transport.reference import reference_conductivity


def _solved(result):
    """Every solved case must conserve current between all planes to better than 1e-3."""
    assert result.percolating and result.converged
    assert result.flux_mismatch < 1e-3
    return result


def _gaussian_labels(shape, fractions, seed, smooth=1.5):
    """Labels 0, 1, ... with the given cumulative volume fractions from a smoothed random field."""
    field = ndimage.gaussian_filter(np.random.default_rng(seed).random(shape), smooth)
    return np.digitize(field, np.quantile(field, np.cumsum(fractions)[:-1])).astype(np.uint8)


def _sphere_centres_volume(shape, radius, count, seed):
    """Boolean volume of ``count`` overlapping spheres of ``radius`` voxels at random centres."""
    rng = np.random.default_rng(seed)
    seeds = np.zeros(shape, dtype=bool)
    seeds[tuple(rng.integers(0, n, count) for n in shape)] = True
    return ndimage.distance_transform_edt(~seeds) <= radius


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_straight_channel_has_tau_one(axis):
    shape = [12, 14, 16]
    shape[axis] = 20
    mask = np.zeros(shape, dtype=bool)
    index = [slice(3, 8)] * 3
    index[axis] = slice(None)
    mask[tuple(index)] = True
    result = _solved(tortuosity_factor(mask, axis=axis, voxel_size_um=(0.5, 1.0, 2.0)))
    phi = mask.mean()
    assert result.volume_fraction == pytest.approx(phi)
    assert result.tortuosity_factor == pytest.approx(1.0, rel=1e-6)
    assert result.effective_conductivity_s_cm == pytest.approx(phi, rel=1e-6)
    assert result.macmullin_number == pytest.approx(1.0 / phi, rel=1e-6)


@pytest.mark.parametrize("axis", [0, 2])
def test_layers_in_series_add_resistances(axis):
    spacing = (0.4, 0.7, 1.3)
    labels = np.zeros((10, 9, 12), dtype=np.uint8)
    sections = [slice(None)] * 3
    sections[axis] = slice(0, 3)
    labels[tuple(sections)] = 1
    sections[axis] = slice(3, 7)
    labels[tuple(sections)] = 2
    sigma = {0: 0.5, 1: 2.0e-3, 2: 40.0}
    result = _solved(effective_conductivity(labels, sigma, axis=axis, voxel_size_um=spacing))
    thickness = {1: 3 * spacing[axis], 2: 4 * spacing[axis],
                 0: (labels.shape[axis] - 7) * spacing[axis]}
    length = labels.shape[axis] * spacing[axis]
    expected = length / sum(thickness[k] / sigma[k] for k in sigma)
    assert result.effective_conductivity_s_cm == pytest.approx(expected, rel=1e-6)


def test_layers_in_parallel_add_conductances():
    labels = np.zeros((8, 10, 15), dtype=np.uint8)
    labels[:, 2:5] = 1
    labels[:, 5:6] = 2
    sigma = {0: 1.0, 1: 1.0e-4, 2: 1.0e3}  # contrast 10⁷
    result = _solved(effective_conductivity(labels, sigma, axis=2, voxel_size_um=(1.0, 0.3, 1.0)))
    fractions = {k: np.mean(labels == k) for k in sigma}
    expected = sum(fractions[k] * sigma[k] for k in sigma)
    assert result.effective_conductivity_s_cm == pytest.approx(expected, rel=1e-6)


def test_staircase_strip_matches_direct_solve():
    mask = np.zeros((24, 6, 30), dtype=bool)
    for k in range(30):
        start = k * 16 // 30  # the strip steps sideways as it crosses the volume
        mask[start:start + 5, :, k] = True
    result = _solved(tortuosity_factor(mask, axis=2, flux_tolerance=1e-7))
    reference = reference_conductivity(mask.astype(float), axis=2)
    assert result.effective_conductivity_s_cm == pytest.approx(reference, rel=1e-6)
    assert result.tortuosity_factor > 1.0


@pytest.mark.parametrize(
    "sigma",
    [{1: 1e-3, 2: 1e3}, {0: 1.0, 1: 1e-6, 2: 1e-3}],
    ids=["cam-carbon-1e6", "three-phase-1e6"],
)
def test_high_contrast_multiphase_matches_direct_solve(sigma):
    labels = _gaussian_labels((26, 24, 22), (0.35, 0.35, 0.30), seed=3)
    result = _solved(effective_conductivity(labels, sigma, axis=2, flux_tolerance=1e-6))
    table = np.zeros(3)
    for k, v in sigma.items():
        table[k] = v
    reference = reference_conductivity(table[labels], axis=2)
    assert result.effective_conductivity_s_cm == pytest.approx(reference, rel=1e-5)


def test_isolated_pocket_does_not_percolate():
    mask = np.zeros((10, 10, 10), dtype=bool)
    mask[3:7, 3:7, 2:8] = True
    result = tortuosity_factor(mask, axis=2)
    assert not result.percolating
    assert result.tortuosity_factor == math.inf
    assert result.effective_conductivity_s_cm == 0.0
    assert result.volume_fraction == pytest.approx(mask.mean())
    summary = result.to_dict()
    assert summary["tortuosity_factor"] is None and summary["percolating"] is False
    json.dumps(summary, allow_nan=False)


def test_pockets_and_dead_ends_carry_no_current():
    channel = np.zeros((12, 12, 16), dtype=bool)
    channel[4:7, 4:7, :] = True
    dead_end = np.zeros_like(channel)
    dead_end[6:11, 6:8, 8] = True  # a branch off the channel
    cluttered = channel | dead_end
    cluttered[0:2, 0:2, 5:10] = True  # isolated pocket
    cluttered[10:12, 0:2, :8] = True  # touches the inlet only
    clean = _solved(tortuosity_factor(channel, axis=2))
    result = _solved(tortuosity_factor(cluttered, axis=2))
    assert result.effective_conductivity_s_cm == pytest.approx(
        clean.effective_conductivity_s_cm, rel=1e-6)
    assert result.percolating_fraction == pytest.approx((channel | dead_end).mean())
    # τ counts the whole phase (TauFactor's convention), so dead volume raises it.
    assert result.tortuosity_factor == pytest.approx(cluttered.mean() / channel.mean(), rel=1e-6)


def test_random_spheres_lie_within_hashin_shtrikman_bounds():
    spheres = _sphere_centres_volume((36, 36, 36), radius=4.0, count=40, seed=5)
    phi2 = spheres.mean()
    phi1 = 1.0 - phi2
    s1, s2 = 1.0, 10.0
    result = _solved(effective_conductivity(spheres.astype(np.uint8), {0: s1, 1: s2}, axis=0))
    lower = s1 + phi2 / (1.0 / (s2 - s1) + phi1 / (3.0 * s1))
    upper = s2 + phi1 / (1.0 / (s1 - s2) + phi2 / (3.0 * s2))
    assert lower < result.effective_conductivity_s_cm < upper


def test_insulating_spheres_obey_hashin_shtrikman_upper_bound():
    spheres = _sphere_centres_volume((36, 36, 36), radius=4.0, count=60, seed=6)
    pore = ~spheres
    result = _solved(tortuosity_factor(pore, axis=1))
    phi = pore.mean()
    # HS upper bound for an insulating dispersed phase: σ_eff/σ0 ≤ 2φ / (3 − φ).
    assert result.relative_conductivity < 2.0 * phi / (3.0 - phi)
    assert result.tortuosity_factor > (3.0 - phi) / 2.0


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_swapping_inlet_and_outlet_changes_nothing(axis):
    labels = _gaussian_labels((20, 22, 24), (0.6, 0.4), seed=7)
    forward = _solved(tortuosity_factor(labels, axis=axis))
    backward = _solved(tortuosity_factor(np.flip(labels, axis=axis), axis=axis))
    assert backward.tortuosity_factor == pytest.approx(forward.tortuosity_factor, rel=1e-5)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_anisotropic_voxels_match_direct_solve(axis):
    spacing = (0.5, 1.0, 2.0)
    labels = _gaussian_labels((18, 16, 20), (0.55, 0.45), seed=8)
    result = _solved(tortuosity_factor(labels, axis=axis, voxel_size_um=spacing,
                                       flux_tolerance=1e-7))
    reference = reference_conductivity((labels == 1).astype(float), spacing, axis=axis)
    assert result.effective_conductivity_s_cm == pytest.approx(reference, rel=1e-5)


def test_stretched_voxels_equal_repeated_voxels():
    """Columns along x: a voxel twice as long in x equals two voxels, for current along z."""
    labels = _gaussian_labels((1, 20, 24), (0.3, 0.7), seed=9).repeat(6, axis=0)
    stretched = tortuosity_factor(labels, axis=2, voxel_size_um=(2.0, 1.0, 1.0))
    repeated = tortuosity_factor(labels.repeat(2, axis=0), axis=2)
    assert _solved(stretched).tortuosity_factor == pytest.approx(
        _solved(repeated).tortuosity_factor, rel=1e-5)


def test_axes_agree_with_transposed_volume():
    labels = _gaussian_labels((14, 18, 22), (0.5, 0.5), seed=10)
    along_x = _solved(tortuosity_factor(labels, axis=0))
    along_z = _solved(tortuosity_factor(np.transpose(labels, (2, 1, 0)), axis=2))
    assert along_z.tortuosity_factor == pytest.approx(along_x.tortuosity_factor, rel=1e-5)


def test_periodic_lateral_faces_match_direct_solve():
    mask = np.zeros((16, 12, 20), dtype=bool)
    for k in range(20):
        mask[(np.arange(4) + k) % 16, 3:9, k] = True  # a strip that wraps around x
    result = _solved(tortuosity_factor(mask, axis=2, periodic=True, flux_tolerance=1e-7))
    reference = reference_conductivity(mask.astype(float), axis=2, periodic=True)
    assert result.effective_conductivity_s_cm == pytest.approx(reference, rel=1e-5)


def test_periodic_only_path_percolates_only_when_periodic():
    mask = np.zeros((8, 8, 12), dtype=bool)
    mask[0:2, 2:4, 0:6] = True
    mask[6:8, 2:4, 5:12] = True
    assert not tortuosity_factor(mask, axis=2).percolating
    _solved(tortuosity_factor(mask, axis=2, periodic=True))


def test_fields_conserve_current():
    labels = _gaussian_labels((16, 18, 20), (0.45, 0.55), seed=11)
    spacing = (0.5, 0.5, 0.25)
    result = _solved(tortuosity_factor(labels, axis=2, voxel_size_um=spacing,
                                       bulk_conductivity_s_cm=2e-3, return_fields=True))
    potential, current = result.potential_v, result.current_density_a_cm2
    assert potential.shape == labels.shape and current.shape == labels.shape
    solved = np.isfinite(potential)
    assert np.all((potential[solved] >= 0.0) & (potential[solved] <= 1.0))
    assert np.all(labels[solved] == 1)
    # Mean axial current density over the box = σ_eff · 1 V / L, with L in cm.
    length_cm = labels.shape[2] * spacing[2] * 1e-4
    assert current.mean() == pytest.approx(result.effective_conductivity_s_cm / length_cm,
                                           rel=1e-4)


def test_memory_estimate_covers_the_peak_allocation():
    labels = _gaussian_labels((40, 44, 48), (0.5, 0.5), seed=13)
    tortuosity_factor(labels[:8, :8, :8])  # compile outside the measurement
    tracemalloc.start()
    try:
        tortuosity_factor(labels, axis=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 0.7 * labels.size * BYTES_PER_VOXEL < peak <= required_memory_bytes(labels.shape)


def test_summary_is_json_with_units():
    labels = _gaussian_labels((12, 12, 12), (0.5, 0.5), seed=12)
    summary = _solved(tortuosity_factor(labels, axis=2)).to_dict()
    text = json.dumps(summary, allow_nan=False)
    assert "effective_conductivity_s_cm" in text and "wall_time_s" in text
    assert summary["tortuosity_factor"] == pytest.approx(summary["tortuosity"] ** 2)
    assert summary["axis"] == "z"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"axis": 3}, "axis"),
        ({"voxel_size_um": (1.0, -1.0, 1.0)}, "voxel_size_um"),
        ({"flux_tolerance": 0.0}, "flux_tolerance"),
        ({"max_iterations": 0}, "max_iterations"),
        ({"threads": 0}, "threads"),
        ({"bulk_conductivity_s_cm": 0.0}, "bulk_conductivity_s_cm"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tortuosity_factor(np.ones((4, 4, 4), dtype=bool), **kwargs)


def test_bad_conductivities_raise():
    labels = np.ones((4, 4, 4), dtype=np.uint8)
    with pytest.raises(ValueError, match="conductivity_s_cm"):
        effective_conductivity(labels, {1: -1.0})
    with pytest.raises(ValueError, match="integer labels"):
        effective_conductivity(labels.astype(float), {1: 1.0})
    with pytest.raises(ValueError, match="3D"):
        tortuosity_factor(np.ones((4, 4), dtype=bool))
