"""Rate capability: discharge (and charge) at a list of C-rates, capacity table and energies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from cathodetwin.cell.energy import EnergyDensities, energy_densities, mean_voltage_v
from cathodetwin.cell.inputs import CellInputs, StackSpec
from cathodetwin.cell.model import (
    HalfCell,
    Step,
    contact_area_ratio,
    ionic_conductivity_at_temperature_s_cm,
    ionic_tortuosity_factor,
    one_c_current_a_cm2,
)
from cathodetwin.errors import InputError
from cathodetwin.records import Record

DEFAULT_C_RATES: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0)


@dataclass(frozen=True)
class VoltageCurve(Record):
    """Cell voltage (V, vs the counter electrode) against capacity (mAh per g CAM) at one C-rate."""

    c_rate: float
    direction: str
    capacity_mah_g: tuple[float, ...]
    voltage_v: tuple[float, ...]
    reached_cutoff: bool  # False: the cut-off was crossed at once (capacity 0)

    @classmethod
    def from_step(cls, step: Step) -> VoltageCurve:
        """Curve of one simulated step."""
        return cls(
            step.c_rate,
            step.direction,
            tuple(float(q) for q in step.capacity_mah_g),
            tuple(float(v) for v in step.voltage_v),
            step.reached_cutoff,
        )


@dataclass(frozen=True)
class RateResult(Record):
    """Capacity and energy vs C-rate of a composite cathode in a half-cell (units in names)."""

    inputs: CellInputs
    stack: StackSpec
    c_rates: tuple[float, ...]
    capacity_mah_g: tuple[float, ...]  # per g of total CAM (utilized or not)
    capacity_mah_cm2: tuple[float, ...]
    energy: tuple[EnergyDensities, ...]
    discharge_curves: tuple[VoltageCurve, ...]
    charge_curves: tuple[VoltageCurve, ...]
    one_c_current_ma_cm2: float
    contact_area_ratio: float  # twin CAM-SSE area / smooth-sphere area of utilized CAM
    ionic_tortuosity_factor: float
    ionic_conductivity_at_temperature_s_cm: float  # twin's σ_ion,eff moved to the cell T

    def capacity_at(self, c_rate: float) -> float:
        """Discharge capacity (mAh/g CAM) at one of the simulated C-rates."""
        if c_rate not in self.c_rates:
            raise InputError(f"c_rate={c_rate!r} was not simulated; simulated: {self.c_rates}")
        return self.capacity_mah_g[self.c_rates.index(c_rate)]

    def table(self) -> list[dict]:
        """One row per C-rate: capacity, mean voltage and energy densities."""
        return [
            {"c_rate": c, "capacity_mah_cm2": q_cm2} | e.to_dict()
            for c, q_cm2, e in zip(self.c_rates, self.capacity_mah_cm2, self.energy, strict=True)
        ]

    @classmethod
    def from_dict(cls, data: dict) -> RateResult:
        """The result a :meth:`to_dict` record describes."""
        rows = data["rates"]
        energy_keys = {f.name for f in fields(EnergyDensities)}
        energies = tuple(EnergyDensities.from_dict({k: r[k] for k in energy_keys})
                         for r in rows)
        return cls(
            inputs=CellInputs.from_dict(data["inputs"]),
            stack=StackSpec(**data["stack"]),
            c_rates=tuple(r["c_rate"] for r in rows),
            capacity_mah_g=tuple(e.capacity_mah_g for e in energies),
            capacity_mah_cm2=tuple(r["capacity_mah_cm2"] for r in rows),
            energy=energies,
            discharge_curves=tuple(VoltageCurve.from_dict(c) for c in data["discharge_curves"]),
            charge_curves=tuple(VoltageCurve.from_dict(c) for c in data["charge_curves"]),
            one_c_current_ma_cm2=data["one_c_current_ma_cm2"],
            contact_area_ratio=data["contact_area_ratio"],
            ionic_tortuosity_factor=data["ionic_tortuosity_factor"],
            ionic_conductivity_at_temperature_s_cm=data["ionic_conductivity_at_temperature_s_cm"],
        )

    def to_dict(self) -> dict:
        """JSON-serialisable record: inputs, stack, rate table and voltage curves."""
        return {
            "inputs": self.inputs.to_dict(),
            "stack": self.stack.to_dict(),
            "one_c_current_ma_cm2": self.one_c_current_ma_cm2,
            "contact_area_ratio": self.contact_area_ratio,
            "ionic_tortuosity_factor": self.ionic_tortuosity_factor,
            "ionic_conductivity_at_temperature_s_cm": self.ionic_conductivity_at_temperature_s_cm,
            "rates": self.table(),
            "discharge_curves": [c.to_dict() for c in self.discharge_curves],
            "charge_curves": [c.to_dict() for c in self.charge_curves],
        }


@dataclass(frozen=True)
class NoConductingPath(Record):
    """Cell of a twin whose ions or electrons reach no CAM: nothing discharges at any rate."""

    DERIVED = ("note", "rates")

    no_conducting_path: tuple[str, ...]  # "ionic_conductivity_eff_s_cm" and/or the electronic
    c_rates: tuple[float, ...] = field(metadata={"json": False})

    @property
    def note(self) -> str:
        """What the result means, in words."""
        return ("the twin has no conducting path from the entry face for "
                + " and ".join(self.no_conducting_path)
                + ", so no capacity can be drawn at any rate")

    @property
    def rates(self) -> list[dict]:
        """One row of zero capacity and energy per C-rate."""
        zero = dict.fromkeys(("capacity_mah_g", "capacity_mah_cm2", "cathode_wh_kg",
                              "cathode_wh_l", "stack_wh_kg", "stack_wh_l"), 0.0)
        return [{"c_rate": float(c)} | zero for c in self.c_rates]

    @classmethod
    def from_dict(cls, data: dict) -> NoConductingPath:
        """The record :meth:`to_dict` wrote."""
        return cls(tuple(data["no_conducting_path"]),
                   tuple(row["c_rate"] for row in data["rates"]))


def blocked_carriers(inputs: CellInputs) -> tuple[str, ...]:
    """The effective conductivities of ``inputs`` that are zero (no path for that carrier)."""
    return tuple(k for k in ("ionic_conductivity_eff_s_cm", "electronic_conductivity_eff_s_cm")
                 if not getattr(inputs, k) > 0.0)


def cell_result_from_dict(data: dict) -> RateResult | NoConductingPath:
    """The cell result a build recorded: a rate table, or no conducting path."""
    if "no_conducting_path" in data:
        return NoConductingPath.from_dict(data)
    return RateResult.from_dict(data)


def predict_rates(
    inputs: CellInputs, c_rates: Sequence[float] = DEFAULT_C_RATES, *,
    stack: StackSpec | None = None,
) -> RateResult | NoConductingPath:
    """The rate table of a twin, or :class:`NoConductingPath` when a carrier reaches no CAM."""
    blocked = blocked_carriers(inputs)
    if blocked:
        return NoConductingPath(blocked, tuple(float(c) for c in c_rates))
    return simulate_rates(inputs, c_rates, stack=stack)


def simulate_rates(
    inputs: CellInputs,
    c_rates: Sequence[float] = DEFAULT_C_RATES,
    *,
    stack: StackSpec | None = None,
    charge: bool = False,
    samples: int = 200,
) -> RateResult:
    """Discharge (and charge, if asked) from rest at each C-rate; 1C = Q_practical × CAM mass."""
    rates = tuple(float(c) for c in c_rates)
    if not rates or any(not c > 0.0 for c in rates):
        raise InputError(f"c_rates={c_rates!r} is not allowed; give positive C-rates")
    blocked = blocked_carriers(inputs)
    if blocked:
        raise ValueError(f"{' and '.join(blocked)} = 0: nothing can discharge; predict_rates "
                         "returns NoConductingPath for such a twin")
    stack = stack or StackSpec()
    cell = HalfCell(inputs, stack)
    discharges = [cell.run(c, "discharge", samples) for c in rates]
    charges = [cell.run(c, "charge", samples) for c in rates] if charge else []
    capacities = tuple(float(s.capacity_mah_g[-1]) for s in discharges)
    energies = tuple(
        energy_densities(inputs, q, mean_voltage_v(s.capacity_mah_g, s.voltage_v), stack)
        for q, s in zip(capacities, discharges, strict=True)
    )
    return RateResult(
        inputs=inputs,
        stack=stack,
        c_rates=rates,
        capacity_mah_g=capacities,
        capacity_mah_cm2=tuple(q * inputs.cam_loading_mg_cm2 * 1e-3 for q in capacities),
        energy=energies,
        discharge_curves=tuple(VoltageCurve.from_step(s) for s in discharges),
        charge_curves=tuple(VoltageCurve.from_step(s) for s in charges),
        one_c_current_ma_cm2=one_c_current_a_cm2(inputs) * 1e3,
        contact_area_ratio=contact_area_ratio(inputs),
        ionic_tortuosity_factor=ionic_tortuosity_factor(inputs),
        ionic_conductivity_at_temperature_s_cm=ionic_conductivity_at_temperature_s_cm(inputs),
    )
