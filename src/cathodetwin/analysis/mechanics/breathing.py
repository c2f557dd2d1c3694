"""CAM breathing in a stacked composite: strain energy, stack pressure, contact retention.

Two periodic solves on the labelled volume, with a thin electrolyte separator layer added on
top (so the stack repeats through-plane: current collector side of one cathode against the
separator of the next): (A) a unit through-plane macro strain without eigenstrain and (B) the
CAM eigenstrain with the height held. Lateral macro strains are zero ("confined": a pellet in
a die or a layer bonded to its foil) or lateral mean stresses are zero ("free"). Linear
elasticity lets every state be a sum s_B + c * s_A, so any stack pressure costs no new solve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cathodetwin.analysis.mechanics.contact import (
    CamParticles,
    ContactRetention,
    InterfaceTractions,
    cam_particles,
    cam_voxel_of_face,
    contact_retention,
    face_normal_stress,
    interface_faces,
)
from cathodetwin.analysis.mechanics.energy import (
    MPA_TO_KJ_M3,
    PhaseStrainEnergy,
    energy_density_mpa,
    mean_energy_kj_m3,
    phase_strain_energy,
    voxel_energy_stats,
)
from cathodetwin.analysis.mechanics.phase_properties import PhaseElasticInputs, elastic_inputs
from cathodetwin.analysis.mechanics.solver import (
    ElasticSolution,
    label_elasticity,
    solve_elasticity,
    strain_field,
    stress_field,
)
from cathodetwin.errors import InputError
from cathodetwin.records import Record, key
from cathodetwin.structure.microstructure import Microstructure

Lateral = Literal["confined", "free"]
DEFAULT_SWEEP_MPA: tuple[float, ...] = (0.2, 2.0, 10.0, 30.0)
# float32 words held per voxel at the peak (CG vectors 15, stored solutions 6, stress 6,
# FFT buffers ~4) plus labels and masks.
BYTES_PER_VOXEL = 4 * 31 + 4
# returned fields (stress 6, strain 6, energy 1) plus the NumPy strain temporaries
FIELD_BYTES_PER_VOXEL = 4 * 13 + 4 * 6


@dataclass(frozen=True)
class MechanicsFields:
    """Fields after charge at the operating stack pressure, on the composite voxels only.

    Normal stress/strain at voxel centres; shear component ab on the edge shared with the
    +a and +b neighbours (tensor shear strain). Order: xx, yy, zz, xy, xz, yz.
    """

    stress_mpa: np.ndarray
    strain: np.ndarray
    strain_energy_density_kj_m3: np.ndarray


@dataclass(frozen=True)
class BreathingResult(Record):
    """Mechanics of CAM volume change at one state of charge and a stack-pressure sweep.

    ``interface_tractions`` summarises the CAM–electrolyte faces at the operating pressure;
    the per-face arrays (``interface``) and the fields are kept in memory only.
    """

    DERIVED = ("sse_interface_strain_energy_mean_kj_m3",)

    stack_pressure_mpa: float
    lateral: str = field(metadata=key("lateral_condition"))
    separator_pad_voxels: int
    bond_strength_mpa: float
    utilization_min_retained_share: float
    strain_energy: tuple[PhaseStrainEnergy, ...] = field(metadata=key("strain_energy_by_phase"))
    cam_strain_energy_mean_kj_m3: float | None
    electrolyte_strain_energy_mean_kj_m3: float | None = field(
        metadata=key("sse_strain_energy_mean_kj_m3"))
    electrolyte_interface_strain_energy: dict[str, float] | None = field(
        metadata=key("sse_interface_strain_energy"))
    composite_volume_change_percent: float
    composite_through_plane_modulus_gpa: float
    stack_pressure_change_fixed_height_mpa: float
    interface_tractions: dict[str, float]
    retention: tuple[ContactRetention, ...] = field(metadata=key("contact_retention"))
    cam_utilization_before_charge_volume_fraction: float | None
    cam_utilization_before_charge_particle_fraction: float | None
    solver: dict[str, ElasticSolution]  # "unit_strain" and "eigenstrain" solves
    interface: InterfaceTractions | None = field(default=None, repr=False, compare=False,
                                                 metadata={"json": False})
    fields: MechanicsFields | None = field(default=None, repr=False, compare=False,
                                           metadata={"json": False})

    @property
    def sse_interface_strain_energy_mean_kj_m3(self) -> float | None:
        """Mean strain energy density (kJ/m³) of the electrolyte voxels at CAM faces."""
        stats = self.electrolyte_interface_strain_energy
        return None if stats is None else stats["mean_kj_m3"]

    def retention_at(self, stack_pressure_mpa: float) -> ContactRetention:
        """The sweep entry for one stack pressure."""
        for r in self.retention:
            if r.stack_pressure_mpa == stack_pressure_mpa:
                return r
        raise KeyError(f"stack pressure {stack_pressure_mpa} MPa was not in the sweep")


@dataclass(frozen=True)
class LoadResponse:
    """The two unit solves and the superposition constants of the stacked layer.

    A state with through-plane macro strain c is s_B + c·s_A; its mean through-plane stress
    is b + c·a (MPa) and the composite layer's strain eps_b + c·eps_a.
    """

    unit_strain: ElasticSolution  # A: unit through-plane macro strain, no eigenstrain
    eigenstrain: ElasticSolution  # B: the CAM eigenstrain, height held
    a_mpa: float
    b_mpa: float
    eps_a: float
    eps_b: float

    def strain_after_charge(self, stack_pressure_mpa: float) -> float:
        """Macro strain c of the state after charge at constant stack pressure P (MPa)."""
        return (-stack_pressure_mpa - self.b_mpa) / self.a_mpa

    @property
    def volume_change(self) -> float:
        """Composite volume change on charge at constant pressure (relative)."""
        dc = -self.b_mpa / self.a_mpa  # constant pressure: c goes from -P/a to (-P - b)/a
        sa, sb = self.unit_strain.macro_strain, self.eigenstrain.macro_strain
        return float(sb[0] + dc * sa[0] + sb[1] + dc * sa[1] + self.eps_b + dc * self.eps_a)

    @property
    def pressure_change_fixed_height_mpa(self) -> float:
        """Stack pressure change on charge when the composite height is held (MPa)."""
        return float(-(self.b_mpa - self.a_mpa * self.eps_b / self.eps_a))


def estimate_memory_gib(shape: tuple[int, int, int], separator_pad_voxels: int = 2,
                        return_fields: bool = False) -> float:
    """Peak memory (GiB) the breathing analysis needs for a volume of this shape."""
    nx, ny, nz = shape
    per_voxel = BYTES_PER_VOXEL + (FIELD_BYTES_PER_VOXEL if return_fields else 0)
    return nx * ny * (nz + separator_pad_voxels) * per_voxel / 2**30


def _available_memory_gib() -> float | None:
    """MemAvailable from /proc/meminfo in GiB, None where unreadable."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        return None
    return None


def _slab_strain(solution: ElasticSolution, nz: int, hz_um: float) -> float:
    """Mean through-plane strain of the composite layer (voxels k < nz), padding excluded."""
    uz = solution.displacement_um[2]
    jump = np.mean(uz[:, :, nz - 1], dtype=np.float64) - np.mean(uz[:, :, -1], dtype=np.float64)
    return float(jump / (nz * hz_um) + solution.macro_strain[2])


def _check_inputs(labels, voxel_size_um, youngs_modulus_gpa, stack_pressures, lateral,
                  separator_pad_voxels) -> None:
    if labels.ndim != 3 or labels.dtype != np.uint8:
        raise InputError(f"labels must be a 3D uint8 array, got {labels.dtype} {labels.shape}")
    if len(voxel_size_um) != 3 or any(not h > 0 for h in voxel_size_um):
        raise InputError(f"voxel_size_um = {voxel_size_um}; allowed: three positive lengths")
    present = np.flatnonzero(np.bincount(labels.ravel(), minlength=256))
    missing = sorted(int(v) for v in present if int(v) not in youngs_modulus_gpa)
    if missing:
        raise InputError(f"youngs_modulus_gpa: labels {missing} occur in the volume but have "
                         "no modulus (give 0 for pores)")
    bad = [p for p in stack_pressures if not (np.isfinite(p) and p >= 0)]
    if bad:
        raise InputError(f"stack pressures {bad} MPa; allowed: finite >= 0")
    if lateral not in ("confined", "free"):
        raise InputError(f"lateral = {lateral!r}; allowed: 'confined' or 'free'")
    if separator_pad_voxels < 0:
        raise InputError(f"separator_pad_voxels = {separator_pad_voxels}; allowed: >= 0")


def analyze_breathing(
    labels: np.ndarray,
    phases: PhaseElasticInputs,
    *,
    voxel_size_um: tuple[float, float, float],
    stack_pressure_mpa: float = 10.0,
    sweep_pressures_mpa: Sequence[float] = DEFAULT_SWEEP_MPA,
    lateral: Lateral = "confined",
    separator_pad_voxels: int = 2,
    separator_label: int | None = None,
    bond_strength_mpa: float = 0.0,
    utilization_min_retained_share: float = 0.0,
    particle_ids: np.ndarray | None = None,
    histogram_bins: int = 40,
    return_fields: bool = False,
    rtol: float = 1e-3,
    max_iterations: int = 1000,
    progress: Callable[[float], None] | None = None,
) -> BreathingResult:
    """Strain energy (kJ/m³), volume change (%), stack pressure change (MPa) and contact loss.

    Voxel elasticity of the composite layer (with a separator pad on top) under the CAM's
    volume change on charge, at a held stack pressure and at a held height.

    Parameters
    ----------
    labels : ndarray of uint8, shape (nx, ny, nz)
        Phase labels; z is through-plane (k = nz − 1 faces the separator), x and y periodic.
    phases : PhaseElasticInputs
        Per label E (GPa; 0 for pores), Poisson ratio and eigenstrain (the isotropic linear
        strain after charge relative to the assembled state, ΔV / 3V), the CAM labels and the
        ion-conducting labels a CAM face must touch (SSE and shells); see
        :func:`elastic_inputs`.
    voxel_size_um : tuple of 3 float
        Voxel edge lengths in µm along x, y, z.
    stack_pressure_mpa : float, optional
        Operating stack pressure in MPa for the energy and traction summary.
    sweep_pressures_mpa : sequence of float, optional
        Stack pressures in MPa at which contact retention is reported.
    lateral : {"confined", "free"}, optional
        Lateral condition of the layer: held in a die (default) or free to expand.
    separator_pad_voxels : int, optional
        Voxels of electrolyte stacked on top as the separator.
    separator_label : int, optional
        Label whose material fills the separator pad (default: the first electrolyte label
        present; without one no pad is added).
    bond_strength_mpa : float, optional
        Tensile normal traction in MPa an interface face sustains before opening.
    utilization_min_retained_share : float, optional
        A CAM particle counts as utilized after charge when more than this share (0..1) of its
        contact area is retained (0: at least one retained face).
    particle_ids : ndarray of int, shape of ``labels``, optional
        CAM particle of each voxel; default face-connected CAM of one label (x/y periodic).
    histogram_bins : int, optional
        Bins of each phase's strain energy histogram.
    return_fields : bool, optional
        Also keep the stress (MPa), strain and energy density (kJ/m³) fields.
    rtol : float, optional
        Relative residual at which the elastic solves stop.
    max_iterations : int, optional
        Iteration limit of each elastic solve.
    progress : callable, optional
        Called with the share of the work done (0–1) as the solves converge.

    Returns
    -------
    BreathingResult
        Strain energy density per phase and at the CAM–electrolyte interface (kJ/m³), the
        composite's volume change (%) and through-plane modulus (GPa), the stack pressure change
        at held height (MPa), interface tractions (MPa) and contact retention (area in µm²,
        shares 0..1) at each sweep pressure.

    Examples
    --------
    A CAM layer (E = 199 GPa) under an electrolyte layer (E = 22 GPa) shrinking 1 % linearly:

    >>> import numpy as np
    >>> from cathodetwin.analysis import PhaseElasticInputs, analyze_breathing
    >>> labels = np.full((4, 4, 8), 2, np.uint8)
    >>> labels[:, :, :4] = 1
    >>> phases = PhaseElasticInputs(
    ...     youngs_modulus_gpa={1: 199.0, 2: 22.1}, poisson_ratio={1: 0.25, 2: 0.37},
    ...     eigenstrain={1: -0.01}, names={1: "CAM", 2: "SSE"}, cam_labels=(1,),
    ...     electrolyte_labels=(2,), sources={})
    >>> res = analyze_breathing(labels, phases, voxel_size_um=(0.25, 0.25, 0.25),
    ...                         sweep_pressures_mpa=(10.0,))
    >>> res.composite_volume_change_percent < 0, res.stack_pressure_change_fixed_height_mpa < 0
    (True, True)
    """
    pressures = [float(p) for p in sweep_pressures_mpa]
    _check_inputs(labels, voxel_size_um, phases.youngs_modulus_gpa,
                  [*pressures, stack_pressure_mpa], lateral, separator_pad_voxels)
    if not 0.0 <= utilization_min_retained_share < 1.0:
        raise InputError(f"utilization_min_retained_share = {utilization_min_retained_share};"
                         " allowed: 0 <= share < 1")
    if particle_ids is not None and particle_ids.shape != labels.shape:
        raise InputError(f"particle_ids shape {particle_ids.shape} != labels {labels.shape}")
    padded = _with_separator(labels, phases, separator_pad_voxels, separator_label)
    pad = padded.shape[2] - labels.shape[2]
    need = estimate_memory_gib(labels.shape, pad, return_fields)
    have = _available_memory_gib()
    if have is not None and need > have:
        raise MemoryError(f"labels {labels.shape}: the mechanics solve needs ~{need:.1f} GiB, "
                          f"{have:.1f} GiB is available; crop or coarsen the volume")
    table = label_elasticity(dict(phases.youngs_modulus_gpa), dict(phases.poisson_ratio),
                             dict(phases.eigenstrain))
    nz = labels.shape[2]
    report = progress or (lambda share: None)
    load = _load_response(padded, nz, table, voxel_size_um, lateral, rtol, max_iterations,
                          report)
    interface = _interface_tractions(padded, nz, table, voxel_size_um, load,
                                     phases.cam_labels, phases.electrolyte_labels)
    comp = padded[:, :, :nz]
    cam_mask = np.isin(comp, list(phases.cam_labels))
    ids = particle_ids if particle_ids is not None else cam_particles(comp, phases.cam_labels)
    particles = CamParticles.from_ids(ids, cam_mask, interface.cam_voxel_index)
    del cam_mask
    before_volume, before_count = particles.reachable(np.ones(interface.count, bool),
                                                      interface.face_area_um2)
    cam_volume = float(particles.particle_voxels.sum()) * float(np.prod(voxel_size_um))
    retention = contact_retention(interface, particles, pressures, bond_strength_mpa,
                                  utilization_min_retained_share, cam_volume)
    energy, fields = _state_after_charge(padded, nz, table, voxel_size_um, load,
                                         stack_pressure_mpa, return_fields)
    return BreathingResult(
        stack_pressure_mpa=float(stack_pressure_mpa),
        lateral=lateral,
        separator_pad_voxels=pad,
        bond_strength_mpa=float(bond_strength_mpa),
        utilization_min_retained_share=float(utilization_min_retained_share),
        strain_energy=phase_strain_energy(energy, comp, phases.names, histogram_bins),
        cam_strain_energy_mean_kj_m3=mean_energy_kj_m3(energy, comp, list(phases.cam_labels)),
        electrolyte_strain_energy_mean_kj_m3=mean_energy_kj_m3(
            energy, comp, list(phases.electrolyte_labels)),
        electrolyte_interface_strain_energy=voxel_energy_stats(
            energy, interface.electrolyte_voxels(comp.shape)),
        composite_volume_change_percent=100.0 * load.volume_change,
        composite_through_plane_modulus_gpa=load.a_mpa / load.eps_a / 1e3,
        stack_pressure_change_fixed_height_mpa=load.pressure_change_fixed_height_mpa,
        interface_tractions=interface.summary(stack_pressure_mpa),
        retention=retention,
        cam_utilization_before_charge_volume_fraction=before_volume,
        cam_utilization_before_charge_particle_fraction=before_count,
        solver={"unit_strain": load.unit_strain, "eigenstrain": load.eigenstrain},
        interface=interface,
        fields=fields,
    )


def _with_separator(labels: np.ndarray, phases: PhaseElasticInputs, pad_voxels: int,
                    separator_label: int | None) -> np.ndarray:
    """The labels with ``pad_voxels`` of separator electrolyte added on top (z)."""
    if separator_label is None:
        counts = np.bincount(labels.ravel(), minlength=256)
        present = [int(v) for v in phases.electrolyte_labels if counts[int(v)] > 0]
        separator_label = present[0] if present else None
    padded = np.ascontiguousarray(labels)
    if separator_label is None or not pad_voxels:
        return padded
    if separator_label not in phases.youngs_modulus_gpa:
        raise InputError(f"separator_label = {separator_label} has no Young's modulus")
    nx, ny, _ = labels.shape
    return np.concatenate([padded, np.full((nx, ny, pad_voxels), separator_label, np.uint8)],
                          2)


def _load_response(padded: np.ndarray, nz: int, table, voxel_size_um, lateral: Lateral,
                   rtol: float, max_iterations: int,
                   progress: Callable[[float], None]) -> LoadResponse:
    """Solves A (unit through-plane strain) and B (eigenstrain, height held) of the stack;
    ``progress`` gets the share done (0–0.9: the two solves carry most of the work)."""
    free = lateral == "free"
    control = (free, free, False)
    sol_a = solve_elasticity(padded, table, voxel_size_um, (0, 0, 1.0, 0, 0, 0), control,
                             eigenstrain_scale=0.0, rtol=rtol, max_iterations=max_iterations,
                             progress=lambda share: progress(0.45 * share))
    sol_b = solve_elasticity(padded, table, voxel_size_um, (0.0,) * 6, control,
                             eigenstrain_scale=1.0, rtol=rtol, max_iterations=max_iterations,
                             progress=lambda share: progress(0.45 + 0.45 * share))
    return LoadResponse(sol_a, sol_b, float(sol_a.mean_stress_mpa[2]),
                        float(sol_b.mean_stress_mpa[2]),
                        _slab_strain(sol_a, nz, voxel_size_um[2]),
                        _slab_strain(sol_b, nz, voxel_size_um[2]))


def _state_after_charge(padded: np.ndarray, nz: int, table, voxel_size_um, load: LoadResponse,
                        stack_pressure_mpa: float, return_fields: bool
                        ) -> tuple[np.ndarray, MechanicsFields | None]:
    """Strain energy density (MPa, composite voxels) after charge at stack pressure P, and the
    fields if asked."""
    c1 = load.strain_after_charge(stack_pressure_mpa)
    u = load.eigenstrain.displacement_um + np.float32(c1) * load.unit_strain.displacement_um
    macro = load.eigenstrain.macro_strain + c1 * load.unit_strain.macro_strain
    sigma = stress_field(u, padded, table, voxel_size_um, macro, 1.0)
    energy = energy_density_mpa(sigma, padded, table)[:, :, :nz]
    if not return_fields:
        return energy, None
    return energy, MechanicsFields(
        stress_mpa=np.ascontiguousarray(sigma[:, :, :, :nz]),
        strain=np.ascontiguousarray(strain_field(u, macro, voxel_size_um)[:, :, :, :nz]),
        strain_energy_density_kj_m3=np.ascontiguousarray(energy) * np.float32(MPA_TO_KJ_M3),
    )


def _interface_tractions(padded, nz, table, voxel_size_um, load: LoadResponse, cam_labels,
                         electrolyte_labels) -> InterfaceTractions:
    """Normal tractions of both unit solutions on the composite's CAM–electrolyte faces."""
    comp_shape = (padded.shape[0], padded.shape[1], nz)
    faces = interface_faces(padded[:, :, :nz], cam_labels, electrolyte_labels)
    hx, hy, hz = voxel_size_um
    area = (hy * hz, hx * hz, hx * hy)
    # x and y wrap identically in the padded array and the face above k = nz-1 is excluded,
    # so padded flat indices address every face's two voxels
    low_padded = [np.ravel_multi_index(np.unravel_index(low, comp_shape), padded.shape)
                  for low, _ in faces]
    tractions = []
    for sol, scale in ((load.unit_strain, 0.0), (load.eigenstrain, 1.0)):
        sigma = stress_field(sol.displacement_um, padded, table, voxel_size_um,
                             sol.macro_strain, scale)
        tractions.append(np.concatenate([face_normal_stress(sigma[ax], ax, low)
                                         for ax, low in enumerate(low_padded)]))
        del sigma
    return InterfaceTractions(
        cam_voxel_index=np.concatenate([cam_voxel_of_face(comp_shape, ax, low, side)
                                        for ax, (low, side) in enumerate(faces)]),
        axis=np.concatenate([np.full(low.size, ax, np.int8)
                             for ax, (low, _) in enumerate(faces)]),
        electrolyte_side=np.concatenate([side for _, side in faces]),
        face_area_um2=np.concatenate([np.full(low.size, area[ax], np.float32)
                                      for ax, (low, _) in enumerate(faces)]),
        traction_unit_strain_mpa=tractions[0],
        traction_eigenstrain_mpa=tractions[1],
        stack_modulus_mpa=load.a_mpa,
        clamped_stress_mpa=load.b_mpa,
    )


def analyze_microstructure_breathing(
    micro: Microstructure,
    *,
    state_of_charge: float = 1.0,
    stack_pressure_mpa: float = 10.0,
    sweep_pressures_mpa: Sequence[float] = DEFAULT_SWEEP_MPA,
    lateral: Lateral = "confined",
    separator_pad_voxels: int = 2,
    bond_strength_mpa: float = 0.0,
    utilization_min_retained_share: float = 0.0,
    particle_ids: np.ndarray | None = None,
    return_fields: bool = False,
    rtol: float = 1e-3,
    progress: Callable[[float], None] | None = None,
) -> BreathingResult:
    """Mechanics stage of a twin: :func:`analyze_breathing` with the phases' materials.

    E, ν and the CAM volume change come from each phase's material (:func:`elastic_inputs`);
    the separator pad uses the first SSE phase's material.

    Parameters
    ----------
    micro : Microstructure
        The volume; z is through-plane, x and y are treated as periodic.
    state_of_charge : float, optional
        0..1; scales each CAM's full-charge volume change (ΔV / 3V linear eigenstrain).
    stack_pressure_mpa : float, optional
        Operating stack pressure in MPa.
    sweep_pressures_mpa : sequence of float, optional
        Stack pressures in MPa at which contact retention is reported.
    lateral : {"confined", "free"}, optional
        Lateral condition of the layer.
    separator_pad_voxels : int, optional
        Voxels of electrolyte stacked on top as the separator.
    bond_strength_mpa : float, optional
        Tensile normal traction in MPa an interface face sustains before opening.
    utilization_min_retained_share : float, optional
        Share (0..1) of its contact area a CAM particle must keep to count as utilized.
    particle_ids : ndarray of int, shape of ``micro``, optional
        CAM particle of each voxel; default face-connected CAM of one label.
    return_fields : bool, optional
        Also keep the stress (MPa), strain and energy density (kJ/m³) fields.
    rtol : float, optional
        Relative residual at which the elastic solves stop.
    progress : callable, optional
        Called with the share of the work done (0–1) as the solves converge.

    Returns
    -------
    BreathingResult
        Strain energy density (kJ/m³), volume change (%), stack pressure change (MPa) and
        contact retention (µm², 0..1), as :func:`analyze_breathing`.

    Examples
    --------
    >>> from cathodetwin.analysis import analyze_microstructure_breathing
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> res = analyze_microstructure_breathing(synthetic_composite((12, 12, 12), seed=1),
    ...                                        sweep_pressures_mpa=(10.0,))
    >>> res.cam_strain_energy_mean_kj_m3 > 0, res.retention_at(10.0).stack_pressure_mpa
    (True, 10.0)
    """
    return analyze_breathing(
        micro.labels,
        elastic_inputs(micro, state_of_charge=state_of_charge),
        voxel_size_um=micro.voxel_size_um,
        stack_pressure_mpa=stack_pressure_mpa,
        sweep_pressures_mpa=sweep_pressures_mpa,
        lateral=lateral,
        separator_pad_voxels=separator_pad_voxels,
        bond_strength_mpa=bond_strength_mpa,
        utilization_min_retained_share=utilization_min_retained_share,
        particle_ids=particle_ids,
        return_fields=return_fields,
        rtol=rtol,
        progress=progress,
    )
