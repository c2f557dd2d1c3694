"""CAM breathing in a stacked composite: strain energy, stack pressure, contact retention.

Two periodic solves on the labelled volume, with a thin electrolyte separator layer added on
top (so the stack repeats through-plane: current collector side of one cathode against the
separator of the next): (A) a unit through-plane macro strain without eigenstrain and (B) the
CAM eigenstrain with the height held. Lateral macro strains are zero ("confined": a pellet in
a die or a layer bonded to its foil) or lateral mean stresses are zero ("free"). Linear
elasticity lets every state be a sum s_B + c * s_A, so any stack pressure costs no new solve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from cathodetwin.analysis.mechanics.phase_properties import elastic_inputs
from cathodetwin.analysis.mechanics.solver import (
    ElasticSolution,
    label_elasticity,
    solve_elasticity,
    strain_field,
    stress_field,
)
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
class BreathingResult:
    """Mechanics of CAM volume change at one state of charge and a stack-pressure sweep."""

    stack_pressure_mpa: float
    lateral: str
    separator_pad_voxels: int
    bond_strength_mpa: float
    utilization_min_retained_share: float
    strain_energy: tuple[PhaseStrainEnergy, ...]
    cam_strain_energy_mean_kj_m3: float | None
    electrolyte_strain_energy_mean_kj_m3: float | None
    electrolyte_interface_strain_energy: dict[str, float] | None
    composite_volume_change_percent: float
    composite_through_plane_modulus_gpa: float
    stack_pressure_change_fixed_height_mpa: float
    interface: InterfaceTractions
    retention: tuple[ContactRetention, ...]
    cam_utilization_before_charge_volume_fraction: float | None
    cam_utilization_before_charge_particle_fraction: float | None
    unit_strain_solution: ElasticSolution
    eigenstrain_solution: ElasticSolution
    fields: MechanicsFields | None = None

    def retention_at(self, stack_pressure_mpa: float) -> ContactRetention:
        """The sweep entry for one stack pressure."""
        for r in self.retention:
            if r.stack_pressure_mpa == stack_pressure_mpa:
                return r
        raise KeyError(f"stack pressure {stack_pressure_mpa} MPa was not in the sweep")

    def to_dict(self) -> dict:
        """JSON-ready summary (fields and per-face arrays left out); units in the keys."""
        return {
            "stack_pressure_mpa": self.stack_pressure_mpa,
            "lateral_condition": self.lateral,
            "separator_pad_voxels": self.separator_pad_voxels,
            "bond_strength_mpa": self.bond_strength_mpa,
            "utilization_min_retained_share": self.utilization_min_retained_share,
            "strain_energy_by_phase": [e.to_dict() for e in self.strain_energy],
            "cam_strain_energy_mean_kj_m3": self.cam_strain_energy_mean_kj_m3,
            "sse_strain_energy_mean_kj_m3": self.electrolyte_strain_energy_mean_kj_m3,
            "sse_interface_strain_energy": self.electrolyte_interface_strain_energy,
            "sse_interface_strain_energy_mean_kj_m3": (
                None if self.electrolyte_interface_strain_energy is None
                else self.electrolyte_interface_strain_energy["mean_kj_m3"]),
            "composite_volume_change_percent": self.composite_volume_change_percent,
            "composite_through_plane_modulus_gpa": self.composite_through_plane_modulus_gpa,
            "stack_pressure_change_fixed_height_mpa": self.stack_pressure_change_fixed_height_mpa,
            "interface_tractions": self.interface.summary(self.stack_pressure_mpa),
            "contact_retention": [r.to_dict() for r in self.retention],
            "cam_utilization_before_charge_volume_fraction":
                self.cam_utilization_before_charge_volume_fraction,
            "cam_utilization_before_charge_particle_fraction":
                self.cam_utilization_before_charge_particle_fraction,
            "solver": {
                "unit_strain": self.unit_strain_solution.to_dict(),
                "eigenstrain": self.eigenstrain_solution.to_dict(),
            },
        }


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
        raise ValueError(f"labels must be a 3D uint8 array, got {labels.dtype} {labels.shape}")
    if len(voxel_size_um) != 3 or any(not h > 0 for h in voxel_size_um):
        raise ValueError(f"voxel_size_um = {voxel_size_um}; allowed: three positive lengths")
    present = np.flatnonzero(np.bincount(labels.ravel(), minlength=256))
    missing = sorted(int(v) for v in present if int(v) not in youngs_modulus_gpa)
    if missing:
        raise ValueError(f"youngs_modulus_gpa: labels {missing} occur in the volume but have "
                         "no modulus (give 0 for pores)")
    bad = [p for p in stack_pressures if not (np.isfinite(p) and p >= 0)]
    if bad:
        raise ValueError(f"stack pressures {bad} MPa; allowed: finite >= 0")
    if lateral not in ("confined", "free"):
        raise ValueError(f"lateral = {lateral!r}; allowed: 'confined' or 'free'")
    if separator_pad_voxels < 0:
        raise ValueError(f"separator_pad_voxels = {separator_pad_voxels}; allowed: >= 0")


def analyze_breathing(
    labels: np.ndarray,
    voxel_size_um: tuple[float, float, float],
    youngs_modulus_gpa: Mapping[int, float],
    poisson_ratio: Mapping[int, float],
    eigenstrain: Mapping[int, float],
    cam_labels: Sequence[int],
    electrolyte_labels: Sequence[int],
    phase_names: Mapping[int, str] | None = None,
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
) -> BreathingResult:
    """Strain energy, volume change, stack pressure change and contact retention on charge.

    labels: uint8 (nx, ny, nz), z through-plane (k = nz-1 faces the separator).
    youngs_modulus_gpa / poisson_ratio per label (0 GPa for pores); eigenstrain per label is
    the isotropic linear strain after charge relative to the assembled state (dV / 3V).
    electrolyte_labels: the ion-conducting phases a CAM face must touch (SSE and shells).
    stack_pressure_mpa: operating pressure for the energy and traction summary;
    sweep_pressures_mpa: pressures at which contact retention is reported.
    separator_label: label whose material fills the separator pad (default: the first
    electrolyte label present in the volume; without one no pad is added).
    bond_strength_mpa: tensile normal traction an interface face sustains before opening.
    utilization_min_retained_share: a CAM particle counts as utilized after charge when more
    than this share of its contact area is retained (0: at least one retained face).
    particle_ids: optional integer volume naming the CAM particle of each voxel; default
    face-connected CAM of one label (x/y periodic).
    """
    pressures = [float(p) for p in sweep_pressures_mpa]
    _check_inputs(labels, voxel_size_um, youngs_modulus_gpa, [*pressures, stack_pressure_mpa],
                  lateral, separator_pad_voxels)
    if not 0.0 <= utilization_min_retained_share < 1.0:
        raise ValueError(f"utilization_min_retained_share = {utilization_min_retained_share};"
                         " allowed: 0 <= share < 1")
    if particle_ids is not None and particle_ids.shape != labels.shape:
        raise ValueError(f"particle_ids shape {particle_ids.shape} != labels {labels.shape}")
    if separator_label is None:
        counts = np.bincount(labels.ravel(), minlength=256)
        present = [int(v) for v in electrolyte_labels if counts[int(v)] > 0]
        separator_label = present[0] if present else None
    pad = separator_pad_voxels if separator_label is not None else 0
    if pad and separator_label not in youngs_modulus_gpa:
        raise ValueError(f"separator_label = {separator_label} has no Young's modulus")
    need = estimate_memory_gib(labels.shape, pad, return_fields)
    have = _available_memory_gib()
    if have is not None and need > have:
        raise MemoryError(f"labels {labels.shape}: the mechanics solve needs ~{need:.1f} GiB, "
                          f"{have:.1f} GiB is available; crop or coarsen the volume")
    names = dict(phase_names or {})
    table = label_elasticity(dict(youngs_modulus_gpa), dict(poisson_ratio), dict(eigenstrain))
    nx, ny, nz = labels.shape
    padded = np.ascontiguousarray(labels)
    if pad:
        padded = np.concatenate([padded, np.full((nx, ny, pad), separator_label, np.uint8)], 2)
    free = lateral == "free"
    control = (free, free, False)
    sol_a = solve_elasticity(padded, table, voxel_size_um, (0, 0, 1.0, 0, 0, 0), control,
                             eigenstrain_scale=0.0, rtol=rtol, max_iterations=max_iterations)
    sol_b = solve_elasticity(padded, table, voxel_size_um, (0.0,) * 6, control,
                             eigenstrain_scale=1.0, rtol=rtol, max_iterations=max_iterations)
    a = float(sol_a.mean_stress_mpa[2])
    b = float(sol_b.mean_stress_mpa[2])
    eps_a = _slab_strain(sol_a, nz, voxel_size_um[2])
    eps_b = _slab_strain(sol_b, nz, voxel_size_um[2])
    # constant pressure: c goes from -P/a to (-P - b)/a on charge
    dc = -b / a
    volume_change = (sol_b.macro_strain[0] + dc * sol_a.macro_strain[0]
                     + sol_b.macro_strain[1] + dc * sol_a.macro_strain[1]
                     + eps_b + dc * eps_a)
    # composite height held: c chosen so that the layer strain stays at its assembled value
    pressure_change_fixed = -(b - a * eps_b / eps_a)

    interface = _interface_tractions(padded, nz, table, voxel_size_um, sol_a, sol_b,
                                     cam_labels, electrolyte_labels, a, b)
    comp = padded[:, :, :nz]
    cam_mask = np.isin(comp, list(cam_labels))
    ids = particle_ids if particle_ids is not None else cam_particles(comp, cam_labels)
    particles = CamParticles.from_ids(ids, cam_mask, interface.cam_voxel_index)
    del cam_mask
    before_volume, before_count = particles.reachable(np.ones(interface.count, bool),
                                                      interface.face_area_um2)
    cam_volume = float(particles.particle_voxels.sum()) * float(np.prod(voxel_size_um))
    retention = contact_retention(interface, particles, pressures, bond_strength_mpa,
                                  utilization_min_retained_share, cam_volume)

    c1 = (-stack_pressure_mpa - b) / a
    u = sol_b.displacement_um + np.float32(c1) * sol_a.displacement_um
    macro = sol_b.macro_strain + c1 * sol_a.macro_strain
    sigma = stress_field(u, padded, table, voxel_size_um, macro, 1.0)
    energy = energy_density_mpa(sigma, padded, table)[:, :, :nz]
    fields = None
    if return_fields:
        fields = MechanicsFields(
            stress_mpa=np.ascontiguousarray(sigma[:, :, :, :nz]),
            strain=np.ascontiguousarray(strain_field(u, macro, voxel_size_um)[:, :, :, :nz]),
            strain_energy_density_kj_m3=np.ascontiguousarray(energy) * np.float32(MPA_TO_KJ_M3),
        )
    del sigma, u
    return BreathingResult(
        stack_pressure_mpa=float(stack_pressure_mpa),
        lateral=lateral,
        separator_pad_voxels=pad,
        bond_strength_mpa=float(bond_strength_mpa),
        utilization_min_retained_share=float(utilization_min_retained_share),
        strain_energy=phase_strain_energy(energy, comp, names, histogram_bins),
        cam_strain_energy_mean_kj_m3=mean_energy_kj_m3(energy, comp, list(cam_labels)),
        electrolyte_strain_energy_mean_kj_m3=mean_energy_kj_m3(
            energy, comp, list(electrolyte_labels)),
        electrolyte_interface_strain_energy=voxel_energy_stats(
            energy, interface.electrolyte_voxels(comp.shape)),
        composite_volume_change_percent=100.0 * float(volume_change),
        composite_through_plane_modulus_gpa=a / eps_a / 1e3,
        stack_pressure_change_fixed_height_mpa=float(pressure_change_fixed),
        interface=interface,
        retention=retention,
        cam_utilization_before_charge_volume_fraction=before_volume,
        cam_utilization_before_charge_particle_fraction=before_count,
        unit_strain_solution=sol_a,
        eigenstrain_solution=sol_b,
        fields=fields,
    )


def _interface_tractions(padded, nz, table, voxel_size_um, sol_a, sol_b, cam_labels,
                         electrolyte_labels, a, b) -> InterfaceTractions:
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
    for sol, scale in ((sol_a, 0.0), (sol_b, 1.0)):
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
        stack_modulus_mpa=a,
        clamped_stress_mpa=b,
    )


def analyze_microstructure_breathing(
    micro: Microstructure,
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
) -> BreathingResult:
    """analyze_breathing with E, nu and CAM volume change from the material library.

    state_of_charge in [0, 1] scales each CAM's full-charge volume change (dV / 3V linear
    eigenstrain); the separator pad uses the first SSE phase's material.
    """
    inputs = elastic_inputs(micro, state_of_charge)
    return analyze_breathing(
        micro.labels,
        micro.voxel_size_um,
        inputs.youngs_modulus_gpa,
        inputs.poisson_ratio,
        inputs.eigenstrain,
        inputs.cam_labels,
        inputs.electrolyte_labels,
        phase_names=inputs.names,
        stack_pressure_mpa=stack_pressure_mpa,
        sweep_pressures_mpa=sweep_pressures_mpa,
        lateral=lateral,
        separator_pad_voxels=separator_pad_voxels,
        bond_strength_mpa=bond_strength_mpa,
        utilization_min_retained_share=utilization_min_retained_share,
        particle_ids=particle_ids,
        return_fields=return_fields,
        rtol=rtol,
    )
