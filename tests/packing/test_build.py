"""Recipe → Packing: carbon in the pores, core–shell particles, save/load, progress."""

from __future__ import annotations

import numpy as np
import pytest
from packing_support import composite_recipe

from cathodetwin.packing import Packing, build_packing, sample_powder
from cathodetwin.packing.measures import plastic_surface
from cathodetwin.packing.shell_patches import covered_along, shell_patches
from cathodetwin.recipe import recipe_from_dict


@pytest.fixture(scope="module")
def with_fibers() -> Packing:
    return build_packing(composite_recipe(seed=4, carbon=True))


def _point_segment_distance(p, a, b):
    ab = b - a
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.einsum("ij,ij->i", ab, ab), 0, 1)
    return np.linalg.norm(a + t[:, None] * ab - p, axis=1)


def test_fibres_fill_pores_with_the_recipe_carbon_volume(with_fibers: Packing) -> None:
    report = with_fibers.provenance["carbon"]["VGCF"]
    assert report["placed_volume_um3"] == pytest.approx(report["target_volume_um3"], rel=0.01)
    vols = with_fibers.component_volumes_um3()
    assert vols["VGCF"] == pytest.approx(report["target_volume_um3"], rel=0.01)
    # wt% of the whole layer follows the recipe within 1 % (relative)
    rho = {"NCM": 4.8, "LPSCl": 1.86, "VGCF": 2.0}  # library densities
    mass = {k: vols[k] * rho[k] for k in vols}
    total = sum(mass.values())
    for name, wt in (("NCM", 70.0), ("LPSCl", 27.0), ("VGCF", 3.0)):
        assert 100 * mass[name] / total == pytest.approx(wt, rel=0.01)
    # no fibre cuts into a particle: axis points stay a fibre radius outside every sphere
    f = with_fibers.fibers
    assert len(f) > 0 and np.allclose(f.radius_um, 0.075)
    box = np.array(with_fibers.box_um)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(f), size=min(len(f), 400), replace=False)
    t = rng.random(pick.size)[:, None]
    pts = f.start_um[pick] + t * (f.end_um[pick] - f.start_um[pick])
    assert np.all(pts[:, 2] >= f.radius_um[pick] * 0.99)
    assert np.all(pts[:, 2] <= box[2] - f.radius_um[pick] * 0.99)
    d = pts[:, None, :] - with_fibers.center_um[None, :, :]
    d[..., :2] -= box[:2] * np.floor(d[..., :2] / box[:2] + 0.5)
    gap = np.linalg.norm(d, axis=2) - with_fibers.radius_um[None, :]
    assert gap.min() >= 0.99 * 0.075 - 0.02  # straight segments between beads sag ≤ 0.02 µm
    seg = np.linalg.norm(f.end_um - f.start_um, axis=1)
    assert seg.max() <= 6.0 + 1e-9


def test_save_load_roundtrip_keeps_everything(with_fibers: Packing, tmp_path) -> None:
    path = with_fibers.save(tmp_path / "p.npz")
    back = Packing.load(path)
    assert np.array_equal(back.center_um, with_fibers.center_um)
    assert np.array_equal(back.fibers.end_um, with_fibers.fibers.end_um)
    assert np.array_equal(back.contacts.plastic_overlap_um, with_fibers.contacts.plastic_overlap_um)
    assert set(back.history) == set(with_fibers.history)
    assert back.provenance["carbon"] == with_fibers.provenance["carbon"]
    assert back.porosity() == pytest.approx(with_fibers.porosity())


def test_progress_reports_stages_pressure_and_porosity() -> None:
    seen = []
    build_packing(composite_recipe(seed=5, box_um=(11.0, 11.0, 4.0)), progress=seen.append)
    stages = [d["stage"] for d in seen]
    assert stages[0] == "load" and stages[-1] == "carbon" and "unload" in stages
    for d in seen:
        assert 0.0 < d["porosity"] < 1.0 and d["pressure_mpa"] > 0.0


def test_carbon_black_agglomerates_touch_particles_without_overlap() -> None:
    recipe = composite_recipe(seed=6, box_um=(11.0, 11.0, 6.0), carbon=True).with_changes(
        {"components.VGCF": {"name": "SuperP", "material": "SuperP", "role": "carbon",
                             "weight_percent": 1.0,
                             "psd": {"kind": "lognormal", "d50_um": 0.4, "gsd": 1.5}},
         "components.LPSCl.weight_percent": 29.0}
    )
    packing = build_packing(recipe)
    carbon = packing.component == packing.component_names.index("SuperP")
    report = packing.provenance["carbon"]["SuperP"]
    assert report["placement"] == "agglomerates" and report["objects"] == carbon.sum() > 0
    r = packing.radius_um[carbon]
    assert r.min() < 0.2 < r.max() and r.max() < 0.6  # drawn from the psd (D50 0.4 µm)
    assert packing.component_volumes_um3()["SuperP"] == pytest.approx(
        report["target_volume_um3"], rel=0.01)
    box = np.array(packing.box_um)
    c = packing.center_um[carbon]
    d = c[:, None, :] - packing.center_um[None, ~carbon, :]
    d[..., :2] -= box[:2] * np.floor(d[..., :2] / box[:2] + 0.5)
    gap = np.linalg.norm(d, axis=2) - packing.radius_um[~carbon][None, :] - r[:, None]
    assert gap.min() >= -1e-3 * r.max()  # no overlap with particles (0.1 % placement slack)
    assert np.mean(gap.min(axis=1) < 1e-3) > 0.9  # they sit on particle surfaces


def test_core_shell_cam_keeps_its_shell_volume_and_yields_at_the_surface() -> None:
    recipe = recipe_from_dict({
        "name": "core-shell",
        "components": [
            {"name": "BM05", "material": "NCM811", "role": "CAM", "weight_percent": 75.0,
             "psd": {"kind": "lognormal", "d50_um": 4.0, "gsd": 1.15},
             "shell": {"material": "Li6PS5Cl", "weight_percent": 5.0},
             "buffer": {"thickness_nm": 8.0}},
            {"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 25.0,
             "psd": {"kind": "lognormal", "d50_um": 1.5, "gsd": 1.3}},
        ],
        "processing": {"pressing_pressure_mpa": 350.0, "stack_pressure_mpa": 12.7},
        "simulation": {"box_um": [13.0, 13.0, 8.0], "voxel_size_um": 0.25, "seed": 2},
    })
    powder = sample_powder(recipe)
    packing = build_packing(recipe)
    assert all(packing.provenance["compaction"]["converged"].values())
    cam = packing.component == 0
    assert np.all(plastic_surface(packing.component_roles, packing.shell_materials) == [True, True])
    assert np.allclose(packing.buffer_thickness_um[cam], 0.008)
    assert np.allclose(packing.core_radius_um[cam], powder.core_radius_um[cam])
    assert np.all(packing.shell_thickness_um[cam] >= powder.shell_thickness_um[cam] - 1e-12)
    sampled = packing.component_volumes_um3(spacing_um=0.04)
    for spec in powder.components:
        # within 1 % with the 1.9 GPa glass proxy; 1.02 % for the shelled CAM with the softer
        # calibrated LPSCl (1.05 GPa, 0.5.0): more flattening, more triple overlaps, which the
        # pairwise lens accounting of the growth does not see
        assert sampled[spec.name] == pytest.approx(spec.volume_um3, rel=0.015)


def _core_contacts(packing: Packing) -> int:
    """Pairs of shelled CAM particles whose cores overlap (periodic in x and y)."""
    cam = np.flatnonzero(packing.shell_thickness_um > 0)
    d = packing.center_um[cam, None, :] - packing.center_um[None, cam, :]
    for ax in (0, 1):
        d[..., ax] -= packing.box_um[ax] * np.round(d[..., ax] / packing.box_um[ax])
    rc = packing.core_radius_um[cam]
    overlap = rc[:, None] + rc[None, :] - np.linalg.norm(d, axis=2)
    np.fill_diagonal(overlap, -1.0)
    return int(np.count_nonzero(overlap > 0) // 2)


@pytest.mark.xfail(strict=True, reason=(
    "0.5.0 finding: with friction (mu 0.3, assumed) and the calibrated LPSCl hardness "
    "(1.05 GPa) the half-covered powder jams on its bare CAM patches (height 18.5 vs 15.7 um) "
    "and has 7 core contacts against 50 for full shells squeezed through; frictionless 1.9 GPa "
    "gave the paper-002 ordering. Reported in docs/packing.md"))
def test_half_covered_shells_let_cores_touch_where_full_shells_keep_them_apart() -> None:
    # paper 002's half-covered "glitter-cake": bare CAM between the patches meets its neighbours
    def pressed(coverage: float) -> Packing:
        return build_packing(recipe_from_dict({
            "name": "glitter-cake",
            "components": [
                {"name": "NCM@LPSCl", "material": "NCM811", "role": "CAM",
                 "weight_percent": 89.4737,
                 "psd": {"kind": "lognormal", "d50_um": 7.5, "gsd": 1.35},
                 "shell": {"material": "Li6PS5Cl", "weight_percent": 5.0, "coverage": coverage}},
                {"name": "LPSCl", "material": "Li6PS5Cl-fine", "role": "SSE",
                 "weight_percent": 10.5263, "psd": {"kind": "lognormal", "d50_um": 1.5,
                                                    "gsd": 1.3}},
            ],
            "processing": {"pressing_pressure_mpa": 500.0, "stack_pressure_mpa": 15.0},
            "simulation": {"box_um": [32.0, 32.0, 14.0], "voxel_size_um": 0.2, "seed": 0},
        }))

    full, half = pressed(1.0), pressed(0.5)
    for packing in (full, half):
        assert all(packing.provenance["compaction"]["converged"].values())
    assert _core_contacts(half) >= 3 * max(_core_contacts(full), 1)

    # on the current collector: a bare patch facing it lets the core touch it
    on_wall = np.flatnonzero((half.shell_thickness_um > 0)
                             & (half.center_um[:, 2] < half.radius_um))
    dirs, thr = shell_patches(half.coverage, half.provenance["compaction"]["patch_seed"])
    down = np.tile([0.0, 0.0, -1.0], (on_wall.size, 1))
    bare = ~covered_along(down, on_wall, half.coverage, dirs, thr)
    core_gap = half.core_radius_um[on_wall] - half.center_um[on_wall, 2]  # > 0: core on wall
    assert np.count_nonzero(core_gap[bare] > 0.0) >= 5  # measured: 9 of 11 (covered: 3 of 6)
    assert np.mean(core_gap[bare] > 0.0) > np.mean(core_gap[~bare] > 0.0)
