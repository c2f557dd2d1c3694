"""Phase volume fractions, porosity and (from library densities) weight fractions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cathodetwin.errors import InputError
from cathodetwin.records import Record
from cathodetwin.structure.microstructure import Microstructure


@dataclass(frozen=True)
class PhaseFractions(Record):
    """Volume fraction of each phase and role, porosity, and weight % of the solids."""

    volume_fraction: dict[str, float]  # per phase name, of the whole volume
    role_volume_fraction: dict[str, float]  # per role
    porosity: float
    weight_percent: dict[str, float] | None  # per solid phase; None if a solid has no material
    volume_um3: float


def phase_fractions(micro: Microstructure) -> PhaseFractions:
    """Volume fraction (0..1) of every phase and role, porosity, and weight % of the solids.

    Parameters
    ----------
    micro : Microstructure
        The volume; every label in it must be in its phase legend.

    Returns
    -------
    PhaseFractions
        Volume fraction (0..1) per phase name and per role, porosity (0..1), weight % per solid
        phase from its material's density (None if a solid phase has no material) and the
        volume in µm³.

    Examples
    --------
    >>> from cathodetwin.analysis import phase_fractions
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> fr = phase_fractions(synthetic_composite((24, 24, 24), cam_fraction=0.5, porosity=0.1))
    >>> round(float(fr.role_volume_fraction["CAM"]), 2), round(float(fr.porosity), 2)
    (0.5, 0.1)
    >>> fr.volume_um3
    216.0
    """
    counts = np.bincount(micro.labels.ravel(), minlength=256).astype(np.float64)
    unknown = sorted(set(np.flatnonzero(counts).tolist()) - {p.label for p in micro.phases})
    if unknown:
        raise InputError(f"labels {unknown} occur in the volume but are not in the phase legend")
    n = float(micro.labels.size)
    vf = {p.name: counts[p.label] / n for p in micro.phases}
    roles: dict[str, float] = {}
    for p in micro.phases:
        roles[p.role] = roles.get(p.role, 0.0) + vf[p.name]
    solids = [p for p in micro.phases if p.role != "pore" and counts[p.label] > 0]
    weight = None
    if solids and all(p.material is not None for p in solids):
        mass = {p.name: vf[p.name] * p.material.density_g_cm3  # type: ignore[union-attr]
                for p in solids}
        total = sum(mass.values())
        weight = {k: 100.0 * v / total for k, v in mass.items()}
    return PhaseFractions(
        volume_fraction=vf,
        role_volume_fraction=roles,
        porosity=roles.get("pore", 0.0),
        weight_percent=weight,
        volume_um3=n * micro.voxel_volume_um3,
    )
