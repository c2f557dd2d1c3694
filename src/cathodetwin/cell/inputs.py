"""What the cell model takes: a twin's electrode metrics (CellInputs) and the stack around it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from cathodetwin.materials import Material, get_material

CounterElectrode = Literal["Li", "LTO"]
COUNTER_ELECTRODES: tuple[str, ...] = ("Li", "LTO")
ANODE_MATERIAL: dict[str, str] = {"Li": "Li", "LTO": "Li4Ti5O12"}


@dataclass(frozen=True)
class CamClass:
    """One CAM size class: sphere radius (µm), share of the CAM volume, library material."""

    radius_um: float
    volume_share: float
    material: str | None = None  # None: the electrode's cam_material


def _as_class(item: CamClass | Sequence[Any]) -> CamClass:
    if isinstance(item, CamClass):
        return item
    if isinstance(item, Mapping):
        return CamClass(float(item["radius_um"]), float(item["volume_share"]), item.get("material"))
    if len(item) not in (2, 3):
        raise ValueError(
            f"cam_classes entry {item!r}: give (radius_um, volume_share) or "
            "(radius_um, volume_share, material)"
        )
    return CamClass(float(item[0]), float(item[1]), *(item[2:]))


def _check_range(name: str, x: float, lo: float, hi: float, *, lo_open: bool = True) -> None:
    ok = (lo < x if lo_open else lo <= x) and x <= hi
    if not ok:
        bracket = "(" if lo_open else "["
        raise ValueError(f"{name}={x!r} is not allowed; expected a value in {bracket}{lo}, {hi}]")


def _cam(name: str, where: str) -> Material:
    mat = get_material(name)
    missing = [
        p
        for p in ("specific_capacity_mah_g", "voltage_min_v", "voltage_max_v")
        if getattr(mat, p) is None
    ]
    if mat.kind != "CAM" or missing:
        raise ValueError(
            f"{where}={name!r} is not usable as cathode active material "
            f"(kind {mat.kind!r}, missing {missing}); pick a library material of kind 'CAM'"
        )
    return mat


@dataclass(frozen=True)
class CellInputs:
    """A twin's composite-cathode metrics as the cell model needs them (units in the names)."""

    cam_material: str
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
    sse_material: str = "Li6PS5Cl"
    other_material: str = "VGCF"  # the remaining solid volume (carbon, binder, coatings)
    conductivity_reference_c: float = 25.0  # temperature the twin's σ_ion,eff refers to
    material_overrides: tuple[Material, ...] = ()  # replace library records of the same name

    def __post_init__(self) -> None:
        classes = tuple(_as_class(c) for c in self.cam_classes)
        if not classes:
            raise ValueError("cam_classes is empty; give at least one (radius_um, volume_share)")
        for c in classes:
            _check_range("cam_classes radius_um", c.radius_um, 0.0, 1000.0)
            _check_range("cam_classes volume_share", c.volume_share, 0.0, 1.0)
        total = sum(c.volume_share for c in classes)
        if abs(total - 1.0) > 1e-3:
            raise ValueError(f"cam_classes volume shares sum to {total:.4f}; they must sum to 1")
        object.__setattr__(self, "cam_classes", classes)
        _check_range("cam_volume_fraction", self.cam_volume_fraction, 0.0, 1.0)
        _check_range("cam_utilization", self.cam_utilization, 0.0, 1.0)
        _check_range("sse_volume_fraction", self.sse_volume_fraction, 0.0, 1.0)
        _check_range("porosity", self.porosity, 0.0, 1.0, lo_open=False)
        solid = self.cam_volume_fraction + self.sse_volume_fraction + self.porosity
        if solid > 1.0 + 1e-6:
            raise ValueError(
                f"cam_volume_fraction + sse_volume_fraction + porosity = {solid:.4f} exceeds 1"
            )
        _check_range("ionic_conductivity_eff_s_cm", self.ionic_conductivity_eff_s_cm, 0.0, 1.0)
        _check_range(
            "electronic_conductivity_eff_s_cm", self.electronic_conductivity_eff_s_cm, 0.0, 1e6
        )
        _check_range("specific_cam_sse_area_per_um", self.specific_cam_sse_area_per_um, 0.0, 100.0)
        _check_range("thickness_um", self.thickness_um, 0.0, 5000.0)
        _check_range("temperature_c", self.temperature_c, -40.0, 150.0, lo_open=False)
        _check_range(
            "conductivity_reference_c", self.conductivity_reference_c, -40.0, 150.0, lo_open=False
        )
        if self.counter_electrode not in COUNTER_ELECTRODES:
            raise ValueError(
                f"counter_electrode={self.counter_electrode!r} is not allowed; "
                f"expected one of {COUNTER_ELECTRODES}"
            )
        _cam(self.cam_material, "cam_material")
        for c in classes:
            if c.material is not None:
                _cam(c.material, "cam_classes material")
        sse = self.material(self.sse_material)
        if sse.ionic_conductivity_s_cm is None or sse.activation_energy_ev is None:
            raise ValueError(
                f"sse_material={self.sse_material!r} lacks ionic_conductivity_s_cm or "
                "activation_energy_ev in the library; pick an SSE that has both"
            )
        self.material(self.other_material)

    def material(self, name: str) -> Material:
        """Library material ``name``, or its override."""
        for mat in self.material_overrides:
            if mat.name == name:
                return mat
        return get_material(name)

    def class_material(self, cam_class: CamClass) -> Material:
        """Material of one CAM size class."""
        return self.material(cam_class.material or self.cam_material)

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
            + self.sse_volume_fraction * self.material(self.sse_material).density_g_cm3
            + self.other_volume_fraction * self.material(self.other_material).density_g_cm3
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
        mat = self.material(self.cam_material)
        return float(mat.voltage_min_v), float(mat.voltage_max_v)

    def to_dict(self) -> dict:
        """JSON-serialisable record of the inputs and derived quantities."""
        d = {k: v for k, v in asdict(self).items() if k != "material_overrides"}
        d["cam_classes"] = [asdict(c) for c in self.cam_classes]
        d["material_overrides"] = [m.to_dict() for m in self.material_overrides]
        d |= {
            "cam_loading_mg_cm2": self.cam_loading_mg_cm2,
            "composite_density_g_cm3": self.composite_density_g_cm3,
            "cam_mass_fraction": self.cam_mass_fraction,
            "practical_capacity_mah_g": self.practical_capacity_mah_g,
        }
        return d


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
            raise ValueError(
                f"separator_thickness_um={self.separator_thickness_um} is not allowed; "
                "expected > 0 (the cell needs an SSE separator)"
            )

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return asdict(self)


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
        raise ValueError(
            f"twin metrics lack {missing}; required keys are {list(REQUIRED_METRICS)}, "
            f"optional {list(OPTIONAL_METRICS)}"
        )
    known = set(REQUIRED_METRICS) | set(OPTIONAL_METRICS)
    kwargs = {k: merged[k] for k in known if k in merged}
    kwargs["cam_classes"] = tuple(_as_class(c) for c in merged["cam_classes"])
    return CellInputs(**kwargs)
