"""Transport: tortuosity factor and effective conductivity of voxel volumes.

Two-phase mode (:func:`tortuosity_factor`) and multi-phase mode (:func:`effective_conductivity`)
solve steady conduction between two opposite faces with a multigrid-preconditioned conjugate
gradient solver; :func:`ionic_and_electronic` applies them to a cathode Microstructure with
conductivities from the material library; :func:`electronic_contact_network` solves electron
conduction on a packing's contact network (sub-voxel carbon fibres and thin shells).
"""

from cathodetwin.analysis.transport.carriers import carrier_conductivities, ionic_and_electronic
from cathodetwin.analysis.transport.conduction import (
    effective_conductivity,
    required_memory_bytes,
    tortuosity_factor,
)
from cathodetwin.analysis.transport.contact_network import (
    ContactNetworkResult,
    electronic_contact_network,
)
from cathodetwin.analysis.transport.reach import EntryReach, entry_reach
from cathodetwin.analysis.transport.results import CarrierTransport, ConductionResult

__all__ = [
    "CarrierTransport",
    "ConductionResult",
    "ContactNetworkResult",
    "EntryReach",
    "carrier_conductivities",
    "effective_conductivity",
    "electronic_contact_network",
    "entry_reach",
    "ionic_and_electronic",
    "required_memory_bytes",

    "tortuosity_factor",
]
