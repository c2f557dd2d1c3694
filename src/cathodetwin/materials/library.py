"""Load the bundled library.toml into Material records, each property with its source."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Literal

from cathodetwin.errors import InputError

Kind = Literal["CAM", "SSE", "carbon", "coating", "binder", "anode"]

# Every numeric property a material may carry, with the unit its name states.
PROPERTY_UNITS: dict[str, str] = {
    "density_g_cm3": "g/cm³",
    "specific_capacity_mah_g": "mAh/g",
    "voltage_min_v": "V vs Li/Li+",
    "voltage_max_v": "V vs Li/Li+",
    "average_voltage_v": "V vs Li/Li+",
    "volume_change_percent": "% on delithiation (negative = shrink)",
    "youngs_modulus_gpa": "GPa",
    "poisson_ratio": "-",
    "ionic_conductivity_s_cm": "S/cm at 25-30 °C (for an SSE with a pellet value: the grain, bulk)",
    "pellet_ionic_conductivity_s_cm": "S/cm at 25-30 °C, cold-pressed pellet (grains + boundaries)",
    "electronic_conductivity_s_cm": "S/cm",
    "electronic_conductivity_lithiated_s_cm": "S/cm at full lithiation (CAM)",
    "electronic_conductivity_delithiated_s_cm": "S/cm at Li content 0.25 (CAM, charged)",
    "activation_energy_ev": "eV",
    "hardness_gpa": "GPa",
    "fiber_diameter_um": "µm",
    "fiber_length_um": "µm",
    "primary_particle_diameter_um": "µm",
    "friction_coefficient": "- (Coulomb, particle against particle of the same material)",
    "wall_friction_coefficient": "- (Coulomb, against a tool-steel die wall)",
    "weld_strength_mpa": "MPa (tensile strength of a cold-welded, yielded contact)",
}


@dataclass(frozen=True)
class Material:
    """A material: name, formula, kind and literature properties (None where unknown)."""

    name: str
    formula: str
    kind: Kind
    density_g_cm3: float
    specific_capacity_mah_g: float | None = None
    voltage_min_v: float | None = None
    voltage_max_v: float | None = None
    average_voltage_v: float | None = None
    volume_change_percent: float | None = None
    youngs_modulus_gpa: float | None = None
    poisson_ratio: float | None = None
    ionic_conductivity_s_cm: float | None = None
    pellet_ionic_conductivity_s_cm: float | None = None
    electronic_conductivity_s_cm: float | None = None
    electronic_conductivity_lithiated_s_cm: float | None = None
    electronic_conductivity_delithiated_s_cm: float | None = None
    activation_energy_ev: float | None = None
    hardness_gpa: float | None = None
    fiber_diameter_um: float | None = None
    fiber_length_um: float | None = None
    primary_particle_diameter_um: float | None = None
    friction_coefficient: float | None = None
    wall_friction_coefficient: float | None = None
    weld_strength_mpa: float | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def continuum_ionic_conductivity_s_cm(self) -> float | None:
        """σ_ion of the pressed electrolyte as a continuum, grain boundaries included (S/cm).

        The pellet value where the library has one, else the (grain) ionic conductivity: what a
        model that does not resolve grain boundaries (the DFN, voxels, the particle cell's
        graph) must use.
        """
        return self.pellet_ionic_conductivity_s_cm or self.ionic_conductivity_s_cm

    def source(self, prop: str) -> str:
        """Literature source of property ``prop``."""
        if prop not in PROPERTY_UNITS:
            raise KeyError(f"unknown property {prop!r}; known: {sorted(PROPERTY_UNITS)}")
        return self.sources.get(prop, "not given")

    def with_overrides(
        self, overrides: dict[str, float], source: str = "recipe override"
    ) -> Material:
        """Copy with some properties replaced, their source set to ``source``."""
        unknown = sorted(set(overrides) - set(PROPERTY_UNITS))
        if unknown:
            raise InputError(
                f"material {self.name!r}: unknown override(s) {unknown}; "
                f"allowed: {sorted(PROPERTY_UNITS)}"
            )
        sources = dict(self.sources) | {k: source for k in overrides}
        return replace(self, **{k: float(v) for k, v in overrides.items()}, sources=sources)

    def differs_from_library(self) -> bool:
        """True when a value or source differs from the library record of the same name."""
        library = _library().get(self.name)
        return library is None or self != library or self.sources != library.sources

    def to_dict(self) -> dict:
        """JSON-serialisable record with values and sources."""
        props = {k: getattr(self, k) for k in PROPERTY_UNITS if getattr(self, k) is not None}
        return {
            "name": self.name,
            "formula": self.formula,
            "kind": self.kind,
            "properties": props,
            "sources": {k: self.sources.get(k, "not given") for k in props},
        }


    @classmethod
    def from_dict(cls, data: dict) -> Material:
        """The Material a :meth:`to_dict` record describes."""
        props = data.get("properties", {})
        unknown = sorted(set(props) - set(PROPERTY_UNITS))
        if unknown:
            raise ValueError(f"material {data.get('name')!r}: unknown properties {unknown}")
        return cls(name=data["name"], formula=data["formula"], kind=data["kind"],
                   sources=dict(data.get("sources", {})),
                   **{k: float(v) for k, v in props.items()})


def resolve_material(material: Material | str) -> Material:
    """``material`` itself, or the library record of that name (for names given by a user)."""
    return material if isinstance(material, Material) else get_material(material)


def _parse(name: str, entry: dict) -> Material:
    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    for key, item in entry.items():
        if key in ("formula", "kind"):
            continue
        if key not in PROPERTY_UNITS:
            raise ValueError(f"library entry {name!r}: unknown property {key!r}")
        values[key] = float(item["value"])
        sources[key] = str(item["source"])
    return Material(
        name=name, formula=entry["formula"], kind=entry["kind"], sources=sources, **values
    )


@cache
def _library() -> dict[str, Material]:
    text = resources.files("cathodetwin.materials").joinpath("library.toml").read_text("utf-8")
    return {name: _parse(name, entry) for name, entry in tomllib.loads(text).items()}


def list_materials() -> list[str]:
    """Names of all materials in the bundled library."""
    return sorted(_library())


def get_material(name: str) -> Material:
    """The library Material called ``name`` (exact, case-sensitive)."""
    lib = _library()
    if name not in lib:
        raise InputError(f"material {name!r} is not in the library; known: {sorted(lib)}")
    return lib[name]
