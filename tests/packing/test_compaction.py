"""Compaction: wall-force balance, volume conservation, densification, jamming, blends, seeds."""

from __future__ import annotations

import numpy as np
import pytest
from packing_support import composite_recipe

from cathodetwin.packing import CompactionSettings, compact, compaction, sample_powder
from cathodetwin.packing.compaction import STAGES
from cathodetwin.packing.measures import slab_solid_fraction
from cathodetwin.packing.neighbors import build_pairs
from cathodetwin.recipe import Processing, recipe_from_dict


def _stage_end(packing, stage: str) -> int:
    """Index of the last history row of a stage."""
    rows = np.nonzero(packing.history["stage"] == STAGES.index(stage))[0]
    return int(rows[-1])


def test_punch_and_bottom_forces_balance_at_the_target(composite_packing) -> None:
    h = composite_packing.history
    for stage, target in (("load", 300.0), ("unload", 10.0)):
        k = _stage_end(composite_packing, stage)
        top, bottom = h["punch_pressure_mpa"][k], h["bottom_pressure_mpa"][k]
        assert h["pressure_mpa"][k] == pytest.approx(target)
        assert abs(top - bottom) <= 0.01 * top
        assert top == pytest.approx(target, rel=0.02)
        assert bottom == pytest.approx(target, rel=0.02)
    info = composite_packing.provenance["compaction"]
    assert all(info["converged"].values())


def test_solid_volume_per_component_is_conserved(composite_packing, composite_powder) -> None:
    target = {s.name: s.volume_um3 for s in composite_powder.components}
    sampled = composite_packing.component_volumes_um3(spacing_um=0.04)
    for name, volume in target.items():
        assert sampled[name] == pytest.approx(volume, rel=0.01)
    # SSE particles grew to keep their volume despite the plastic overlaps
    sse = composite_packing.component == 1
    assert np.all(composite_packing.radius_um[sse] >= composite_powder.radius_um[sse] - 1e-9)
    assert composite_packing.contacts.plastic_overlap_um.max() > 0.0


def test_pressing_densifies_and_unloading_springs_back(composite_packing) -> None:
    h = composite_packing.history
    loaded = h["solid_fraction"][_stage_end(composite_packing, "load")]
    unloaded = h["solid_fraction"][_stage_end(composite_packing, "unload")]
    # ductile SSE fills most pores at 300 MPa (0.5.0, friction: 0.79; frictionless 0.83)
    assert loaded > 0.75
    assert 0.7 < unloaded < loaded  # elastic spring-back, plastic flattening stays
    assert composite_packing.solid_fraction() == pytest.approx(unloaded, rel=1e-3)
    assert composite_packing.box_um[2] == pytest.approx(h["height_um"][-1])


def test_contacts_and_coordination(composite_packing) -> None:
    c = composite_packing.contacts
    assert len(c) > len(composite_packing)
    assert np.all(c.i < c.j) and np.all(c.overlap_um > 0) and np.all(c.force_n >= 0)
    rel = composite_packing.relative_overlap()
    assert np.all((rel > 0) & (rel < 0.5))
    z = composite_packing.coordination_numbers()
    n = np.bincount(composite_packing.component)
    # every contact counted from both sides
    assert z["NCM->LPSCl"] * n[0] == pytest.approx(z["LPSCl->NCM"] * n[1])
    assert z["NCM->LPSCl"] > z["NCM->NCM"]  # small SSE crowd the large CAM
    strict = composite_packing.coordination_numbers(min_relative_overlap=0.05)
    assert all(strict[k] <= z[k] for k in z)


def test_same_seed_gives_identical_packing() -> None:
    recipe = composite_recipe(seed=11, box_um=(11.0, 11.0, 5.0))
    a = compact(sample_powder(recipe), recipe.processing)
    b = compact(sample_powder(recipe), recipe.processing)
    assert np.array_equal(a.center_um, b.center_um)
    assert np.array_equal(a.radius_um, b.radius_um)
    assert np.array_equal(a.contacts.i, b.contacts.i)
    assert np.array_equal(a.contacts.force_n, b.contacts.force_n)
    other = composite_recipe(seed=12, box_um=(11.0, 11.0, 5.0))
    c = compact(sample_powder(other), other.processing)
    assert len(c) != len(a) or not np.array_equal(c.center_um, a.center_um)


def _cam_recipe(blend: dict[str, float], seed: int, box_um) -> dict:
    sizes = {"large": 3.0, "small": 1.0}
    return recipe_from_dict({
        "name": "cam only",
        "components": [
            {"name": name, "material": "NCM811", "role": "CAM", "weight_percent": w,
             "psd": {"kind": "lognormal", "d50_um": sizes[name], "gsd": 1.05}}
            for name, w in blend.items()
        ],
        "simulation": {"box_um": list(box_um), "voxel_size_um": 0.1, "seed": seed},
    })


def _bulk_fraction(recipe, pressure_mpa: float, margin_um: float,
                   residual_tolerance: float = 1e-2) -> float:
    """Solid fraction away from the walls after settling frictionless CAM at a low pressure."""
    settings = CompactionSettings(settle=True, start_pressure_mpa=pressure_mpa,
                                  residual_tolerance=residual_tolerance, wall_tolerance=5e-3,
                                  friction=False, cohesion=False)
    pressing = Processing(pressing_pressure_mpa=pressure_mpa, stack_pressure_mpa=pressure_mpa)
    p = compact(sample_powder(recipe, solid_fraction_guess=0.64), pressing, settings=settings)
    assert all(p.provenance["compaction"]["converged"].values())
    return slab_solid_fraction(p.center_um, p.radius_um, p.box_um, margin_um,
                               p.box_um[2] - margin_um)


def test_monodisperse_frictionless_spheres_jam_at_random_close_packing() -> None:
    # Seeds 1-3, each ~1000 spheres; the bulk two diameters away from the walls (wall layering).
    phi = [
        _bulk_fraction(recipe_from_dict({
            "name": "mono",
            "components": [{"name": "NCM", "material": "NCM811", "role": "CAM",
                            "weight_percent": 100.0,
                            "psd": {"kind": "lognormal", "d50_um": 1.0, "gsd": 1.0}}],
            "simulation": {"box_um": [8.0, 8.0, 14.0], "voxel_size_um": 0.1, "seed": seed},
        }), 1.0, 2.0, residual_tolerance=3e-3)  # P/E* ≈ 1e-5: vanishing pressure
        for seed in (1, 2, 3)
    ]
    assert 0.63 <= float(np.mean(phi)) <= 0.65
    assert all(0.62 <= f <= 0.65 for f in phi)


def test_binary_cam_blend_packs_denser_than_either_unimodal_powder() -> None:
    # Frictionless spheres at vanishing pressure are scale-free, so each powder is pressed in a
    # die scaled with its particle size (same number of particles per die width).
    phi_large = _bulk_fraction(_cam_recipe({"large": 100.0}, 7, (13.0, 13.0, 13.0)), 1.0, 3.0)
    phi_small = _bulk_fraction(_cam_recipe({"small": 100.0}, 8, (4.4, 4.4, 4.4)), 1.0, 1.0)
    phi_blend = _bulk_fraction(
        _cam_recipe({"large": 70.0, "small": 30.0}, 7, (13.0, 13.0, 13.0)), 1.0, 3.0
    )
    assert phi_blend > phi_large + 0.01
    assert phi_blend > phi_small + 0.01


def test_too_narrow_die_and_bad_pressures_raise(composite_powder) -> None:
    with pytest.raises(ValueError, match="box_um lateral size 3 µm is too small"):
        sample_powder(composite_recipe(box_um=(3.0, 3.0, 8.0)))
    # a die slightly narrower than the coarse tail: the upper cut is raised to fit, reported
    snug = sample_powder(composite_recipe(box_um=(8.0, 8.0, 8.0)))
    report = snug.truncation["NCM"]
    assert report["volume_cut_above"] > 0.005
    assert report["d_max_um"] <= 8.0 / 2.0 + 1e-9
    assert snug.radius_um.max() < 8.0 / 4.0 + 1e-9
    with pytest.raises(ValueError, match="stack_pressure_mpa=400"):
        compact(composite_powder, Processing(pressing_pressure_mpa=300, stack_pressure_mpa=400))
    with pytest.raises(ValueError, match="threads=0"):
        compact(composite_powder, Processing(), settings=CompactionSettings(threads=0))


def test_every_touching_pair_is_listed_through_refreshes_and_rebuilds(monkeypatch) -> None:
    # CAM:SSE size ratio 5 in a small die (~1000 particles), a thin skin (0.1) so that lists
    # are refreshed often; at every force evaluation the pairs that touch (a pair list
    # without skin) must all be in the running Verlet list.
    recipe = recipe_from_dict({
        "name": "ratio 5",
        "components": [
            {"name": "NCM", "material": "NCM811", "role": "CAM", "weight_percent": 85.0,
             "psd": {"kind": "lognormal", "d50_um": 4.0, "gsd": 1.1}},
            {"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 15.0,
             "psd": {"kind": "lognormal", "d50_um": 0.8, "gsd": 1.2}},
        ],
        "processing": {"pressing_pressure_mpa": 300.0, "stack_pressure_mpa": 10.0},
        "simulation": {"box_um": [10.0, 10.0, 8.0], "voxel_size_um": 0.1, "seed": 1},
    })
    evaluate = compaction._State.evaluate
    seen = {"checks": 0, "missed": 0}

    def checked(state, grow):
        seen["checks"] += 1
        ti, tj, _ = build_pairs(state.pos, state.radius, state.level, state.n_levels,
                                (state.lx, state.ly), 0.0)
        listed = set(zip(np.minimum(state.pi, state.pj).tolist(),
                         np.maximum(state.pi, state.pj).tolist(), strict=True))
        assert len(listed) == state.pi.size
        seen["missed"] += sum((min(a, b), max(a, b)) not in listed
                              for a, b in zip(ti.tolist(), tj.tolist(), strict=True))
        return evaluate(state, grow)

    monkeypatch.setattr(compaction._State, "evaluate", checked)
    packing = compact(sample_powder(recipe), recipe.processing,
                      settings=CompactionSettings(skin=0.1))
    info = packing.provenance["compaction"]
    assert info["neighbor_refreshes"] > 0 and info["neighbor_rebuilds"] > 1
    assert seen["checks"] > 500 and seen["missed"] == 0
