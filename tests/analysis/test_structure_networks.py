"""Connectivity to the cell faces, geometric tortuosity and CAM utilization on built volumes."""

from __future__ import annotations

import numpy as np
import pytest

from cathodetwin.analysis.geometry.connectivity import connectivity_report, network
from cathodetwin.analysis.geometry.labels import label_periodic
from cathodetwin.analysis.geometry.particle_paths import particle_path_tortuosity
from cathodetwin.analysis.geometry.paths import geometric_tortuosity, path_lengths_um
from cathodetwin.analysis.utilization import (
    face_neighbours,
    particle_utilization,
    voxel_utilization,
)
from cathodetwin.structure.microstructure import Microstructure, Phase

LEGEND = (
    Phase(0, "pore", "pore"),
    Phase(1, "NCM", "CAM", "NCM811"),
    Phase(2, "LPSCl", "SSE", "Li6PS5Cl"),
    Phase(3, "VGCF", "carbon", "VGCF"),
)


def micro(labels: np.ndarray, periodic: bool = True, v: float = 0.2) -> Microstructure:
    return Microstructure(labels.astype(np.uint8), (v, v, v), LEGEND, {"periodic_xy": periodic})


def test_periodic_labelling_merges_across_x_and_y():
    mask = np.zeros((10, 10, 4), bool)
    mask[0:2, 3, 1] = mask[8:10, 3, 1] = True  # one cluster across x
    mask[5, 0, 2] = mask[5, 9, 2] = True  # one across y
    mask[5, 5, 0] = True  # alone
    assert label_periodic(mask)[1] == 5
    labels, n = label_periodic(mask, periodic_axes=(0, 1))
    assert n == 3
    assert labels[0, 3, 1] == labels[9, 3, 1] != labels[5, 0, 2]
    assert set(np.unique(labels)) == {0, 1, 2, 3}


def test_phase_cut_off_from_the_separator_has_zero_connectivity():
    lab = np.zeros((12, 12, 20), np.uint8)
    lab[:, :, :8] = 2  # SSE slab on the collector side only
    lab[3:6, 3:6, 10:20] = 2  # SSE column from the separator, not joined to the slab
    lab[8, 8, 12] = 2  # floating voxel
    rep = connectivity_report(micro(lab))
    sse = {c.name: c for c in rep.phases}["LPSCl"]
    n_slab, n_col, total = 12 * 12 * 8, 3 * 3 * 10, 12 * 12 * 8 + 90 + 1
    assert sse.to_separator == pytest.approx(n_col / total)
    assert sse.to_collector == pytest.approx(n_slab / total)
    assert sse.to_both == 0.0
    assert sse.isolated == pytest.approx(1 / total)
    assert sse.n_clusters == 3
    ionic = {c.name: c for c in rep.networks}["ionic"]
    assert ionic.to_both == 0.0
    # joining the column to the slab connects it through
    lab[3:6, 3:6, 8:10] = 2
    sse = {c.name: c for c in connectivity_report(micro(lab)).phases}["LPSCl"]
    assert sse.to_both == pytest.approx((total - 1 + 18) / (total + 18))


def test_straight_channel_has_tortuosity_one():
    lab = np.zeros((16, 16, 40), np.uint8)
    lab[5:9, 5:9, :] = 2
    tau = geometric_tortuosity(micro(lab), min_depth_fraction=0.0)
    assert tau.median == pytest.approx(1.0, abs=1e-6)
    assert tau.p90 == pytest.approx(1.0, abs=1e-6)
    assert tau.through_median == pytest.approx(1.0, abs=1e-6)
    assert tau.reached_fraction == 1.0
    t = path_lengths_um(lab == 2, voxel_size_um=(0.2, 0.2, 0.2), face="collector",
                        periodic_xy=True)
    assert t[6, 6, -1] == pytest.approx(40 * 0.2 - 0.1, rel=1e-6)


@pytest.mark.parametrize("angle_deg", [20.0, 40.0])
def test_tilted_channel_path_grows_as_one_over_cosine(angle_deg):
    """A slab tilted by θ from z (wrapping across the periodic x face): dL/dz = 1/cos θ."""
    nx, nz = 96, 120
    theta = np.deg2rad(angle_deg)
    g = np.indices((nx, 8, nz)).astype(float) + 0.5
    x_axis = (g[0] - (nz - g[2]) * np.tan(theta)) % nx
    mask = np.abs(x_axis - nx / 2) < 10.0
    t = path_lengths_um(mask, voxel_size_um=(1.0, 1.0, 1.0), face="separator", periodic_xy=True)
    x_at = lambda k: int((nx / 2 + (nz - k - 0.5) * np.tan(theta)) % nx)  # noqa: E731
    slope = (t[x_at(20), 4, 20] - t[x_at(60), 4, 60]) / 40.0
    assert slope == pytest.approx(1 / np.cos(theta), rel=0.02)


def test_tortuosity_of_unreachable_phase():
    lab = np.zeros((8, 8, 10), np.uint8)
    lab[:, :, :5] = 2
    tau = geometric_tortuosity(micro(lab))
    assert tau.reached_fraction == 0.0 and tau.median is None


def test_face_neighbours_wrap_only_when_periodic():
    m = np.zeros((5, 5, 5), bool)
    m[0, 2, 2] = True
    assert face_neighbours(m, True)[4, 2, 2] and not face_neighbours(m, False)[4, 2, 2]
    assert face_neighbours(m, False).sum() == 5


def test_voxel_utilization_ionic_and_electronic():
    lab = np.zeros((20, 10, 20), np.uint8)
    lab[0:4, :, 8:20] = 2  # SSE reaching the separator
    lab[4:8, :, 10:14] = 1  # CAM A touches it
    lab[12:16, :, 10:14] = 1  # CAM B touches only the floating SSE below
    lab[12:16, :, 8:10] = 2
    lab[4:6, :, 0:10] = 3  # carbon from the collector up to CAM A
    res = voxel_utilization(micro(lab, periodic=False))
    assert res.n_cam_units == 2
    assert res.ionic_volume_fraction == pytest.approx(0.5)
    assert res.ionic_electronic_volume_fraction == pytest.approx(0.5)
    lab[4:6, :, 0:10] = 0  # remove the carbon: no electron path
    res = voxel_utilization(micro(lab, periodic=False))
    assert res.ionic_volume_fraction == pytest.approx(0.5)
    assert res.ionic_electronic_volume_fraction == 0.0
    ids = np.zeros(lab.shape, np.int32)
    ids[lab == 1] = 7
    res = voxel_utilization(micro(lab, periodic=False), particle_ids=ids, unit="given")
    assert res.n_cam_units == 1 and res.ionic_volume_fraction == 1.0
    with pytest.raises(ValueError, match="particle_ids"):
        voxel_utilization(micro(lab), particle_ids=ids[:, :, :5])


def test_particle_utilization_thresholds(make_packing):
    """Paper 000's criterion on a hand-built packing (box 40 µm, periodic x/y)."""
    r_c, r_s = 2.0, 1.0

    def at(rel):  # centre distance giving overlap = rel * (r_c + r_s)
        return (r_c + r_s) * (1 - rel)

    centres = [
        [5, 5, 20], [5 + at(0.03), 5, 20],  # A + SSE: 3 %
        [15, 5, 20], [15 + at(0.07), 5, 20],  # B + SSE: 7 %
        [5, 5 + 4 * (1 - 0.2), 20],  # C: CAM–CAM only (20 %), with A
        [25, 25, 20],  # D: own half shell
        [25 + 2 * r_c * (1 - 0.03) + 0.0, 25, 20],  # E: touches D (shelled) at ~3 %
        [35, 35, 35],  # F: alone
        [0.5, 15, 20], [0.5 - at(0.12), 15, 20],  # G + SSE across the x face: 12 %
    ]
    radii = [r_c, r_s, r_c, r_s, r_c, r_c, r_c, r_c, r_c, r_s]
    comp = [0, 1, 0, 1, 0, 0, 0, 0, 0, 1]
    shell = [0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0]
    cover = [0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0]
    p = make_packing(centres, radii, comp, box=(40.0, 40.0, 40.0), shell=shell, coverage=cover)
    res = particle_utilization(p, thresholds=(0.0, 0.02, 0.05, 0.10))
    assert res.n_cam_particles == 7
    # at 0 and 2 %: A, B, D, E, G; 5 %: B, D, G; 10 %: D, G
    assert res.particle_fraction == pytest.approx((5 / 7, 5 / 7, 3 / 7, 2 / 7))
    assert res.to_dict()["by_min_overlap_percent"]["10"]["particle_fraction"] == \
        pytest.approx(2 / 7)
    with pytest.raises(ValueError, match="thresholds"):
        particle_utilization(p, thresholds=(0.0, 1.5))


def test_network_face_flags():
    mask = np.zeros((4, 4, 6), bool)
    mask[1, 1, :] = True
    mask[3, 3, 2:4] = True
    net = network(mask, True)
    assert net.n_clusters == 2
    assert net.connected_mask("both").sum() == 6
    assert net.connected_mask("separator").sum() == 6
    with pytest.raises(ValueError, match="face"):
        net.connected_mask("top")


@pytest.mark.parametrize("dx", [0.0, 0.6])
def test_particle_network_tortuosity_of_a_zigzag_chain(make_packing, dx):
    """SSE spheres r = 0.55 stacked every 0.8 µm in z, alternately shifted by ±dx/2 in x."""
    dz, n = 0.8, 12
    height = n * dz
    centres = [[5 + (dx / 2 if k % 2 else -dx / 2), 5, height - 0.3 - k * dz] for k in range(n)]
    p = make_packing(centres, [0.55] * n, [1] * n, box=(10.0, 10.0, height))
    res = particle_path_tortuosity(p, min_depth_fraction=0.5)
    assert res.reached_fraction == 1.0
    hop = np.hypot(dx, dz)
    deep = [k for k in range(n) if 0.3 + k * dz >= 0.5 * height]
    expected = [(0.3 + k * hop) / (0.3 + k * dz) for k in deep]
    assert res.median == pytest.approx(np.median(expected), rel=1e-9)
    # a chain that stops short of the separator plane is not reached
    low = make_packing([[5, 5, 2.0], [5, 5, 2.8]], [0.5, 0.5], [1, 1], box=(10, 10, 9.6))
    assert particle_path_tortuosity(low).reached_fraction == 0.0
