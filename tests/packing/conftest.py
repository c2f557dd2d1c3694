"""Small powders shared by the packing tests (a few hundred particles each)."""

from __future__ import annotations

import pytest
from packing_support import composite_recipe

from cathodetwin.packing import CompactionSettings, Packing, Powder, compact, sample_powder


@pytest.fixture(scope="session")
def composite_powder() -> Powder:
    return sample_powder(composite_recipe())


@pytest.fixture(scope="session")
def composite_packing(composite_powder: Powder) -> Packing:
    return compact(composite_powder, composite_recipe().processing, settings=CompactionSettings())
