"""Contact loss from CAM breathing, per particle: the share of each CAM particle's
CAM–electrolyte contact area that still holds after a charge at a stack pressure; the
mechanics stage's per-face tractions saved beside a build so that a resumed build has them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cathodetwin.analysis.mechanics.contact import InterfaceTractions
from cathodetwin.atomic import atomic_file

_ARRAYS = ("cam_voxel_index", "axis", "electrolyte_side", "face_area_um2",
           "traction_unit_strain_mpa", "traction_eigenstrain_mpa")
_SCALARS = ("stack_modulus_mpa", "clamped_stress_mpa")


def retained_contact_share(
    tractions: InterfaceTractions, particle_ids: np.ndarray, n_particles: int,
    stack_pressure_mpa: float, *, bond_strength_mpa: float = 0.0,
) -> np.ndarray:
    """Kept share (0..1) of each packing particle's CAM–electrolyte face area after charge.

    A face holds while its normal traction after charge at ``stack_pressure_mpa`` (MPa) is at
    most ``bond_strength_mpa`` (the mechanics stage's rule); ``particle_ids`` is the voxel →
    packing particle map (−1 none). Particles without faces keep share 1.
    """
    owner = particle_ids.reshape(-1)[tractions.cam_voxel_index]
    valid = owner >= 0
    area = tractions.face_area_um2.astype(np.float64)
    kept = tractions.normal_traction_after_charge_mpa(float(stack_pressure_mpa)) \
        <= bond_strength_mpa
    total = np.bincount(owner[valid], area[valid], n_particles)
    held = np.bincount(owner[valid & kept], area[valid & kept], n_particles)
    return np.where(total > 0, held / np.maximum(total, 1e-300), 1.0)


def save_tractions(path: str | Path, tractions: InterfaceTractions) -> None:
    """Write the per-face tractions (arrays and the two superposition constants) as .npz."""
    data = {name: getattr(tractions, name) for name in _ARRAYS}
    data |= {name: np.float64(getattr(tractions, name)) for name in _SCALARS}
    with atomic_file(path, "wb") as fh:
        np.savez(fh, **data)


def load_tractions(path: str | Path) -> InterfaceTractions:
    """Read tractions written by :func:`save_tractions`."""
    with np.load(path) as data:
        return InterfaceTractions(**{name: data[name] for name in _ARRAYS},
                                  **{name: float(data[name]) for name in _SCALARS})
