"""Voxel elasticity with CAM eigenstrain: strain energy, stack pressure, contact retention."""

from cathodetwin.analysis.mechanics.breathing import (
    DEFAULT_SWEEP_MPA,
    BreathingResult,
    MechanicsFields,
    analyze_breathing,
    analyze_microstructure_breathing,
    estimate_memory_gib,
)
from cathodetwin.analysis.mechanics.contact import (
    CamParticles,
    ContactRetention,
    InterfaceTractions,
    cam_particles,
    contact_retention,
)
from cathodetwin.analysis.mechanics.energy import PhaseStrainEnergy
from cathodetwin.analysis.mechanics.phase_properties import PhaseElasticInputs, elastic_inputs
from cathodetwin.analysis.mechanics.solver import (
    ElasticSolution,
    LabelElasticity,
    label_elasticity,
    solve_elasticity,
    strain_field,
    stress_field,
)

__all__ = [
    "DEFAULT_SWEEP_MPA",
    "BreathingResult",
    "CamParticles",
    "ContactRetention",
    "ElasticSolution",
    "InterfaceTractions",
    "LabelElasticity",
    "MechanicsFields",
    "PhaseElasticInputs",
    "PhaseStrainEnergy",
    "analyze_breathing",
    "analyze_microstructure_breathing",
    "cam_particles",
    "contact_retention",
    "elastic_inputs",
    "estimate_memory_gib",
    "label_elasticity",
    "solve_elasticity",
    "strain_field",
    "stress_field",
]
