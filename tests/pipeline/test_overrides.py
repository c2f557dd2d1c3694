"""A recipe's material overrides reach every stage, in a fresh build and in one resumed from disk.

Each override is checked against what the overridden value predicts: an electrolyte twice as
conductive doubles σ_ion,eff of the same geometry; a denser electrolyte takes a smaller share
of the solid volume (w/ρ); a softer one presses denser; a stiffer one stiffens the composite;
a CAM of higher capacity delivers proportionally more at a low rate.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from cathodetwin.analysis.structure_metrics import StructureMetrics
from cathodetwin.analysis.transport.measure import TransportMetrics
from cathodetwin.cell import CellInputs, cell_result_from_dict
from cathodetwin.materials import get_material
from cathodetwin.packing import Packing
from cathodetwin.pipeline import BuildOptions, build
from cathodetwin.recipe import recipe_from_dict
from cathodetwin.structure.io import load_microstructure

BASE = {
    "name": "override probe",
    "components": [
        {"name": "NCM811", "material": "NCM811", "role": "CAM", "weight_percent": 75.0,
         "psd": {"kind": "lognormal", "d50_um": 2.0, "gsd": 1.2}},
        {"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 25.0,
         "psd": {"kind": "lognormal", "d50_um": 0.9, "gsd": 1.2}},
    ],
    "processing": {"pressing_pressure_mpa": 300.0, "stack_pressure_mpa": 10.0},
    "electrode": {"thickness_um": 50.0},
    "simulation": {"box_um": [8.0, 8.0, 6.0], "voxel_size_um": 0.25, "seed": 3},
}
SSE = get_material("Li6PS5Cl")
NCM = get_material("NCM811")
QUICK = BuildOptions(mechanics=False, cell=False, report=False)


def _recipe(component: int, **overrides: float):
    data = copy.deepcopy(BASE)
    data["components"][component]["overrides"] = overrides
    return recipe_from_dict(data)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    """The base recipe and one variant per override, all stages that the checks need."""
    variants = {
        "base": (recipe_from_dict(BASE), BuildOptions(c_rates=(0.05,), report=False)),
        "sigma": (_recipe(1, ionic_conductivity_s_cm=2 * SSE.ionic_conductivity_s_cm), QUICK),
        "density": (_recipe(1, density_g_cm3=2 * SSE.density_g_cm3), QUICK),
        "soft": (_recipe(1, hardness_gpa=0.5 * SSE.hardness_gpa), QUICK),
        "stiff": (_recipe(1, youngs_modulus_gpa=3 * SSE.youngs_modulus_gpa),
                  BuildOptions(cell=False, report=False)),
        "capacity": (_recipe(0, specific_capacity_mah_g=1.2 * NCM.specific_capacity_mah_g),
                     BuildOptions(c_rates=(0.05,), mechanics=False, report=False)),
    }
    out = {}
    for name, (recipe, options) in variants.items():
        path = tmp_path_factory.mktemp(name)
        first = build(recipe, path, options)
        again = build(recipe, path, options)  # resumed: every stage read back from disk
        assert again.pop("reused_stages") == list(first["timings_s"])
        assert first.pop("reused_stages") == []
        assert again == first
        out[name] = (path, again)
    return out


def _typed(path: Path, metrics: dict) -> tuple[Packing, StructureMetrics, TransportMetrics]:
    """The stage results of a build as read back from disk."""
    return (Packing.load(path / "packing.npz"), StructureMetrics.from_dict(metrics["structure"]),
            TransportMetrics.from_dict(metrics["transport"]))


def test_conductivity_override_reaches_transport_and_cell(builds) -> None:
    path, metrics = builds["sigma"]
    _, base = builds["base"]
    packing, structure, transport = _typed(path, metrics)
    assert packing.component_materials[1].ionic_conductivity_s_cm == pytest.approx(
        2 * SSE.ionic_conductivity_s_cm)
    phases = {p.name: p for p in load_microstructure(path / "microstructure.zarr").phases}
    assert phases["LPSCl"].material.ionic_conductivity_s_cm == pytest.approx(
        2 * SSE.ionic_conductivity_s_cm)
    # same geometry (σ does not touch the packing), one conductor: σ_eff scales with σ0
    assert metrics["structure"]["fractions"] == base["structure"]["fractions"]
    # the override is the grain σ: the voxel route (pellet σ) does not move; the ionic contact
    # network does, by less than 2× (its grain-boundary resistance is not overridden)
    voxel = transport.along("ionic", 2).effective_conductivity_s_cm
    assert voxel == pytest.approx(
        base["transport"]["ionic"]["z"]["effective_conductivity_s_cm"], rel=1e-4)
    network = transport.ionic_contact_network.effective_conductivity_s_cm
    network_base = base["transport"]["ionic_contact_network"]["effective_conductivity_s_cm"]
    assert network_base < network < 2 * network_base
    inputs = CellInputs.from_twin(_recipe(1, ionic_conductivity_s_cm=4e-3), structure, transport)
    assert inputs.sse_material.ionic_conductivity_s_cm == pytest.approx(4e-3)
    assert inputs.to_dict()["material_overrides"][0]["name"] == "Li6PS5Cl"


def test_density_override_reaches_packing_and_structure(builds) -> None:
    path, metrics = builds["density"]
    packing, structure, _ = _typed(path, metrics)
    volumes = packing.component_volumes_um3()
    # solid volume shares follow w/ρ with the overridden density
    expected = (75.0 / NCM.density_g_cm3) / (25.0 / (2 * SSE.density_g_cm3))
    assert volumes["NCM811"] / volumes["LPSCl"] == pytest.approx(expected, rel=1e-3)  # pressed
    fractions = structure.fractions
    cam, sse = fractions.volume_fraction["NCM811"], fractions.volume_fraction["LPSCl"]
    mass_cam, mass_sse = cam * NCM.density_g_cm3, sse * 2 * SSE.density_g_cm3
    assert fractions.weight_percent["LPSCl"] == pytest.approx(
        100 * mass_sse / (mass_cam + mass_sse))


def test_hardness_override_reaches_the_compaction(builds) -> None:
    soft = builds["soft"][1]["packing"]["history"]
    base = builds["base"][1]["packing"]["history"]
    # a softer electrolyte yields at a lower contact pressure: denser at the pressing pressure
    assert max(soft["solid_fraction"]) > max(base["solid_fraction"])


def test_modulus_override_reaches_the_mechanics(builds) -> None:
    stiff = builds["stiff"][1]["mechanics"]
    base = builds["base"][1]["mechanics"]
    assert (stiff["composite_through_plane_modulus_gpa"]
            > 1.2 * base["composite_through_plane_modulus_gpa"])


def test_capacity_override_reaches_the_cell(builds) -> None:
    path, metrics = builds["capacity"]
    _, base = builds["base"]
    rates = cell_result_from_dict(metrics["cell"])
    assert rates.inputs.cam_material.specific_capacity_mah_g == pytest.approx(
        1.2 * NCM.specific_capacity_mah_g)
    # at 0.05C nearly all the utilized CAM cycles: capacity scales with the practical value
    assert rates.capacity_at(0.05) == pytest.approx(
        1.2 * base["cell"]["rates"][0]["capacity_mah_g"], rel=0.01)
