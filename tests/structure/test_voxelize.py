"""Voxelization of hand-built packings: volumes, periodic wrap, overlap rules, shells, fibres."""

from __future__ import annotations

import numpy as np
import pytest

from cathodetwin.packing import Fibers
from cathodetwin.packing.shell_patches import shell_patches
from cathodetwin.structure.voxelize import (
    OVERLAP_PRIORITY,
    grid_for_box,
    voxelize,
    voxelize_with_owners,
)

V = 0.1  # µm voxel edge in these tests


def sphere_um3(r: float) -> float:
    return 4.0 / 3.0 * np.pi * r**3


def cap_um3(r: float, h: float) -> float:
    """Volume of a spherical cap of height h cut from a sphere of radius r."""
    return np.pi * h * h * (3 * r - h) / 3.0


def volumes(micro) -> dict[str, float]:
    counts = np.bincount(micro.labels.ravel(), minlength=len(micro.phases))
    return {p.name: counts[p.label] * micro.voxel_volume_um3 for p in micro.phases}


def test_legend_pore_then_components(make_packing):
    m = voxelize(make_packing([[5, 5, 5]], [2.0], [0]), V)
    assert [(p.label, p.name, p.role) for p in m.phases] == [
        (0, "pore", "pore"), (1, "NCM", "CAM"), (2, "LPSCl", "SSE"), (3, "VGCF", "carbon"),
    ]
    assert m.provenance["periodic_xy"] is True
    assert m.labels.dtype == np.uint8


def test_sphere_volume_exact_to_voxel_accuracy(make_packing):
    m = voxelize(make_packing([[5.03, 4.98, 5.01]], [3.0], [0]), V)
    assert volumes(m)["NCM"] == pytest.approx(sphere_um3(3.0), rel=0.01)


def test_periodic_wrap_in_x_and_y(make_packing):
    centred = voxelize(make_packing([[5.0, 5.0, 5.0]], [2.0], [0]), V)
    corner = voxelize(make_packing([[0.0, 10.0, 5.0]], [2.0], [0]), V)
    assert (corner.labels == 1).sum() == (centred.labels == 1).sum()
    # the sphere wraps: it touches all four x/y faces of the box
    assert corner.labels[0, 0, 50] == 1 and corner.labels[-1, -1, 50] == 1


def test_z_is_not_periodic(make_packing):
    m = voxelize(make_packing([[5.0, 5.0, 0.0]], [2.0], [0]), V)
    assert volumes(m)["NCM"] == pytest.approx(sphere_um3(2.0) / 2, rel=0.02)
    assert not np.any(m.labels[:, :, -1] == 1)


def test_grid_tiles_box_exactly():
    shape, spacing = grid_for_box((10.0, 9.95, 5.0), 0.2)
    assert shape == (50, 50, 25)
    assert spacing[1] * shape[1] == pytest.approx(9.95)
    with pytest.raises(ValueError, match="voxel_size_um"):
        grid_for_box((10.0, 10.0, 10.0), 0.0)


def test_hard_cam_wins_over_soft_sse(make_packing):
    # CAM r=2 at x=4, SSE r=1.5 at x=6.5: centre distance 2.5, overlap 1.0 µm
    p = make_packing([[4.0, 5.0, 5.0], [6.5, 5.0, 5.0]], [2.0, 1.5], [0, 1])
    vol = volumes(voxelize(p, V))
    d, r1, r2 = 2.5, 2.0, 1.5
    # lens part inside the SSE sphere beyond... SSE loses the cap that lies inside the CAM sphere
    x = (d * d - r2 * r2 + r1 * r1) / (2 * d)  # rim plane from the CAM centre
    lens = cap_um3(r1, r1 - x) + cap_um3(r2, r2 - (d - x))
    assert vol["NCM"] == pytest.approx(sphere_um3(r1), rel=0.01)
    assert vol["LPSCl"] == pytest.approx(sphere_um3(r2) - lens, rel=0.02)
    assert OVERLAP_PRIORITY["CAM"] > OVERLAP_PRIORITY["carbon"] > OVERLAP_PRIORITY["SSE"]


def test_equal_priority_split_by_power_plane(make_packing):
    # two CAM components overlapping: the lens is cut by the radical plane
    p = make_packing([[4.0, 5.0, 5.0], [6.5, 5.0, 5.0]], [2.0, 1.5], [0, 1],
                     roles=("CAM", "CAM", "carbon"),
                     materials=("NCM811", "NCM622", "VGCF"), names=("big", "small", "C"))
    vol = volumes(voxelize(p, V))
    d, r1, r2 = 2.5, 2.0, 1.5
    x = (d * d - r2 * r2 + r1 * r1) / (2 * d)
    assert vol["big"] == pytest.approx(sphere_um3(r1) - cap_um3(r1, r1 - x), rel=0.02)
    assert vol["small"] == pytest.approx(sphere_um3(r2) - cap_um3(r2, r2 - (d - x)), rel=0.02)


def test_full_shell_and_patchy_shell(make_packing):
    full = voxelize(make_packing([[5, 5, 5]], [3.0], [0], shell=[1.0], coverage=[1.0]), V)
    half = voxelize(make_packing([[5, 5, 5]], [3.0], [0], shell=[1.0], coverage=[0.5]), V)
    shell_um3 = sphere_um3(3.0) - sphere_um3(2.0)
    assert [p.role for p in full.phases][-1] == "shell"
    assert volumes(full)["Li6PS5Cl shell"] == pytest.approx(shell_um3, rel=0.02)
    assert volumes(half)["Li6PS5Cl shell"] == pytest.approx(0.5 * shell_um3, rel=0.05)
    assert volumes(half)["NCM"] == pytest.approx(sphere_um3(2.0), rel=0.02)


def test_shell_patches_are_deterministic_per_particle():
    cov = np.array([0.3, 0.7])
    d1, t1 = shell_patches(cov, seed=4)
    d2, t2 = shell_patches(np.array([0.3, 0.7, 0.5]), seed=4)
    np.testing.assert_array_equal(d1, d2[:2])
    np.testing.assert_array_equal(t1, t2[:2])
    d3, _ = shell_patches(cov, seed=5)
    assert not np.allclose(d1, d3)


def test_buffer_drawn_only_when_resolvable(make_packing):
    thick = voxelize(make_packing([[5, 5, 5]], [3.0], [0], buffer=[0.2]), V)
    thin = voxelize(make_packing([[5, 5, 5]], [3.0], [0], buffer=[0.01]), V)
    assert "coating" in [p.role for p in thick.phases]
    assert volumes(thick)["LiNbO3 coating"] == pytest.approx(
        sphere_um3(3.0) - sphere_um3(2.8), rel=0.05)
    assert "coating" not in [p.role for p in thin.phases]
    assert volumes(thin)["NCM"] == pytest.approx(sphere_um3(3.0), rel=0.01)
    assert thin.provenance["buffer_resolved"] is False


def test_fibre_is_capped_cylinder_across_periodic_face(make_packing):
    a, b, r = np.array([8.0, 5.0, 5.0]), np.array([14.0, 6.0, 6.3]), 0.8
    fib = Fibers(a[None], b[None], np.array([r]), np.array([2], np.int16))
    p = make_packing([[5, 5, 1]], [0.5], [1], fibers=fib)
    vol = volumes(voxelize(p, V))
    exact = np.pi * r**2 * np.linalg.norm(b - a) + sphere_um3(r)
    assert vol["VGCF"] == pytest.approx(exact, rel=0.03)


def test_chunking_does_not_change_the_result(make_packing):
    rng = np.random.default_rng(3)
    p = make_packing(rng.random((30, 3)) * 10, rng.uniform(0.5, 2.0, 30), rng.integers(0, 2, 30),
                     shell=np.where(np.arange(30) % 3 == 0, 0.3, 0.0).tolist(),
                     coverage=np.where(np.arange(30) % 3 == 0, 0.6, 0.0).tolist())
    whole = voxelize(p, 0.2)
    sliced = voxelize(p, 0.2, chunk_bytes=1)
    np.testing.assert_array_equal(whole.labels, sliced.labels)


def test_owners_match_labels(make_packing):
    p = make_packing([[3, 5, 5], [6, 5, 5], [8.5, 5, 5]], [2.0, 1.5, 1.0], [0, 1, 0])
    m, owner = voxelize_with_owners(p, 0.2)
    np.testing.assert_array_equal(m.labels, voxelize(p, 0.2).labels)
    assert owner.dtype == np.int32
    np.testing.assert_array_equal(owner == -1, m.labels == 0)
    comp_label = np.array([1, 2, 1])
    solid = owner >= 0
    np.testing.assert_array_equal(comp_label[owner[solid]], m.labels[solid])
