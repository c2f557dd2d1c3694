"""Material library: every property has a literature source; the papers' own values are used."""

from __future__ import annotations

import pytest

from cathodetwin.materials import PROPERTY_UNITS, get_material, list_materials

REQUIRED = [
    "NCM811",
    "NCM83-SC",
    "NCM622",
    "NCWA",
    "Li6PS5Cl",
    "Li6PS5Cl-fine",
    "Li5.5PS4.5Cl1.5",
    "LiNbO3",
    "VGCF",
    "SuperP",
    "Li",
    "Li4Ti5O12",
]


def test_library_has_the_issue_materials() -> None:
    assert set(REQUIRED) <= set(list_materials())


@pytest.mark.parametrize("name", sorted(list_materials()))
def test_every_property_has_a_source(name: str) -> None:
    material = get_material(name)
    assert material.density_g_cm3 > 0
    for prop in PROPERTY_UNITS:
        if getattr(material, prop) is not None:
            source = material.source(prop)
            assert source != "not given" and len(source) > 10, (name, prop, source)


@pytest.mark.parametrize(
    ("name", "prop", "value", "paper"),
    [
        ("NCM811", "density_g_cm3", 4.8, "002"),
        ("VGCF", "density_g_cm3", 2.0, "002"),
        ("NCWA", "volume_change_percent", -6.5, "001"),
        ("NCM811", "volume_change_percent", -4.8, "001"),
        ("NCM83-SC", "volume_change_percent", -5.5, "004"),
        ("Li6PS5Cl-fine", "pellet_ionic_conductivity_s_cm", 2.224e-3, "002"),
    ],
)
def test_papers_own_values_are_used(name: str, prop: str, value: float, paper: str) -> None:
    material = get_material(name)
    assert getattr(material, prop) == pytest.approx(value)
    assert f"paper {paper}" in material.source(prop)


def test_argyrodite_density_is_crystallographic() -> None:
    # cubic F-43m, a = 9.85 Å, Z = 4, M(Li6PS5Cl) = 268.4 g/mol → 1.865 g/cm³
    m = 6 * 6.941 + 30.974 + 5 * 32.06 + 35.45
    rho = 4 * m / (6.02214e23 * (9.85e-8) ** 3)
    for name in ("Li6PS5Cl", "Li6PS5Cl-fine"):
        material = get_material(name)
        assert material.density_g_cm3 == pytest.approx(rho, abs=0.01)
        assert "Deiseroth" in material.source("density_g_cm3")


def test_paper_002_recipes_keep_the_density_the_paper_used() -> None:
    from pathlib import Path

    from cathodetwin.recipe import load_recipe

    papers = Path(__file__).resolve().parents[2] / "examples" / "papers"
    for path in sorted(papers.glob("002_*.toml")):
        recipe = load_recipe(path)
        for comp in recipe.components:
            for part in (comp, comp.shell):
                if part is not None and part.material.startswith("Li6PS5Cl"):
                    assert part.resolved_material().density_g_cm3 == 1.64, path.name


def test_capacity_materials_have_voltage_windows() -> None:
    for name in list_materials():
        m = get_material(name)
        if m.kind == "CAM":
            assert m.specific_capacity_mah_g is not None and m.average_voltage_v is not None
            assert m.voltage_min_v < m.average_voltage_v < m.voltage_max_v
