"""CAM–electrolyte interface faces, their normal tractions, and contact retention under load."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cathodetwin.analysis.geometry.labels import label_periodic
from cathodetwin.errors import InputError
from cathodetwin.records import Record, key


@dataclass(frozen=True)
class InterfaceTractions:
    """Normal traction (MPa, tension positive) on every CAM–electrolyte voxel face.

    Linear in the loads: traction = t_eigen + c * t_unit, where c is the through-plane macro
    strain of the state; after charge at stack pressure P, c = (-P - clamped_stress_mpa) /
    stack_modulus_mpa, before charge c = -P / stack_modulus_mpa.
    """

    cam_voxel_index: np.ndarray
    axis: np.ndarray
    electrolyte_side: np.ndarray
    face_area_um2: np.ndarray
    traction_unit_strain_mpa: np.ndarray
    traction_eigenstrain_mpa: np.ndarray
    stack_modulus_mpa: float
    clamped_stress_mpa: float

    @property
    def count(self) -> int:
        """Number of CAM–electrolyte faces."""
        return int(self.axis.size)

    def electrolyte_voxels(self, shape: tuple[int, int, int]) -> np.ndarray:
        """Flat indices in a ``shape`` volume of the electrolyte voxels at CAM faces, once each."""
        coords = list(np.unravel_index(self.cam_voxel_index, shape))
        for axis in range(3):
            step = np.where(self.axis == axis, self.electrolyte_side, 0)
            coords[axis] = (coords[axis] + step) % shape[axis]
        return np.unique(np.ravel_multi_index(coords, shape))

    def normal_traction_after_charge_mpa(self, stack_pressure_mpa: float) -> np.ndarray:
        """Face tractions (MPa) after charge while the stack pressure is held at P."""
        c = (-stack_pressure_mpa - self.clamped_stress_mpa) / self.stack_modulus_mpa
        return self.traction_eigenstrain_mpa + np.float32(c) * self.traction_unit_strain_mpa

    def normal_traction_before_charge_mpa(self, stack_pressure_mpa: float) -> np.ndarray:
        """Face tractions (MPa) in the assembled (discharged) state under stack pressure P."""
        c = -stack_pressure_mpa / self.stack_modulus_mpa
        return np.float32(c) * self.traction_unit_strain_mpa

    def to_dict(self) -> dict:
        """Face count, contact area and the two superposition constants (arrays left out)."""
        return {
            "face_count": self.count,
            "contact_area_um2": float(self.face_area_um2.sum(dtype=np.float64)),
            "stack_modulus_mpa": self.stack_modulus_mpa,
            "clamped_stress_mpa": self.clamped_stress_mpa,
        }

    def summary(self, stack_pressure_mpa: float) -> dict:
        """to_dict plus traction percentiles (MPa) after charge at stack pressure P."""
        out = self.to_dict() | {"stack_pressure_mpa": float(stack_pressure_mpa)}
        if self.count:
            t = self.normal_traction_after_charge_mpa(stack_pressure_mpa)
            q = np.percentile(t, [5, 50, 95])
            out |= {
                "traction_after_charge_mean_mpa": float(np.mean(t, dtype=np.float64)),
                "traction_after_charge_p5_mpa": float(q[0]),
                "traction_after_charge_p50_mpa": float(q[1]),
                "traction_after_charge_p95_mpa": float(q[2]),
            }
        return out


@dataclass(frozen=True)
class ContactRetention(Record):
    """Contact state after charge at one stack pressure and the CAM that stays reachable.

    Fractions are None when there is no CAM–electrolyte contact.
    """

    stack_pressure_mpa: float
    retained_area_fraction: float | None = field(metadata=key("retained_contact_area_fraction"))
    retained_area_um2: float = field(metadata=key("retained_contact_area_um2"))
    opened_area_um2: float = field(metadata=key("opened_contact_area_um2"))
    cam_utilization_volume_fraction: float | None
    cam_utilization_particle_fraction: float | None
    retained_area_per_cam_volume_per_um: float | None = None  # retained area / CAM volume


def interface_faces(
    labels: np.ndarray,
    cam_labels: Sequence[int],
    electrolyte_labels: Sequence[int],
    periodic_z: bool = False,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per axis: (flat index of the low voxel, +1 if CAM is low / -1 if CAM is high) of faces.

    Faces pair voxel v with v + e_axis; x and y wrap around, z wraps only if periodic_z.
    """
    is_cam = np.zeros(256, bool)
    is_cam[list(cam_labels)] = True
    is_el = np.zeros(256, bool)
    is_el[list(electrolyte_labels)] = True
    cam = is_cam[labels]
    el = is_el[labels]
    out = []
    for axis in range(3):
        cam_up = np.roll(cam, -1, axis)
        el_up = np.roll(el, -1, axis)
        low_cam = cam & el_up
        high_cam = el & cam_up
        del cam_up, el_up
        if axis == 2 and not periodic_z:
            low_cam[:, :, -1] = False
            high_cam[:, :, -1] = False
        low = np.flatnonzero(low_cam)
        high = np.flatnonzero(high_cam)
        del low_cam, high_cam
        index = np.concatenate([low, high])
        side = np.concatenate([np.ones(low.size, np.int8), -np.ones(high.size, np.int8)])
        out.append((index, side))
    return out


def face_normal_stress(sigma_normal: np.ndarray, axis: int, low_index: np.ndarray) -> np.ndarray:
    """Normal traction on faces (low voxel flat index) as the mean of the two voxel stresses."""
    shape = sigma_normal.shape
    coords = list(np.unravel_index(low_index, shape))
    coords[axis] = (coords[axis] + 1) % shape[axis]
    high_index = np.ravel_multi_index(coords, shape)
    flat = sigma_normal.reshape(-1)
    return (0.5 * (flat[low_index] + flat[high_index])).astype(np.float32)


def cam_voxel_of_face(shape: tuple[int, int, int], axis: int, low_index: np.ndarray,
                      side: np.ndarray) -> np.ndarray:
    """Flat index of the CAM voxel of each face (the low voxel where side is +1)."""
    coords = list(np.unravel_index(low_index, shape))
    coords[axis] = np.where(side > 0, coords[axis], (coords[axis] + 1) % shape[axis])
    return np.ravel_multi_index(coords, shape)


def cam_particles(labels: np.ndarray, cam_labels: Sequence[int]) -> np.ndarray:
    """Particle id per voxel (0 outside CAM): face-connected CAM of one label, x/y periodic."""
    ids = np.zeros(labels.shape, np.int32)
    offset = 0
    for lab in cam_labels:
        comp, count = label_periodic(labels == lab, periodic_axes=(0, 1))
        ids[comp > 0] = comp[comp > 0] + offset
        offset += count
        del comp
    return ids


@dataclass(frozen=True)
class CamParticles:
    """Compact particle index of every CAM–electrolyte face and the CAM volume per particle."""

    face_particle: np.ndarray
    particle_voxels: np.ndarray

    @classmethod
    def from_ids(cls, particle_ids: np.ndarray, cam_mask: np.ndarray,
                 face_cam_voxel: np.ndarray) -> CamParticles:
        """Group CAM voxels by an integer particle-id volume (any ids; only CAM voxels count)."""
        cam_ids = particle_ids.reshape(-1)[np.flatnonzero(cam_mask)]
        unique, counts = np.unique(cam_ids, return_counts=True)
        face_ids = particle_ids.reshape(-1)[face_cam_voxel]
        return cls(np.searchsorted(unique, face_ids), counts)

    def reachable(self, face_kept: np.ndarray, face_area_um2: np.ndarray,
                  min_retained_share: float = 0.0) -> tuple[float | None, float | None]:
        """(CAM volume share, particle share) of particles still in ionic contact.

        A particle counts when the kept share of its CAM–electrolyte face area exceeds
        min_retained_share (0: at least one kept face). None without CAM.
        """
        n = self.particle_voxels.size
        if n == 0:
            return None, None
        total = np.bincount(self.face_particle, weights=face_area_um2, minlength=n)
        kept = np.bincount(self.face_particle[face_kept], weights=face_area_um2[face_kept],
                           minlength=n)
        has = (kept > 0) & (kept > min_retained_share * total)
        volume = float(self.particle_voxels[has].sum() / self.particle_voxels.sum())
        return volume, float(has.mean())


def contact_retention(
    tractions: InterfaceTractions,
    particles: CamParticles,
    stack_pressures_mpa: Sequence[float],
    bond_strength_mpa: float = 0.0,
    min_retained_share: float = 0.0,
    cam_volume_um3: float | None = None,
) -> tuple[ContactRetention, ...]:
    """Retained contact share and CAM utilization after charge at each stack pressure.

    A face stays in contact while its normal traction after charge is at most
    bond_strength_mpa (0: only compressive faces hold); a CAM particle stays usable while
    more than min_retained_share of its contact area holds (0: at least one face). With
    ``cam_volume_um3`` also the retained area per CAM volume (µm⁻¹), the interface left for
    charge transfer: it compares electrolytes that wet the CAM differently (fine vs coarse).
    """
    if not 0.0 <= min_retained_share < 1.0:
        raise InputError(f"min_retained_share = {min_retained_share}; allowed: 0 <= x < 1")
    total = float(tractions.face_area_um2.sum(dtype=np.float64))
    out = []
    for p in stack_pressures_mpa:
        kept = tractions.normal_traction_after_charge_mpa(float(p)) <= bond_strength_mpa
        kept_area = float(tractions.face_area_um2[kept].sum(dtype=np.float64))
        volume, count = particles.reachable(kept, tractions.face_area_um2, min_retained_share)
        out.append(ContactRetention(
            stack_pressure_mpa=float(p),
            retained_area_fraction=kept_area / total if total > 0 else None,
            retained_area_um2=kept_area,
            opened_area_um2=total - kept_area,
            cam_utilization_volume_fraction=volume,
            cam_utilization_particle_fraction=count,
            retained_area_per_cam_volume_per_um=(kept_area / cam_volume_um3
                                                 if cam_volume_um3 else None),
        ))
    return tuple(out)
