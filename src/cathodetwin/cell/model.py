"""PyBaMM bridge: the composite cathode vs Li (or LTO) as a single-ion-conductor DFN half-cell."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pybamm

from cathodetwin.cell import parameters as par
from cathodetwin.cell.inputs import CamClass, CellInputs, StackSpec
from cathodetwin.errors import InputError, SolverError
from cathodetwin.materials import Material

AREA_M2 = 1e-4  # the model cell is 1 cm² so that amperes per cell equal A/cm²
PHASES = ("Primary: ", "Secondary: ")
MODEL_OPTIONS = {
    "working electrode": "positive",
    "transport efficiency": "tortuosity factor",
    "particle phases": ("1", "2"),
    "surface form": "algebraic",
}


class CellSimulationError(SolverError):
    """PyBaMM could not simulate one step; the message names the C-rate and direction."""


@dataclass(frozen=True)
class ParticlePhase:
    """One PyBaMM particle phase: a CAM size group with its own radius and Li lattice size."""

    radius_um: float
    volume_share: float  # of the utilized CAM volume
    material: Material
    max_concentration_mol_m3: float


def _sauter_group(classes: list[CamClass]) -> tuple[float, float]:
    """Radius conserving surface per volume (Sauter mean, µm) and summed share of a group."""
    share = sum(c.volume_share for c in classes)
    return share / sum(c.volume_share / c.radius_um for c in classes), share


def _groups(inputs: CellInputs) -> list[tuple[float, float, Material]]:
    """Size classes reduced to exactly two (radius_um, share, material) groups."""
    classes = list(inputs.cam_classes)
    mats = [inputs.class_material(c) for c in classes]
    distinct = list(dict.fromkeys(mats))
    if len(distinct) > 2:
        raise InputError(
            f"cam_classes use {len(distinct)} materials {[m.name for m in distinct]}; the cell "
            "model takes at most 2"
        )
    if len(classes) == 1:
        c = classes[0]
        return [(c.radius_um, 0.5, mats[0]), (c.radius_um, 0.5, mats[0])]
    if len(distinct) == 2:
        parts = [[c for c, n in zip(classes, mats, strict=True) if n == m] for m in distinct]
    else:
        ordered = sorted(classes, key=lambda c: c.radius_um)
        gaps = np.diff(np.log([c.radius_um for c in ordered]))
        cut = int(np.argmax(gaps)) + 1
        parts = [ordered[:cut], ordered[cut:]]
        distinct = distinct * 2
    return [(*_sauter_group(p), m) for p, m in zip(parts, distinct, strict=True)]


def particle_phases(inputs: CellInputs) -> tuple[ParticlePhase, ParticlePhase]:
    """The two PyBaMM particle phases of the electrode (a single class is split in halves)."""
    v_max = inputs.voltage_window_v[1]
    phases = []
    for radius_um, share, mat in _groups(inputs):
        c_max = par.max_concentration_mol_m3(mat.specific_capacity_mah_g, mat.density_g_cm3, v_max)
        phases.append(ParticlePhase(radius_um, share, mat, c_max))
    return phases[0], phases[1]


def contact_area_ratio(inputs: CellInputs) -> float:
    """Twin CAM-SSE contact area over the smooth-sphere area 3ε/R of the utilized CAM (-)."""
    geometric_per_um = sum(
        3.0 * inputs.active_volume_fraction * p.volume_share / p.radius_um
        for p in particle_phases(inputs)
    )
    return inputs.specific_cam_sse_area_per_um / geometric_per_um


def ionic_tortuosity_factor(inputs: CellInputs) -> float:
    """Ionic tortuosity factor τ² = σ0 ε_SSE / σ_eff (paper 002 Eq. 5) at the reference T (-)."""
    sigma0 = inputs.sse_material.continuum_ionic_conductivity_s_cm
    return sigma0 * inputs.sse_volume_fraction / inputs.ionic_conductivity_eff_s_cm


def ionic_conductivity_at_temperature_s_cm(inputs: CellInputs) -> float:
    """Twin's effective ionic conductivity moved to the cell temperature by Arrhenius (S/cm)."""
    ea_ev = inputs.sse_material.activation_energy_ev
    factor = par.arrhenius_factor(ea_ev, inputs.temperature_c, inputs.conductivity_reference_c)
    return inputs.ionic_conductivity_eff_s_cm * factor


def counter_potential_v(inputs: CellInputs) -> float:
    """Potential of the counter electrode vs Li/Li+ (V): 0 for Li, the LTO plateau for LTO."""
    if inputs.counter_electrode == "Li":
        return 0.0
    return float(inputs.counter_material.average_voltage_v)


def one_c_current_a_cm2(inputs: CellInputs) -> float:
    """1C current density: practical specific capacity × total CAM loading (A/cm²)."""
    return inputs.practical_capacity_mah_g * inputs.cam_loading_mg_cm2 * 1e-6


def _electrolyte_conductivity(inputs: CellInputs):
    sse = inputs.sse_material
    sigma_ref_s_m = sse.continuum_ionic_conductivity_s_cm * 100.0
    ea_over_k = sse.activation_energy_ev / par.BOLTZMANN_EV_K
    t_ref_k = inputs.conductivity_reference_c + par.ZERO_CELSIUS_K

    def conductivity(c_e, temperature_k):
        return sigma_ref_s_m * np.exp(-ea_over_k * (1.0 / temperature_k - 1.0 / t_ref_k))

    return conductivity


def _exchange_current(contact_ratio: float):
    published = par.cam_function("exchange_current_function")

    def exchange_current(c_e, c_s_surf, c_s_max, temperature_k):
        return contact_ratio * published(c_e, c_s_surf, c_s_max, temperature_k)

    return exchange_current


def _li_exchange_current(c_e, c_li, temperature_k):
    return pybamm.Scalar(par.value("counter", "li_exchange_current_a_m2"))


def parameter_values(inputs: CellInputs, stack: StackSpec) -> pybamm.ParameterValues:
    """PyBaMM parameters of the half-cell; current and initial CAM concentrations are inputs."""
    v_min, v_max = inputs.voltage_window_v
    temperature_k = inputs.temperature_c + par.ZERO_CELSIUS_K
    sse = inputs.sse_material
    eps_sse = inputs.sse_volume_fraction
    one_c_a = one_c_current_a_cm2(inputs) * AREA_M2 * 1e4
    values: dict = {
        "Electrode height [m]": 0.01,
        "Electrode width [m]": AREA_M2 / 0.01,
        "Nominal cell capacity [A.h]": one_c_a,
        "Current function [A]": "[input]",
        "Contact resistance [Ohm]": 0.0,
        "Number of electrodes connected in parallel to make a cell": 1.0,
        "Number of cells connected in series to make a battery": 1.0,
        "Negative electrode thickness [m]": max(stack.anode_thickness_um, 1.0) * 1e-6,
        "Separator thickness [m]": stack.separator_thickness_um * 1e-6,
        "Positive electrode thickness [m]": inputs.thickness_um * 1e-6,
        # counter electrode: Li metal kinetics (an LTO counter shifts the voltage afterwards)
        "Negative electrode OCP [V]": 0.0,
        "Negative electrode OCP entropic change [V.K-1]": 0.0,
        "Negative electrode conductivity [S.m-1]": 1.1e7,
        "Negative electrode charge transfer coefficient": 0.5,
        "Negative electrode double-layer capacity [F.m-2]": 0.2,
        "Exchange-current density for lithium metal electrode [A.m-2]": _li_exchange_current,
        "Lithium metal partial molar volume [m3.mol-1]": par.value(
            "counter", "li_partial_molar_volume_m3_mol"
        ),
        # solid electrolyte: single-ion conductor, twin's effective σ in tortuosity-factor form
        "Initial concentration in electrolyte [mol.m-3]": par.value(
            "electrolyte", "nominal_concentration_mol_m3"
        ),
        "Cation transference number": par.value("electrolyte", "transference_number"),
        "Thermodynamic factor": 1.0,
        "Electrolyte diffusivity [m2.s-1]": par.value("electrolyte", "salt_diffusivity_m2_s"),
        "Electrolyte conductivity [S.m-1]": _electrolyte_conductivity(inputs),
        "Positive electrode porosity": eps_sse,
        "Positive electrode tortuosity factor (electrolyte)": (
            sse.continuum_ionic_conductivity_s_cm * eps_sse / inputs.ionic_conductivity_eff_s_cm
        ),
        "Separator porosity": 1.0,
        "Separator tortuosity factor (electrolyte)": 1.0,
        "Separator tortuosity factor (electrode)": 1.0,
        # electronic conduction: the twin's effective σ (transport efficiency 1)
        "Positive electrode conductivity [S.m-1]": inputs.electronic_conductivity_eff_s_cm * 100,
        "Positive electrode tortuosity factor (electrode)": 1.0 - eps_sse,
        "Positive electrode double-layer capacity [F.m-2]": par.value(
            "cam", "double_layer_capacity_f_m2"
        ),
        # temperature (isothermal)
        "Ambient temperature [K]": temperature_k,
        "Initial temperature [K]": temperature_k,
        "Reference temperature [K]": par.REFERENCE_TEMPERATURE_K,
        "Heat transfer coefficient [W.m-2.K-1]": 10.0,
        "Lower voltage cut-off [V]": v_min,
        "Upper voltage cut-off [V]": v_max,
        "Open-circuit voltage at 0% SOC [V]": v_min,
        "Open-circuit voltage at 100% SOC [V]": v_max,
    }
    exchange = _exchange_current(contact_area_ratio(inputs))
    for prefix, phase in zip(PHASES, particle_phases(inputs), strict=True):
        values |= {
            f"{prefix}Maximum concentration in positive electrode [mol.m-3]": (
                phase.max_concentration_mol_m3
            ),
            f"{prefix}Initial concentration in positive electrode [mol.m-3]": "[input]",
            f"{prefix}Positive particle radius [m]": phase.radius_um * 1e-6,
            f"{prefix}Positive electrode active material volume fraction": (
                inputs.active_volume_fraction * phase.volume_share
            ),
            f"{prefix}Positive particle diffusivity [m2.s-1]": par.cam_function(
                "diffusivity_function"
            ),
            f"{prefix}Positive electrode OCP [V]": par.cam_function("ocv_function"),
            f"{prefix}Positive electrode OCP entropic change [V.K-1]": 0.0,
            f"{prefix}Positive electrode exchange-current density [A.m-2]": exchange,
            f"{prefix}Positive electrode charge transfer coefficient": par.value(
                "cam", "charge_transfer_coefficient"
            ),
        }
    return pybamm.ParameterValues(values)


@cache
def _model() -> pybamm.lithium_ion.DFN:
    return pybamm.lithium_ion.DFN(MODEL_OPTIONS)


@dataclass(frozen=True)
class Step:
    """One galvanostatic step: capacity (mAh per g of total CAM) and cell voltage (V) samples."""

    c_rate: float
    direction: str  # "discharge" or "charge"
    capacity_mah_g: np.ndarray
    voltage_v: np.ndarray
    reached_cutoff: bool  # False when the cut-off is crossed at the first instant (capacity 0)


class HalfCell:
    """A built PyBaMM half-cell for one CellInputs; run galvanostatic steps at any C-rate."""

    def __init__(
        self, inputs: CellInputs, stack: StackSpec | None = None, mesh_refinement: int = 1
    ):
        if mesh_refinement < 1:
            raise InputError(f"mesh_refinement={mesh_refinement!r} is not allowed; expected >= 1")
        self.inputs = inputs
        self.stack = stack or StackSpec()
        self.phases = particle_phases(inputs)
        self.one_c_a = one_c_current_a_cm2(inputs) * AREA_M2 * 1e4
        self.cam_mass_g = inputs.cam_loading_mg_cm2 * 1e-3 * AREA_M2 * 1e4
        var_pts = dict(_model().default_var_pts)
        n_r = mesh_refinement * int(par.value("mesh", "particle_points"))
        var_pts |= {
            "x_s": mesh_refinement * int(par.value("mesh", "separator_points")),
            "x_p": mesh_refinement * int(par.value("mesh", "cathode_points")),
            "r_p_prim": n_r,
            "r_p_sec": n_r,
        }
        self._sim = pybamm.Simulation(
            _model(),
            parameter_values=parameter_values(inputs, self.stack),
            var_pts=var_pts,
            solver=pybamm.IDAKLUSolver(rtol=1e-6, atol=1e-8),
        )

    def _initial(self, stoichiometry: float) -> dict[str, float]:
        return {
            f"{prefix}Initial concentration in positive electrode [mol.m-3]": (
                stoichiometry * phase.max_concentration_mol_m3
            )
            for prefix, phase in zip(PHASES, self.phases, strict=True)
        }

    def run(self, c_rate: float, direction: str = "discharge", samples: int = 200) -> Step:
        """Constant-current step from the rest state to the cut-off at ``c_rate`` (1/h)."""
        if not c_rate > 0.0:
            raise InputError(f"c_rate={c_rate!r} is not allowed; expected a positive C-rate")
        v_min, v_max = self.inputs.voltage_window_v
        if direction == "discharge":
            x0, sign, cutoff_v, event = par.charged_stoichiometry(v_max), 1.0, v_min, "Minimum"
        elif direction == "charge":
            x0 = par.value("cam", "charge_start_stoichiometry")
            sign, cutoff_v, event = -1.0, v_max, "Maximum"
        else:
            raise InputError(f"direction={direction!r} is not allowed; use 'discharge' or 'charge'")
        offset_v = counter_potential_v(self.inputs)
        inputs = {"Current function [A]": sign * c_rate * self.one_c_a} | self._initial(x0)
        t_end_s = 1.25 * 3600.0 / c_rate
        try:
            sol = self._sim.solve(
                [0.0, t_end_s], inputs=inputs, t_interp=np.linspace(0.0, t_end_s, samples)
            )
        except pybamm.SolverError as err:
            # the cut-off crossed at the first instant (ohmic drop > window): no capacity
            if f"['{event} voltage [V]'] are non-positive at initial conditions" in str(err):
                return Step(c_rate, direction, np.zeros(1), np.array([cutoff_v - offset_v]), False)
            raise CellSimulationError(
                f"PyBaMM failed on the {direction} at {c_rate:g}C: {err}"
            ) from err
        if f"{event} voltage [V]" not in str(sol.termination):
            raise CellSimulationError(
                f"{direction} at {c_rate:g}C ended without reaching the {cutoff_v} V cut-off "
                f"({sol.termination})"
            )
        q_ah = np.abs(sol["Discharge capacity [A.h]"].entries)
        v = sol["Voltage [V]"].entries - offset_v
        return Step(c_rate, direction, q_ah * 1e3 / self.cam_mass_g, v, True)
