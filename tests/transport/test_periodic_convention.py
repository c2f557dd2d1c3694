"""One boundary convention: a generated twin's voxel transport is periodic laterally."""

from __future__ import annotations

import numpy as np

from cathodetwin.analysis.transport.conduction import effective_conductivity
from cathodetwin.analysis.transport.measure import measure_transport
from cathodetwin.structure.microstructure import Microstructure, Phase

PHASES = (Phase(0, "pore", "pore"), Phase(1, "LPSCl", "SSE", "Li6PS5Cl"))


def _wrapped_path(periodic_xy: bool) -> Microstructure:
    """SSE slab at x = 0 for z ≤ 4, at x = n−1 for z ≥ 4: joined only across the x face, in
    the layer z = 4."""
    labels = np.zeros((8, 4, 8), np.uint8)
    labels[0, :, :5] = 1
    labels[-1, :, 4:] = 1
    return Microstructure(labels, (0.5, 0.5, 0.5), PHASES, {"periodic_xy": periodic_xy})


def test_path_only_across_a_lateral_face_conducts_in_a_generated_twin():
    """Periodic twin: the path that hops across the x face conducts exactly like the same path
    shifted into the interior (x = 3 → 4, no face crossed): periodicity is translation
    invariance. Not periodic (an imported image): no path, σ = 0."""
    twin = measure_transport(_wrapped_path(True), threads=1)
    image = measure_transport(_wrapped_path(False), threads=1)
    shifted = np.roll(_wrapped_path(False).labels, 4, axis=0)  # slabs at x = 4 and x = 3
    interior = effective_conductivity(shifted, {1: twin.along("ionic", 2).bulk_conductivity_s_cm},
                                      voxel_size_um=0.5, threads=1)
    assert twin.ionic_conductivity_source == "voxels"
    assert twin.along("ionic", 2).periodic and not image.along("ionic", 2).periodic
    assert twin.ionic_conductivity_s_cm > 0.0
    assert np.isclose(twin.ionic_conductivity_s_cm, interior.effective_conductivity_s_cm,
                      rtol=1e-4)
    assert image.ionic_conductivity_s_cm == 0.0
