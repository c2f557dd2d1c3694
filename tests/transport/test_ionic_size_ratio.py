"""At 80 wt% CAM, ionic access utilization falls as the electrolyte coarsens (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cathodetwin.analysis.transport.ionic_network import ionic_network
from cathodetwin.packing.build import build_packing
from cathodetwin.recipe import load_recipe

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.slow
def test_access_utilization_falls_as_the_sse_coarsens():
    """SSE D50 = 0.5×, 1×, 2× CAM D50: CAM volume with access number N ≤ 5, 10, 20 strictly
    falls (measured 0.15/0.12/0.10, 0.49/0.30/0.22, 0.94/0.64/0.44)."""
    shares = []
    for stem in ("size_ratio_sse05x", "size_ratio_sse1x", "size_ratio_sse2x"):
        net = ionic_network(build_packing(load_recipe(EXAMPLES / f"{stem}.toml")))
        shares.append([net.utilization_at(n) for n in (5.0, 10.0, 20.0)])
    for fine, middle, coarse in zip(*shares, strict=True):
        assert fine > middle > coarse, shares
