"""What the cell model takes: a twin's electrode metrics (CellInputs) and the stack around it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from cathodetwin.analysis.structure_metrics import StructureMetrics
from cathodetwin.analysis.transport.measure import TransportMetrics
from cathodetwin.errors import InputError
from cathodetwin.formulas import recipe_electrode_geometry
from cathodetwin.materials import Material, get_material, resolve_material
from cathodetwin.psd import LognormalPSD
from cathodetwin.recipe import Component, Recipe
from cathodetwin.structure.microstructure import IONIC_ROLES

CounterElectrode = Literal["Li", "LTO"]
COUNTER_ELECTRODES: tuple[str, ...] = ("Li", "LTO")
ANODE_MATERIAL: dict[str, str] = {"Li": "Li", "LTO": "Li4Ti5O12"}
DEFAULT_ELECTROLYTE = "Li6PS5Cl"  # a twin without SSE powder or shell: the library argyrodite
DEFAULT_OTHER = "VGCF"  # the non-CAM, non-electrolyte solid of a recipe without carbon
MATERIAL_FIELDS = ("cam_material", "sse_material", "other_material")


@dataclass(frozen=True)
class CamClass:
    """One CAM size class: sphere radius (µm), share of the CAM volume, its material.

    ``material`` is a resolved record (a library name given here is resolved); None means the
    electrode's ``cam_material``.
    """

    radius_um: float
    volume_share: float
    material: Material | None = None

    def __post_init__(self) -> None:
        if isinstance(self.material, str):
            object.__setattr__(self, "material", _cam(self.material, "cam_classes material"))

    def to_dict(self) -> dict:
        """JSON-serialisable record (the material by name, or its record if overridden)."""
        return {"radius_um": self.radius_um, "volume_share": self.volume_share,
                "material": self.material and _material_entry(self.material)}


def _material_entry(material: Material) -> str | dict:
    """A material as JSON: its library name, or its whole record where it differs."""
    return material.to_dict() if material.differs_from_library() else material.name


def _material_from_entry(entry: str | dict) -> Material:
    """The material a :func:`_material_entry` value stands for."""
    return Material.from_dict(entry) if isinstance(entry, dict) else get_material(entry)


def _as_class(item: CamClass | Sequence[Any]) -> CamClass:
    if isinstance(item, CamClass):
        return item
    if isinstance(item, Mapping):
        return CamClass(float(item["radius_um"]), float(item["volume_share"]), item.get("material"))
    if len(item) not in (2, 3):
        raise InputError(
            f"cam_classes entry {item!r}: give (radius_um, volume_share) or "
            "(radius_um, volume_share, material)"
        )
    return CamClass(float(item[0]), float(item[1]), *(item[2:]))


def _check_range(name: str, x: float, lo: float, hi: float, *, lo_open: bool = True) -> None:
    ok = (lo < x if lo_open else lo <= x) and x <= hi
    if not ok:
        bracket = "(" if lo_open else "["
        raise InputError(f"{name}={x!r} is not allowed; expected a value in {bracket}{lo}, {hi}]")


def _cam(material: Material | str, where: str) -> Material:
    mat = resolve_material(material)
    missing = [
        p
        for p in ("specific_capacity_mah_g", "voltage_min_v", "voltage_max_v")
        if getattr(mat, p) is None
    ]
    if mat.kind != "CAM" or missing:
        raise InputError(
            f"{where}={mat.name!r} is not usable as cathode active material "
            f"(kind {mat.kind!r}, missing {missing}); pick a library material of kind 'CAM'"
        )
    return mat


@dataclass(frozen=True)
class CellInputs:
    """A twin's composite-cathode metrics as the cell model needs them (units in the names).

    Materials are resolved records (library values with a recipe's overrides); library names
    given here are resolved to the library records.
    """

    cam_material: Material
    cam_volume_fraction: float
    cam_utilization: float  # share of CAM volume that is ionically and electronically connected
    sse_volume_fraction: float  # ion-conducting solid (SSE particles + SSE shells)
    porosity: float
    ionic_conductivity_eff_s_cm: float  # through-plane, at conductivity_reference_c
    electronic_conductivity_eff_s_cm: float  # through-plane
    specific_cam_sse_area_per_um: float  # CAM-SSE contact area per electrode volume, µm²/µm³
    cam_classes: tuple[CamClass, ...]
    thickness_um: float
    temperature_c: float = 25.0
    counter_electrode: CounterElectrode = "Li"
    sse_material: Material = DEFAULT_ELECTROLYTE  # type: ignore[assignment]
    # the remaining solid volume (carbon, binder, coatings)
    other_material: Material = DEFAULT_OTHER  # type: ignore[assignment]
    conductivity_reference_c: float = 25.0  # temperature the twin's σ_ion,eff refers to

    def __post_init__(self) -> None:
        for name in ("cam_material", "sse_material", "other_material"):
            object.__setattr__(self, name, resolve_material(getattr(self, name)))
        classes = tuple(_as_class(c) for c in self.cam_classes)
        if not classes:
            raise InputError("cam_classes is empty; give at least one (radius_um, volume_share)")
        for c in classes:
            _check_range("cam_classes radius_um", c.radius_um, 0.0, 1000.0)
            _check_range("cam_classes volume_share", c.volume_share, 0.0, 1.0)
        total = sum(c.volume_share for c in classes)
        if abs(total - 1.0) > 1e-3:
            raise InputError(f"cam_classes volume shares sum to {total:.4f}; they must sum to 1")
        object.__setattr__(self, "cam_classes", classes)
        _check_range("cam_volume_fraction", self.cam_volume_fraction, 0.0, 1.0)
        _check_range("cam_utilization", self.cam_utilization, 0.0, 1.0)
        _check_range("sse_volume_fraction", self.sse_volume_fraction, 0.0, 1.0)
        _check_range("porosity", self.porosity, 0.0, 1.0, lo_open=False)
        solid = self.cam_volume_fraction + self.sse_volume_fraction + self.porosity
        if solid > 1.0 + 1e-6:
            raise InputError(
                f"cam_volume_fraction + sse_volume_fraction + porosity = {solid:.4f} exceeds 1"
            )
        # 0 S/cm: the carrier reaches no CAM (cathodetwin.cell.predict_rates discharges nothing)
        _check_range("ionic_conductivity_eff_s_cm", self.ionic_conductivity_eff_s_cm, 0.0, 1.0,
                      lo_open=False)
        _check_range("electronic_conductivity_eff_s_cm", self.electronic_conductivity_eff_s_cm,
                     0.0, 1e6, lo_open=False)
        _check_range("specific_cam_sse_area_per_um", self.specific_cam_sse_area_per_um, 0.0, 100.0)
        _check_range("thickness_um", self.thickness_um, 0.0, 5000.0)
        _check_range("temperature_c", self.temperature_c, -40.0, 150.0, lo_open=False)
        _check_range(
            "conductivity_reference_c", self.conductivity_reference_c, -40.0, 150.0, lo_open=False
        )
        if self.counter_electrode not in COUNTER_ELECTRODES:
            raise InputError(
                f"counter_electrode={self.counter_electrode!r} is not allowed; "
                f"expected one of {COUNTER_ELECTRODES}"
            )
        _cam(self.cam_material, "cam_material")
        sse = self.sse_material
        if sse.ionic_conductivity_s_cm is None or sse.activation_energy_ev is None:
            raise InputError(
                f"sse_material={sse.name!r} lacks ionic_conductivity_s_cm or "
                "activation_energy_ev; pick an SSE that has both or set them in its overrides"
            )

    def class_material(self, cam_class: CamClass) -> Material:
        """Material of one CAM size class."""
        return cam_class.material or self.cam_material

    @property
    def counter_material(self) -> Material:
        """Library record of the counter electrode (Li metal or LTO)."""
        return get_material(ANODE_MATERIAL[self.counter_electrode])

    @classmethod
    def from_twin(
        cls, recipe: Recipe, structure: StructureMetrics, transport: TransportMetrics,
    ) -> CellInputs:
        """The cell inputs of a built twin: its fractions, areas, conductivities, utilization.

        Conductivities are the ones the transport stage says the cell sees (an electrode whose
        carrier network stops short feeds the CAM it reaches at the σ of the reached slab);
        the CAM size classes come from the recipe (:func:`cam_size_classes`); materials are
        the recipe's resolved records. The thickness is the recipe's, or follows from its
        areal loading at the twin's porosity.
        """
        fractions = structure.fractions
        roles = fractions.role_volume_fraction
        reaction_pairs = [{"CAM", role} for role in IONIC_ROLES]
        cam_ion_area = sum(area for pair, area in structure.interfaces.role_pairs_um2.items()
                           if set(pair) in reaction_pairs)
        fixed = (recipe.electrode.thickness_um is not None
                 and recipe.electrode.areal_loading_mg_cm2 is not None)  # both fix it
        geometry = recipe_electrode_geometry(recipe, porosity=None if fixed else
                                             fractions.porosity)
        utilization = transport.utilization_voxel
        return cls(
            cam_material=_main(recipe, "CAM").resolved_material(),
            cam_volume_fraction=roles.get("CAM", 0.0),
            cam_utilization=utilization.ionic_electronic_volume_fraction if utilization else 0.0,
            sse_volume_fraction=sum(roles.get(r, 0.0) for r in IONIC_ROLES),
            porosity=fractions.porosity,
            ionic_conductivity_eff_s_cm=transport.ionic_conductivity_eff_s_cm,
            electronic_conductivity_eff_s_cm=transport.electronic_conductivity_eff_s_cm,
            specific_cam_sse_area_per_um=cam_ion_area / fractions.volume_um3,
            cam_classes=cam_size_classes(recipe),
            thickness_um=geometry.thickness_um,
            temperature_c=recipe.processing.temperature_c,
            sse_material=_electrolyte_material(recipe),
            other_material=_other_material(recipe),
        )

    @property
    def active_volume_fraction(self) -> float:
        """Utilized CAM volume per electrode volume (-)."""
        return self.cam_volume_fraction * self.cam_utilization

    @property
    def other_volume_fraction(self) -> float:
        """Solid volume fraction that is neither CAM nor SSE (carbon, binder, coating) (-)."""
        return max(0.0, 1.0 - self.cam_volume_fraction - self.sse_volume_fraction - self.porosity)

    @property
    def cam_density_g_cm3(self) -> float:
        """Volume-share-weighted density of the CAM (g/cm³)."""
        return sum(c.volume_share * self.class_material(c).density_g_cm3 for c in self.cam_classes)

    @property
    def practical_capacity_mah_g(self) -> float:
        """Mass-weighted practical specific capacity of the CAM (mAh/g)."""
        masses = [c.volume_share * self.class_material(c).density_g_cm3 for c in self.cam_classes]
        caps = [self.class_material(c).specific_capacity_mah_g for c in self.cam_classes]
        return sum(m * q for m, q in zip(masses, caps, strict=True)) / sum(masses)

    @property
    def composite_density_g_cm3(self) -> float:
        """Mass per volume of the composite cathode including its pores (g/cm³)."""
        return (
            self.cam_volume_fraction * self.cam_density_g_cm3
            + self.sse_volume_fraction * self.sse_material.density_g_cm3
            + self.other_volume_fraction * self.other_material.density_g_cm3
        )

    @property
    def cam_mass_fraction(self) -> float:
        """CAM mass per composite mass (-)."""
        return self.cam_volume_fraction * self.cam_density_g_cm3 / self.composite_density_g_cm3

    @property
    def cam_loading_mg_cm2(self) -> float:
        """CAM areal loading (mg/cm²)."""
        return self.cam_volume_fraction * self.cam_density_g_cm3 * self.thickness_um * 1e-4 * 1e3

    @property
    def voltage_window_v(self) -> tuple[float, float]:
        """Cut-off voltages (min, max) vs Li/Li+ of the CAM."""
        mat = self.cam_material
        return float(mat.voltage_min_v), float(mat.voltage_max_v)

    @property
    def materials(self) -> tuple[Material, ...]:
        """Every distinct material the cell uses (CAM classes, SSE, other solid)."""
        mats = [self.cam_material, *(c.material for c in self.cam_classes if c.material),
                self.sse_material, self.other_material]
        return tuple(dict.fromkeys(mats))

    def to_dict(self) -> dict:
        """JSON-serialisable record of the inputs and derived quantities (materials by name;
        ``material_overrides`` lists the records that differ from the library)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d |= {k: _material_entry(d[k]) for k in MATERIAL_FIELDS}
        d["cam_classes"] = [c.to_dict() for c in self.cam_classes]
        d["material_overrides"] = [m.to_dict() for m in self.materials
                                   if m.differs_from_library()]
        d |= {
            "cam_loading_mg_cm2": self.cam_loading_mg_cm2,
            "composite_density_g_cm3": self.composite_density_g_cm3,
            "cam_mass_fraction": self.cam_mass_fraction,
            "practical_capacity_mah_g": self.practical_capacity_mah_g,
        }
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CellInputs:
        """The inputs a :meth:`to_dict` record describes (derived quantities are recomputed)."""
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs |= {k: _material_from_entry(data[k]) for k in MATERIAL_FIELDS}
        kwargs["cam_classes"] = tuple(
            CamClass(c["radius_um"], c["volume_share"],
                     c["material"] and _material_from_entry(c["material"]))
            for c in data["cam_classes"])
        return cls(**kwargs)


@dataclass(frozen=True)
class StackSpec:
    """Layers around the composite cathode: counter electrode, SSE separator, current collectors."""

    anode_thickness_um: float = 30.0  # Li foil or LTO layer; paper 002 assumes 30 µm Li
    separator_thickness_um: float = 30.0  # dense SSE layer; paper 002 assumes 30 µm
    cathode_collector_thickness_um: float = 0.0  # Al
    anode_collector_thickness_um: float = 0.0  # Cu

    def __post_init__(self) -> None:
        for name in (
            "anode_thickness_um",
            "separator_thickness_um",
            "cathode_collector_thickness_um",
            "anode_collector_thickness_um",
        ):
            _check_range(name, getattr(self, name), 0.0, 10000.0, lo_open=False)
        if self.separator_thickness_um <= 0.0:
            raise InputError(
                f"separator_thickness_um={self.separator_thickness_um} is not allowed; "
                "expected > 0 (the cell needs an SSE separator)"
            )

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return asdict(self)


def _main(recipe: Recipe, role: str) -> Component:
    """The heaviest component of ``role`` in the recipe."""
    parts = recipe.components_with_role(role)
    if not parts:
        raise InputError(f"recipe {recipe.name!r} has no {role} component; a cell needs one")
    return max(parts, key=lambda c: c.weight_percent)


def _electrolyte_material(recipe: Recipe) -> Material:
    """The electrolyte the cell conducts with: the main SSE powder, else the main CAM's shell."""
    if recipe.components_with_role("SSE"):
        return _main(recipe, "SSE").resolved_material()
    shell = _main(recipe, "CAM").shell
    return shell.resolved_material() if shell else get_material(DEFAULT_ELECTROLYTE)


def _other_material(recipe: Recipe) -> Material:
    """The material of the solid that is neither CAM nor electrolyte: the main carbon/binder."""
    others = recipe.components_with_role("carbon") + recipe.components_with_role("binder")
    if not others:
        return get_material(DEFAULT_OTHER)
    return max(others, key=lambda c: c.weight_percent).resolved_material()


def cam_size_classes(recipe: Recipe) -> tuple[CamClass, ...]:
    """One size class per CAM component: radius = Sauter mean core (µm), CAM volume share.

    The Sauter radius D[3,2]/2 keeps the CAM surface-to-volume ratio of the distribution,
    which is what sets solid-diffusion limits in a single-size-per-class cell model.
    """
    cams = recipe.components_with_role("CAM")
    if not cams:
        raise InputError(f"recipe {recipe.name!r} has no CAM component; a cell needs one")
    materials = [c.resolved_material() for c in cams]
    volumes = [c.weight_percent / m.density_g_cm3 for c, m in zip(cams, materials, strict=True)]
    total = sum(volumes)
    classes = []
    for comp, mat, vol in zip(cams, materials, volumes, strict=True):
        psd = comp.psd
        radius = (psd.sauter_diameter_um() if isinstance(psd, LognormalPSD) else psd.d50_um) / 2
        classes.append(CamClass(float(radius), vol / total, mat))
    return tuple(classes)


# Keys cell_inputs_from_metrics reads from a twin's metrics dict (see docs/cell.md).
REQUIRED_METRICS: tuple[str, ...] = (
    "cam_material",
    "cam_volume_fraction",
    "cam_utilization",
    "sse_volume_fraction",
    "porosity",
    "ionic_conductivity_eff_s_cm",
    "electronic_conductivity_eff_s_cm",
    "specific_cam_sse_area_per_um",
    "cam_classes",
    "thickness_um",
)
OPTIONAL_METRICS: tuple[str, ...] = (
    "sse_material",
    "other_material",
    "conductivity_reference_c",
    "temperature_c",
    "counter_electrode",
)


def cell_inputs_from_metrics(metrics: Mapping[str, Any], **overrides: Any) -> CellInputs:
    """CellInputs from a twin's metrics dict (REQUIRED_METRICS keys); overrides win over it."""
    merged = dict(metrics) | overrides
    missing = [k for k in REQUIRED_METRICS if k not in merged]
    if missing:
        raise InputError(
            f"twin metrics lack {missing}; required keys are {list(REQUIRED_METRICS)}, "
            f"optional {list(OPTIONAL_METRICS)}"
        )
    known = set(REQUIRED_METRICS) | set(OPTIONAL_METRICS)
    kwargs = {k: merged[k] for k in known if k in merged}
    kwargs["cam_classes"] = tuple(_as_class(c) for c in merged["cam_classes"])
    return CellInputs(**kwargs)
