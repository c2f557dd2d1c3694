"""Measurements on a Microstructure (and its Packing): structure, transport, mechanics.

The three stage functions give everything a build records: :func:`measure_structure`
(geometry), :func:`measure_transport` (ions and electrons) and
:func:`analyze_microstructure_breathing` (CAM volume change). Each part is also public:
geometric analyses on a Microstructure and their array functions (a mask or labels with
``voxel_size_um``), transport solves, and the mechanics on explicit elastic inputs.
Results are frozen dataclasses with ``to_dict()`` (units in the keys).

Every function here takes its data first (a Microstructure, a Packing or an array) and its
options by keyword, and documents units and a runnable example (docs/architecture.md,
"Public functions"). Lower-level pieces stay in the subpackages: ``analysis.geometry``,
``analysis.transport`` (solvers, contact network), ``analysis.mechanics`` (elastic solver).

Examples
--------
>>> from cathodetwin.analysis import measure_structure, tortuosity_factor
>>> from cathodetwin.structure.synthetic import synthetic_composite
>>> micro = synthetic_composite((24, 24, 24), seed=1)
>>> round(float(measure_structure(micro).fractions.porosity), 2)
0.13
>>> tortuosity_factor(micro, conducting=("SSE",)).percolating
True
"""

from cathodetwin.analysis.geometry.connectivity import ConnectivityReport, connectivity_report
from cathodetwin.analysis.geometry.distance import distance_transform
from cathodetwin.analysis.geometry.fractions import PhaseFractions, phase_fractions
from cathodetwin.analysis.geometry.interfaces import InterfaceAreas, interface_areas
from cathodetwin.analysis.geometry.labels import label_periodic
from cathodetwin.analysis.geometry.particle_paths import (
    ParticlePathTortuosity,
    particle_path_tortuosity,
)
from cathodetwin.analysis.geometry.particles import (
    CamParticleIds,
    cam_particle_ids,
    separate_particles,
)
from cathodetwin.analysis.geometry.paths import (
    GeometricTortuosity,
    geometric_tortuosity,
    path_lengths_um,
)
from cathodetwin.analysis.geometry.pores import PoreSizes, local_thickness_um, pore_sizes
from cathodetwin.analysis.mechanics.breathing import (
    BreathingResult,
    analyze_breathing,
    analyze_microstructure_breathing,
)
from cathodetwin.analysis.mechanics.phase_properties import PhaseElasticInputs, elastic_inputs
from cathodetwin.analysis.structure_metrics import StructureMetrics, measure_structure
from cathodetwin.analysis.transport.carriers import ionic_and_electronic
from cathodetwin.analysis.transport.conduction import effective_conductivity, tortuosity_factor
from cathodetwin.analysis.transport.contact_network import (
    ContactNetworkResult,
    electronic_contact_network,
)
from cathodetwin.analysis.transport.measure import TransportMetrics, measure_transport
from cathodetwin.analysis.transport.reach import EntryReach, entry_reach
from cathodetwin.analysis.transport.results import CarrierTransport, ConductionResult
from cathodetwin.analysis.utilization import (
    ParticleUtilization,
    VoxelUtilization,
    particle_utilization,
    voxel_utilization,
)

__all__ = [
    # stages
    "measure_structure",
    "StructureMetrics",
    "measure_transport",
    "TransportMetrics",
    "analyze_microstructure_breathing",
    "BreathingResult",
    # geometry
    "phase_fractions",
    "PhaseFractions",
    "connectivity_report",
    "ConnectivityReport",
    "interface_areas",
    "InterfaceAreas",
    "pore_sizes",
    "PoreSizes",
    "local_thickness_um",
    "geometric_tortuosity",
    "GeometricTortuosity",
    "path_lengths_um",
    "particle_path_tortuosity",
    "ParticlePathTortuosity",
    "cam_particle_ids",
    "CamParticleIds",
    "separate_particles",
    "distance_transform",
    "label_periodic",
    # utilization
    "particle_utilization",
    "ParticleUtilization",
    "voxel_utilization",
    "VoxelUtilization",
    # transport
    "tortuosity_factor",
    "effective_conductivity",
    "ConductionResult",
    "ionic_and_electronic",
    "CarrierTransport",
    "electronic_contact_network",
    "ContactNetworkResult",
    "entry_reach",
    "EntryReach",
    # mechanics
    "elastic_inputs",
    "PhaseElasticInputs",
    "analyze_breathing",
]
