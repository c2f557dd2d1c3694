"""Distance transform, local thickness and pore counts vs references and analytic shapes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from cathodetwin.analysis.geometry.distance import distance_transform
from cathodetwin.analysis.geometry.pores import local_thickness_um, pore_sizes
from cathodetwin.structure.microstructure import Microstructure, Phase

LEGEND = (Phase(0, "pore", "pore"), Phase(1, "LPSCl", "SSE", "Li6PS5Cl"))


def local_thickness_reference(mask: np.ndarray, spacing, periodic_xy: bool) -> np.ndarray:
    """Brute force: every voxel takes the largest ball (centred on any voxel) that holds it."""
    dist = distance_transform(mask, voxel_size_um=spacing,
                              periodic=(periodic_xy, periodic_xy, False)).astype(float)
    idx = np.argwhere(mask)
    pos = idx * np.asarray(spacing)
    box = np.asarray(mask.shape) * np.asarray(spacing)
    out = np.zeros(mask.shape)
    for c, pc in zip(idx, pos, strict=True):
        d = pos - pc
        if periodic_xy:
            d[:, :2] -= box[:2] * np.round(d[:, :2] / box[:2])
        inside = (d**2).sum(axis=1) < dist[tuple(c)] ** 2 * (1 - 1e-5)  # open ball (float32 dist)
        tgt = tuple(idx[inside].T)
        out[tgt] = np.maximum(out[tgt], dist[tuple(c)])
    out[mask] = 2 * out[mask] - min(spacing)
    return out


@pytest.mark.parametrize("periodic", [False, True])
def test_distance_transform_matches_scipy(periodic):
    rng = np.random.default_rng(1)
    mask = rng.random((17, 13, 11)) > 0.04
    spacing = (0.5, 0.7, 1.1)
    if periodic:
        tiled = np.tile(mask, (3, 3, 1))
        ref = ndi.distance_transform_edt(tiled, sampling=spacing)[17:34, 13:26]
    else:
        ref = ndi.distance_transform_edt(mask, sampling=spacing)
    got = distance_transform(mask, voxel_size_um=spacing, periodic=(periodic, periodic, False))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6)


def test_distance_transform_without_background_is_inf():
    assert np.isinf(distance_transform(np.ones((3, 3, 3), bool))).all()


@pytest.mark.parametrize(("periodic", "spacing"), [(False, (1.0, 1.0, 1.0)),
                                                   (True, (0.3, 0.3, 0.3))])
def test_local_thickness_matches_brute_force(periodic, spacing):
    rng = np.random.default_rng(7)
    mask = ndi.gaussian_filter(rng.random((14, 12, 10)), 1.5) > 0.48
    got = local_thickness_um(mask, voxel_size_um=spacing, periodic_xy=periodic)
    np.testing.assert_allclose(got, local_thickness_reference(mask, spacing, periodic),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("width", [3, 5, 9])
def test_local_thickness_of_a_slab_is_its_width(width):
    mask = np.zeros((12, 12, 20), bool)
    mask[:, :, 4:4 + width] = True
    lt = local_thickness_um(mask, voxel_size_um=(0.2, 0.2, 0.2), periodic_xy=True)
    np.testing.assert_allclose(lt[mask], width * 0.2, rtol=1e-6)
    assert np.all(lt[~mask] == 0)


def spheres_volume(n: int, centres, radius: float, solid_label: int = 1) -> np.ndarray:
    g = np.indices((n, n, n)).astype(float) + 0.5
    lab = np.full((n, n, n), solid_label, np.uint8)
    for c in centres:
        lab[((g - np.asarray(c, float)[:, None, None, None]) ** 2).sum(axis=0) <= radius**2] = 0
    return lab


def test_two_spherical_pores_sizes_and_counts():
    lab = spheres_volume(48, [(14.3, 14.1, 14.2), (33.6, 33.2, 33.7)], 8.0)
    res = pore_sizes(Microstructure(lab, (0.1, 0.1, 0.1), LEGEND, {"periodic_xy": False}))
    assert res.n_pore_regions == 2 and res.n_pores == 2
    assert res.porosity == pytest.approx(2 * 4 / 3 * np.pi * 8**3 / 48**3, rel=0.02)
    # the largest ball is the sphere, to a voxel; voxels near the rim off the best-fitting
    # ball centre see smaller balls, so the volume mean is a little lower
    assert res.max_diameter_um == pytest.approx(1.6 - 0.1, abs=0.1)  # centred on a voxel
    assert 0.8 * res.max_diameter_um < res.mean_diameter_um <= res.max_diameter_um
    assert sum(res.volume_fraction_per_bin) == pytest.approx(1.0)


def test_two_pores_joined_by_a_throat_are_one_region_two_pores():
    lab = spheres_volume(48, [(14.3, 24.1, 24.2), (33.6, 24.2, 24.1)], 8.0)
    lab[14:34, 23:26, 23:26] = 0  # a 3-voxel throat
    res = pore_sizes(Microstructure(lab, (0.1, 0.1, 0.1), LEGEND, {"periodic_xy": False}))
    assert res.n_pore_regions == 1
    assert res.n_pores == 2


def test_no_pores():
    lab = np.ones((8, 8, 8), np.uint8)
    lab[0, 0, 0] = 1
    res = pore_sizes(Microstructure(lab, (0.1, 0.1, 0.1), LEGEND))
    assert res.porosity == 0 and res.n_pores == 0 and res.mean_diameter_um is None
