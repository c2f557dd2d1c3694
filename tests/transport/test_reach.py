"""Entry reach: a dead-end network conducts over the depth it reaches from its entry face."""

import numpy as np
import pytest

from cathodetwin.analysis.transport import entry_reach, ionic_and_electronic
from cathodetwin.materials import get_material
from cathodetwin.structure.microstructure import Microstructure, Phase

PHASES = (Phase(0, "pore", "pore", None), Phase(1, "NCM811", "CAM", "NCM811"),
          Phase(2, "Li6PS5Cl", "SSE", "Li6PS5Cl"))
SIGMA_SSE = get_material("Li6PS5Cl").pellet_ionic_conductivity_s_cm  # voxels: pellet σ


def _column(bottom: int, nz: int = 40) -> Microstructure:
    """CAM block with a 6 × 6 voxel SSE column from z index ``bottom`` to the separator face."""
    labels = np.ones((20, 20, nz), np.uint8)
    labels[7:13, 7:13, bottom:] = 2
    return Microstructure(labels, (0.25, 0.25, 0.25), PHASES, {"periodic_xy": True})


def test_dead_end_column_conducts_over_its_depth():
    micro = _column(bottom=16)
    assert not ionic_and_electronic(micro).ionic[0].percolating  # no path to the collector
    reach = entry_reach(micro)
    assert reach.depth_um == pytest.approx(24 * 0.25)
    assert reach.reached_share_of_thickness == pytest.approx(0.6)
    # a straight column of cross-section share 36/400 over the slab: σ = σ0 · 0.09
    assert reach.effective_conductivity_s_cm == pytest.approx(SIGMA_SSE * 36 / 400, rel=1e-4)
    assert reach.tortuosity_factor == pytest.approx(1.0, rel=1e-4)


def test_spanning_column_reaches_the_whole_thickness_and_nothing_reached_is_zero():
    full = entry_reach(_column(bottom=0))
    assert full.reached_share_of_thickness == 1.0
    assert full.effective_conductivity_s_cm == pytest.approx(SIGMA_SSE * 36 / 400, rel=1e-4)
    micro = _column(bottom=0)
    micro.labels[:, :, -1] = 1  # CAM seals the separator face
    none = entry_reach(micro)
    assert none.depth_um == 0.0 and none.effective_conductivity_s_cm == 0.0
    with pytest.raises(ValueError, match="carrier"):
        entry_reach(micro, carrier="protons")


def test_electrons_enter_from_the_collector():
    # SSE matrix with a CAM column standing on the collector up to 10 of 40 layers
    labels = np.full((20, 20, 40), 2, np.uint8)
    labels[7:13, 7:13, :10] = 1
    micro = Microstructure(labels, (0.25, 0.25, 0.25), PHASES, {"periodic_xy": True})
    reach = entry_reach(micro, carrier="electronic")
    assert reach.to_dict()["entry_face"] == "collector"
    assert reach.depth_um == pytest.approx(10 * 0.25)
    sigma_cam = get_material("NCM811").electronic_conductivity_s_cm
    assert reach.effective_conductivity_s_cm == pytest.approx(sigma_cam * 36 / 400, rel=1e-4)
    assert entry_reach(micro).depth_um == pytest.approx(40 * 0.25)  # SSE spans: ions everywhere
