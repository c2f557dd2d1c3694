"""One boundary convention: a generated twin's voxel transport is periodic laterally."""

from __future__ import annotations

import numpy as np

from cathodetwin.analysis.transport.measure import measure_transport
from cathodetwin.structure.microstructure import Microstructure, Phase

PHASES = (Phase(0, "pore", "pore"), Phase(1, "LPSCl", "SSE", "Li6PS5Cl"))


def _wrapped_path(periodic_xy: bool) -> Microstructure:
    """SSE column at x = 0 below mid-height, at x = n−1 above: joined only across the x face."""
    labels = np.zeros((8, 4, 8), np.uint8)
    labels[0, :, :4] = 1
    labels[-1, :, 4:] = 1
    return Microstructure(labels, (0.5, 0.5, 0.5), PHASES, {"periodic_xy": periodic_xy})


def test_path_only_across_a_lateral_face_conducts_in_a_generated_twin():
    """Periodic twin: the wrapped column conducts with half the box cross-section in series
    of two columns, 1/8 of the area each → σ_eff = σ0/8; an imported image (not periodic): 0."""
    twin = measure_transport(_wrapped_path(True), threads=1)
    image = measure_transport(_wrapped_path(False), threads=1)
    sigma0 = twin.along("ionic", 2).bulk_conductivity_s_cm
    assert twin.ionic_conductivity_source == "voxels"
    assert twin.along("ionic", 2).periodic
    assert np.isclose(twin.ionic_conductivity_s_cm, sigma0 / 8, rtol=1e-3)
    assert image.ionic_conductivity_s_cm == 0.0
    assert not image.along("ionic", 2).periodic
