"""Ionic and electronic conduction of a Microstructure with library conductivities."""

import json

import numpy as np
import pytest

from cathodetwin.analysis.transport import carrier_conductivities, ionic_and_electronic
from cathodetwin.materials import get_material
from cathodetwin.structure.microstructure import Microstructure, Phase

PHASES = (
    Phase(0, "pore", "pore"),
    Phase(1, "NCM811", "CAM", "NCM811"),
    Phase(2, "LPSCl", "SSE", "Li6PS5Cl"),
    Phase(3, "VGCF", "carbon", "VGCF"),
    Phase(4, "LPSCl shell", "shell", "Li6PS5Cl"),
)


def _columns() -> Microstructure:
    """Straight columns along z: CAM, SSE, carbon and shell side by side, the rest pore."""
    labels = np.zeros((12, 10, 16), dtype=np.uint8)
    labels[0:4] = 1
    labels[4:7] = 2
    labels[7:8] = 3
    labels[8:10] = 4
    return Microstructure(labels, (0.5, 0.5, 0.5), PHASES)


def test_library_conductivities_by_carrier():
    micro = _columns()
    ionic = carrier_conductivities(micro, "ionic")
    electronic = carrier_conductivities(micro, "electronic")
    assert ionic == {2: get_material("Li6PS5Cl").pellet_ionic_conductivity_s_cm,
                     4: get_material("Li6PS5Cl").pellet_ionic_conductivity_s_cm}
    assert electronic == {1: get_material("NCM811").electronic_conductivity_s_cm,
                          3: get_material("VGCF").electronic_conductivity_s_cm}


def test_parallel_columns_give_volume_weighted_conductivity():
    micro = _columns()
    result = ionic_and_electronic(micro, axes=(2, 0))
    ionic_z, ionic_x = result.ionic
    sigma_se = get_material("Li6PS5Cl").pellet_ionic_conductivity_s_cm
    assert ionic_z.effective_conductivity_s_cm == pytest.approx(sigma_se * 5 / 12, rel=1e-6)
    assert ionic_z.tortuosity_factor == pytest.approx(1.0, rel=1e-6)
    assert not ionic_x.percolating  # SSE and shell columns are separated by carbon along x
    electronic_z = result.electronic[0]
    sigma_cam = get_material("NCM811").electronic_conductivity_s_cm
    sigma_c = get_material("VGCF").electronic_conductivity_s_cm
    expected = (4 * sigma_cam + 1 * sigma_c) / 12  # contrast 10⁶, in parallel
    assert electronic_z.effective_conductivity_s_cm == pytest.approx(expected, rel=1e-6)
    assert electronic_z.flux_mismatch < 1e-3
    summary = result.to_dict()
    assert set(summary) == {"ionic", "electronic"} and set(summary["ionic"]) == {"z", "x"}
    json.dumps(summary, allow_nan=False)


def test_overrides_replace_library_values():
    micro = _columns()
    result = ionic_and_electronic(micro, conductivities={"ionic": {2: 1.0, 4: 0.0}})
    assert result.ionic[0].effective_conductivity_s_cm == pytest.approx(3 / 12, rel=1e-6)


def test_missing_material_and_bad_keys_raise():
    labels = np.full((4, 4, 4), 2, dtype=np.uint8)
    micro = Microstructure(labels, (1.0, 1.0, 1.0), (Phase(2, "SE", "SSE"),))
    with pytest.raises(ValueError, match="no material"):
        ionic_and_electronic(micro)
    with pytest.raises(ValueError, match="conductivities keys"):
        ionic_and_electronic(_columns(), conductivities={"protonic": {2: 1.0}})
    with pytest.raises(ValueError, match="carrier"):
        carrier_conductivities(_columns(), "thermal")
