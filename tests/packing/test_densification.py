"""Densification curve output and the provisional Li6PS5Cl pellet calibration point."""

from __future__ import annotations

import numpy as np
import pytest

from cathodetwin.packing import CompactionSettings, compact, sample_powder
from cathodetwin.packing.measures import densification_curve
from cathodetwin.recipe import recipe_from_dict


def test_densification_curve_has_a_loading_and_a_release_branch(composite_packing) -> None:
    curve = densification_curve(composite_packing.history)
    load, release = curve["loading"], curve["release"]
    assert len(load["pressure_mpa"]) >= 3 and len(release["pressure_mpa"]) >= 2
    assert load["pressure_mpa"][-1] == pytest.approx(300.0)
    assert release["pressure_mpa"][-1] == pytest.approx(10.0)
    # pressing densifies; releasing springs back (plastic set: still denser than the start)
    assert load["porosity"][-1] < load["porosity"][0]
    assert load["porosity"][-1] < release["porosity"][-1] < load["porosity"][0]
    assert release["porosity"][-1] == pytest.approx(composite_packing.porosity(), abs=1e-3)
    assert composite_packing.summary()["densification"] == curve


def test_pure_lpscl_pellet_meets_its_calibration_point() -> None:
    # library hardness 1.05 GPa was fitted so that this pellet, pressed at 370 MPa and
    # released, reaches 82.5 % relative density (cold-pressed Li6PS5Cl, docs/packing.md)
    recipe = recipe_from_dict({
        "name": "LPSCl pellet",
        "components": [{"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE",
                        "weight_percent": 100.0,
                        "psd": {"kind": "lognormal", "d50_um": 5.0, "gsd": 1.6}}],
        "processing": {"pressing_pressure_mpa": 370.0, "stack_pressure_mpa": 2.0},
        "simulation": {"box_um": [40.0, 40.0, 30.0], "voxel_size_um": 0.5, "seed": 1},
    })
    p = compact(sample_powder(recipe), recipe.processing, settings=CompactionSettings())
    assert all(p.provenance["compaction"]["converged"].values())
    assert p.porosity() == pytest.approx(0.175, abs=0.02)
    pressed = 1.0 - float(np.max(p.history["solid_fraction"]))
    assert pressed < p.porosity()  # released pellet springs back, keeps most of its density
