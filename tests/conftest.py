"""Hand-built packings for voxelization and image tests."""

from __future__ import annotations

import numpy as np
import pytest

from cathodetwin.packing import Fibers, Packing


def build_packing(
    centers: list, radii: list, components: list, *, box: tuple = (10.0, 10.0, 10.0),
    names: tuple = ("NCM", "LPSCl", "VGCF"), roles: tuple = ("CAM", "SSE", "carbon"),
    materials: tuple = ("NCM811", "Li6PS5Cl", "VGCF"), shell: list | None = None,
    coverage: list | None = None, buffer: list | None = None, fibers: Fibers | None = None,
) -> Packing:
    """Packing from plain lists; shells are Li6PS5Cl, buffers LiNbO3 on the first component."""
    n = len(radii)
    k = len(names)
    return Packing(
        box_um=box,
        center_um=np.asarray(centers, float).reshape(n, 3),
        radius_um=np.asarray(radii, float),
        component=np.asarray(components, np.int16),
        component_names=names,
        component_roles=roles,
        component_materials=materials,
        shell_thickness_um=np.zeros(n) if shell is None else np.asarray(shell, float),
        coverage=np.zeros(n) if coverage is None else np.asarray(coverage, float),
        buffer_thickness_um=np.zeros(n) if buffer is None else np.asarray(buffer, float),
        fibers=fibers if fibers is not None else Fibers.empty(),
        shell_materials=("Li6PS5Cl",) + (None,) * (k - 1),
        buffer_materials=("LiNbO3",) + (None,) * (k - 1),
    )


@pytest.fixture
def make_packing():
    """Factory fixture: ``make_packing(centers, radii, components, **options)``."""
    return build_packing
