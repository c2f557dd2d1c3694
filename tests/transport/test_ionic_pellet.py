"""A twin of the pure cold-pressed Li6PS5Cl pellet reproduces the pellet σ it was calibrated on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cathodetwin.analysis.transport.ionic_network import ionic_network
from cathodetwin.materials import get_material
from cathodetwin.packing.build import build_packing

_SPEC = importlib.util.spec_from_file_location(
    "ionic_pellet", Path(__file__).parents[2] / "benchmarks" / "ionic_pellet.py")
ionic_pellet = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(ionic_pellet)


@pytest.mark.slow
def test_pellet_twin_gives_the_pellet_conductivity_within_20_percent():
    """Grain σ + calibrated GB ASR on the pellet twin → pellet σ (±20 %); no GB → above it."""
    lpscl = get_material("Li6PS5Cl")
    packing = build_packing(ionic_pellet.pellet_recipe())
    sigma = ionic_network(packing).effective_conductivity_s_cm
    assert sigma == pytest.approx(lpscl.pellet_ionic_conductivity_s_cm, rel=0.2)
    free = ionic_network(packing, grain_boundary_asr_ohm_cm2=0.0).effective_conductivity_s_cm
    assert free > 1.2 * lpscl.pellet_ionic_conductivity_s_cm
