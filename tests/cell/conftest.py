"""Shared twins for the cell tests: a well-connected and a poorly connected NCM811 cathode."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cathodetwin.cell import CellInputs, RateResult, simulate_rates


def make_good_twin() -> CellInputs:
    """NCM811/LPSCl, 60 µm, 5 µm radius, σ_ion 1e-4 S/cm, 95 % utilized."""
    return CellInputs(
        cam_material="NCM811",
        cam_volume_fraction=0.6,
        cam_utilization=0.95,
        sse_volume_fraction=0.3,
        porosity=0.05,
        ionic_conductivity_eff_s_cm=1e-4,
        electronic_conductivity_eff_s_cm=1e-2,
        specific_cam_sse_area_per_um=0.15,
        cam_classes=((5.0, 1.0),),
        thickness_um=60.0,
    )


@pytest.fixture(scope="session")
def good_twin() -> CellInputs:
    return make_good_twin()


@pytest.fixture(scope="session")
def poor_twin() -> CellInputs:
    return replace(make_good_twin(), ionic_conductivity_eff_s_cm=1e-5, cam_utilization=0.7)


@pytest.fixture(scope="session")
def good_rates(good_twin: CellInputs) -> RateResult:
    return simulate_rates(good_twin)


@pytest.fixture(scope="session")
def poor_rates(poor_twin: CellInputs) -> RateResult:
    return simulate_rates(poor_twin)
