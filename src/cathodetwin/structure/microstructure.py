"""Microstructure: a labelled voxel volume with voxel size, phase legend and provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cathodetwin.errors import InputError
from cathodetwin.materials import Material, resolve_material

Role = Literal["pore", "CAM", "SSE", "shell", "carbon", "binder", "coating"]
ROLES: tuple[str, ...] = ("pore", "CAM", "SSE", "shell", "carbon", "binder", "coating")

# Carrier roles, defined once for every analysis (connectivity, utilization, interfaces,
# conduction solves, contact networks). Ions move through the electrolyte (SSE particles and SSE
# shells on CAM), electrons through the CAM and the carbon. A buffer coating (LiNbO3) belongs to
# its CAM particle: it is the CAM's surface, through which ions reach the CAM, but it conducts
# no electrons (LiNbO3 is an electronic insulator, ~1e-11 S/cm, and a Li-ion conductor, ~1e-6
# S/cm: Ohta et al., Electrochem. Commun. 9 (2007) 1486; Glass et al., Appl. Phys. Lett. 33
# (1978) 1127). Real buffers are nm thin and are drawn only where they span a voxel, so a
# resolved coating is a thick insulating layer that electrons must go around.
IONIC_ROLES: tuple[str, ...] = ("SSE", "shell")
ELECTRONIC_ROLES: tuple[str, ...] = ("CAM", "carbon")
CARRIER_ROLES: dict[str, tuple[str, ...]] = {"ionic": IONIC_ROLES, "electronic": ELECTRONIC_ROLES}
CAM_SIDE_ROLES: tuple[str, ...] = ("CAM", "coating")  # a CAM particle with its buffer coating

# Axis convention for every volume in cathodetwin: array index (i, j, k) = (x, y, z).
# z (axis 2) is through-plane: k = 0 touches the current collector, k = nz - 1 the separator.
THROUGH_PLANE_AXIS = 2


@dataclass(frozen=True)
class Phase:
    """One label of a volume: its integer value, a display name, its role and its material.

    ``material`` is the resolved record (library values with the recipe's overrides); a name
    given here is resolved to the library record.
    """

    label: int
    name: str
    role: Role
    material: Material | None = None

    def __post_init__(self) -> None:
        if isinstance(self.material, str):
            object.__setattr__(self, "material", resolve_material(self.material))
        if self.role not in ROLES:
            raise InputError(f"phase {self.name!r}: role {self.role!r} is not one of {ROLES}")
        if not 0 <= self.label <= 255:
            raise InputError(f"phase {self.name!r}: label {self.label} must be in 0..255")


@dataclass
class Microstructure:
    """Labelled volume (uint8, axes x, y, z) with voxel size in µm per axis and a phase legend."""

    labels: np.ndarray
    voxel_size_um: tuple[float, float, float]
    phases: tuple[Phase, ...]
    provenance: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.labels.ndim != 3:
            raise InputError(f"labels must be 3D, got shape {self.labels.shape}")
        if self.labels.dtype != np.uint8:
            raise InputError(f"labels must be uint8, got {self.labels.dtype}")
        vs = tuple(float(v) for v in np.broadcast_to(self.voxel_size_um, (3,)))
        if any(v <= 0 for v in vs):
            raise InputError(f"voxel_size_um must be positive, got {vs}")
        self.voxel_size_um = vs  # type: ignore[assignment]
        seen = [p.label for p in self.phases]
        if len(set(seen)) != len(seen):
            raise InputError(f"phase labels must be unique, got {seen}")
        self.phases = tuple(self.phases)

    @property
    def shape(self) -> tuple[int, int, int]:
        """Voxel counts along x, y, z."""
        return tuple(self.labels.shape)  # type: ignore[return-value]

    @property
    def size_um(self) -> tuple[float, float, float]:
        """Physical edge lengths along x, y, z in µm."""
        return tuple(n * v for n, v in zip(self.shape, self.voxel_size_um, strict=True))  # type: ignore[return-value]

    @property
    def voxel_volume_um3(self) -> float:
        """Volume of one voxel in µm³."""
        vx, vy, vz = self.voxel_size_um
        return vx * vy * vz

    def labels_with_role(self, *roles: str) -> tuple[int, ...]:
        """Integer labels whose phase role is one of ``roles``."""
        for r in roles:
            if r not in ROLES:
                raise InputError(f"role {r!r} is not one of {ROLES}")
        return tuple(p.label for p in self.phases if p.role in roles)

    def mask(self, *roles: str) -> np.ndarray:
        """Boolean volume of the voxels whose phase has one of ``roles``."""
        return np.isin(self.labels, self.labels_with_role(*roles))

    def phase(self, label: int) -> Phase:
        """The Phase record for an integer label."""
        for p in self.phases:
            if p.label == label:
                return p
        raise KeyError(f"label {label} is not in the phase legend {[p.label for p in self.phases]}")
