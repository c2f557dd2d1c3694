"""Packing: compacted particles, their contacts, carbon fibres, the box and the pressing history."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cathodetwin.atomic import atomic_file
from cathodetwin.materials import Material, resolve_material
from cathodetwin.packing import measures

# Geometry convention: x and y are periodic with period box_um[0], box_um[1]; z runs from the
# current collector (z = 0) to the punch/separator side (z = box_um[2], the final height).


@dataclass(frozen=True)
class Contacts:
    """Particle–particle contacts: index pairs i < j, overlaps, normal forces, plastic part."""

    i: np.ndarray  # int32 (C,)
    j: np.ndarray  # int32 (C,)
    overlap_um: np.ndarray  # float64 (C,): r_i + r_j - |x_i - x_j| (> 0 in contact)
    force_n: np.ndarray  # float64 (C,): normal force in N (> 0 compressive, < 0 weld in tension)
    plastic_overlap_um: np.ndarray  # float64 (C,): irreversible part of the overlap

    @classmethod
    def empty(cls) -> Contacts:
        """A contact list with no contacts."""
        z = np.zeros(0)
        return cls(np.zeros(0, np.int32), np.zeros(0, np.int32), z, z.copy(), z.copy())

    def __len__(self) -> int:
        return int(self.i.size)


@dataclass(frozen=True)
class Fibers:
    """Straight carbon fibres as capped cylinders: end points in µm, radius in µm, component."""

    start_um: np.ndarray  # (M, 3), may lie outside the box in x/y (wrapped periodically)
    end_um: np.ndarray  # (M, 3)
    radius_um: np.ndarray  # (M,)
    component: np.ndarray  # int16 (M,): index into Packing.component_names

    @classmethod
    def empty(cls) -> Fibers:
        """No fibres."""
        return cls(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), np.zeros(0, np.int16))

    def __len__(self) -> int:
        return int(self.radius_um.size)


@dataclass
class Packing:
    """Spheres (optionally core–shell) after compaction, plus fibres, contacts and history.

    ``radius_um`` is the outer radius; for a core–shell CAM particle the core radius is
    ``radius_um - shell_thickness_um - buffer_thickness_um``. ``coverage`` is the shell's
    covered share of the surface (1 = full shell, 0.5 = half-covered "glitter-cake").
    ``history`` holds equal-length arrays: ``pressure_mpa``, ``height_um``, ``solid_fraction``.
    Materials are resolved records (library values with the recipe's overrides), one per
    component for the particle, its shell and its buffer; names given here are resolved to the
    library records.
    """

    box_um: tuple[float, float, float]
    center_um: np.ndarray  # (N, 3) float64
    radius_um: np.ndarray  # (N,) float64
    component: np.ndarray  # (N,) int16 index into component_names
    component_names: tuple[str, ...]
    component_roles: tuple[str, ...]
    component_materials: tuple[Material, ...]
    shell_thickness_um: np.ndarray  # (N,) 0 where no shell
    coverage: np.ndarray  # (N,) shell coverage 0..1 (0 where no shell)
    buffer_thickness_um: np.ndarray  # (N,) 0 where no buffer
    contacts: Contacts = field(default_factory=Contacts.empty)
    fibers: Fibers = field(default_factory=Fibers.empty)
    history: dict[str, np.ndarray] = field(default_factory=dict)
    shell_materials: tuple[Material | None, ...] = ()  # per component: shell material or None
    buffer_materials: tuple[Material | None, ...] = ()  # per component: buffer material or None
    provenance: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.radius_um.shape[0]
        for name in ("component", "shell_thickness_um", "coverage", "buffer_thickness_um"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have shape ({n},), got {getattr(self, name).shape}")
        if self.center_um.shape != (n, 3):
            raise ValueError(f"center_um must have shape ({n}, 3), got {self.center_um.shape}")
        k = len(self.component_names)
        if not (len(self.component_roles) == len(self.component_materials) == k):
            raise ValueError("component names, roles and materials differ in length")
        self.component_materials = tuple(resolve_material(m) for m in self.component_materials)
        self.shell_materials = _optional_materials(self.shell_materials, k)
        self.buffer_materials = _optional_materials(self.buffer_materials, k)
        self.box_um = tuple(float(b) for b in self.box_um)  # type: ignore[assignment]

    def __len__(self) -> int:
        return int(self.radius_um.size)

    @property
    def core_radius_um(self) -> np.ndarray:
        """Radius of each particle's core (CAM) in µm."""
        return self.radius_um - self.shell_thickness_um - self.buffer_thickness_um

    def role_of(self) -> np.ndarray:
        """Role string of each particle (array of str)."""
        return np.asarray(self.component_roles, dtype=object)[self.component]

    def plastic_surface(self) -> np.ndarray:
        """Per particle: True where the surface is ductile SSE (SSE particle or SSE shell)."""
        soft = measures.plastic_surface(self.component_roles, self.shell_materials)
        return soft[self.component]

    def solid_volumes_um3(self, spacing_um: float | None = None) -> np.ndarray:
        """Volume of each sphere counted once (µm³), clipped to 0 ≤ z ≤ height.

        Bare CAM keeps its whole sphere against SSE-surfaced particles; other overlaps are split
        by the radical plane. Pairwise (fast; regions shared by ≥ 3 spheres counted more than
        once) or, with ``spacing_um``, by sampling the ownership on a point grid (exact to the
        sampling error).
        """
        soft = self.plastic_surface()
        if spacing_um is None:
            return measures.pairwise_volumes_um3(
                self.center_um, self.radius_um, soft, self.contacts.i, self.contacts.j,
                self.box_um,
            )
        return measures.sampled_volumes_um3(
            self.center_um, self.radius_um, soft, self.box_um, spacing_um
        )

    def fiber_volumes_um3(self) -> np.ndarray:
        """Volume of each fibre segment (µm³): cylinder plus one end cap (joints shared)."""
        length = np.linalg.norm(self.fibers.end_um - self.fibers.start_um, axis=1)
        r = self.fibers.radius_um
        return np.pi * r**2 * length + 2.0 / 3.0 * np.pi * r**3

    def component_volumes_um3(self, spacing_um: float | None = None) -> dict[str, float]:
        """Solid volume per component (µm³), overlaps counted once, fibres included."""
        vols = measures.component_volumes_um3(
            self.solid_volumes_um3(spacing_um), self.component, self.component_names
        )
        fib = np.bincount(self.fibers.component, weights=self.fiber_volumes_um3(),
                          minlength=len(self.component_names))
        return {name: vols[name] + float(fib[k]) for k, name in enumerate(self.component_names)}

    def solid_fraction(self, spacing_um: float | None = None) -> float:
        """Packing density: solid volume counted once over the box volume."""
        total = sum(self.component_volumes_um3(spacing_um).values())
        return total / float(np.prod(self.box_um))

    def porosity(self, spacing_um: float | None = None) -> float:
        """Pore volume fraction of the box, 1 − solid_fraction."""
        return 1.0 - self.solid_fraction(spacing_um)

    def relative_overlap(self) -> np.ndarray:
        """Overlap of each contact relative to the sum of radii, δ/(rᵢ+rⱼ) (paper 000)."""
        return self.contacts.overlap_um / (
            self.radius_um[self.contacts.i] + self.radius_um[self.contacts.j]
        )

    def coordination_numbers(self, min_relative_overlap: float = 0.0) -> dict[str, float]:
        """Mean contacts with component B per particle of A, key "A->B", for δ/(rᵢ+rⱼ) above a
        threshold (> 0 by default; paper 000 also uses 2, 5 and 10 %)."""
        keep = self.relative_overlap() > min_relative_overlap
        return measures.coordination_numbers(
            self.component.astype(np.int64), self.component_names,
            self.contacts.i[keep], self.contacts.j[keep],
        )

    def summary(self) -> dict:
        """Particle count, porosity, height (µm), coordination and pressing history (JSON)."""
        return {
            "n_particles": len(self),
            "n_fibers": len(self.fibers),
            "box_um": list(self.box_um),
            "height_um": self.box_um[2],
            "porosity": self.porosity(),
            "solid_fraction": 1.0 - self.porosity(),
            "n_contacts": len(self.contacts),
            "coordination": self.coordination_numbers(),
            "history": {k: np.asarray(v).tolist() for k, v in self.history.items()},
            "densification": measures.densification_curve(self.history),
            "compaction": self.provenance.get("compaction", {}),
        }

    def save(self, path: str | Path) -> Path:
        """Write to a single .npz (arrays + JSON metadata), atomically; returns the path."""
        path = Path(path)
        meta = {
            "box_um": list(self.box_um),
            "component_names": list(self.component_names),
            "component_roles": list(self.component_roles),
            "component_materials": [m.to_dict() for m in self.component_materials],
            "shell_materials": [m and m.to_dict() for m in self.shell_materials],
            "buffer_materials": [m and m.to_dict() for m in self.buffer_materials],
            "provenance": self.provenance,
            "history_keys": sorted(self.history),
        }
        arrays = {
            "center_um": self.center_um,
            "radius_um": self.radius_um,
            "component": self.component,
            "shell_thickness_um": self.shell_thickness_um,
            "coverage": self.coverage,
            "buffer_thickness_um": self.buffer_thickness_um,
            "contacts_i": self.contacts.i,
            "contacts_j": self.contacts.j,
            "contacts_overlap_um": self.contacts.overlap_um,
            "contacts_force_n": self.contacts.force_n,
            "contacts_plastic_overlap_um": self.contacts.plastic_overlap_um,
            "fibers_start_um": self.fibers.start_um,
            "fibers_end_um": self.fibers.end_um,
            "fibers_radius_um": self.fibers.radius_um,
            "fibers_component": self.fibers.component,
            "meta_json": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        }
        arrays |= {f"history_{k}": np.asarray(v) for k, v in self.history.items()}
        with atomic_file(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Packing:
        """Read a Packing written by :meth:`save`."""
        with np.load(Path(path)) as z:
            meta = json.loads(z["meta_json"].tobytes().decode())
            contacts = Contacts(
                z["contacts_i"], z["contacts_j"], z["contacts_overlap_um"],
                z["contacts_force_n"], z["contacts_plastic_overlap_um"],
            )
            fibers = Fibers(
                z["fibers_start_um"], z["fibers_end_um"], z["fibers_radius_um"],
                z["fibers_component"],
            )
            history = {k: z[f"history_{k}"] for k in meta["history_keys"]}
            return cls(
                box_um=tuple(meta["box_um"]),
                center_um=z["center_um"],
                radius_um=z["radius_um"],
                component=z["component"],
                component_names=tuple(meta["component_names"]),
                component_roles=tuple(meta["component_roles"]),
                component_materials=_loaded_materials(meta["component_materials"]),
                shell_thickness_um=z["shell_thickness_um"],
                coverage=z["coverage"],
                buffer_thickness_um=z["buffer_thickness_um"],
                contacts=contacts,
                fibers=fibers,
                history=history,
                shell_materials=_loaded_materials(meta["shell_materials"]),
                buffer_materials=_loaded_materials(meta["buffer_materials"]),
                provenance=meta["provenance"],
            )


def _optional_materials(
    materials: tuple[Material | str | None, ...], count: int
) -> tuple[Material | None, ...]:
    """Per-component materials (None where a component has no such layer), names resolved."""
    return tuple(None if m is None else resolve_material(m) for m in materials) or (None,) * count


def _loaded_materials(records: list) -> tuple[Material | None, ...]:
    """Material records of a saved packing (files before 0.4.0 hold library names)."""
    return tuple(None if r is None else r if isinstance(r, str) else Material.from_dict(r)
                 for r in records)
