"""Elastic strain energy density statistics per phase (paper 001's quantity), in kJ/m³."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cathodetwin.analysis.mechanics import kernels
from cathodetwin.analysis.mechanics.solver import LabelElasticity
from cathodetwin.errors import InputError
from cathodetwin.records import Record

MPA_TO_KJ_M3 = 1e3  # 1 MPa = 1 MJ/m³ = 1000 kJ/m³
PERCENTILES = (50, 90, 99)
HISTOGRAM_TOP_PERCENTILE = 99.5  # histogram spans 0..p99.5; its last bin holds the tail


@dataclass(frozen=True)
class PhaseStrainEnergy(Record):
    """Strain energy density of one phase: mean, percentiles, max, histogram (kJ/m³)."""

    label: int
    name: str
    volume_fraction: float
    mean_kj_m3: float
    percentiles_kj_m3: dict[int, float]
    max_kj_m3: float
    histogram_edges_kj_m3: tuple[float, ...]
    histogram_counts: tuple[int, ...]

    def to_dict(self) -> dict:
        """JSON-ready record with units in the keys."""
        return {
            "label": self.label,
            "name": self.name,
            "volume_fraction": self.volume_fraction,
            "mean_kj_m3": self.mean_kj_m3,
            **{f"p{p}_kj_m3": v for p, v in self.percentiles_kj_m3.items()},
            "max_kj_m3": self.max_kj_m3,
            "histogram_edges_kj_m3": list(self.histogram_edges_kj_m3),
            "histogram_counts": list(self.histogram_counts),
        }

    @classmethod
    def from_dict(cls, data: dict) -> PhaseStrainEnergy:
        """The record :meth:`to_dict` wrote (percentile keys ``p{n}_kj_m3``)."""
        percentiles = {int(k[1:-len("_kj_m3")]): v for k, v in data.items()
                       if k.startswith("p") and k.endswith("_kj_m3") and k[1:-6].isdigit()}
        return cls(data["label"], data["name"], data["volume_fraction"], data["mean_kj_m3"],
                   percentiles, data["max_kj_m3"], tuple(data["histogram_edges_kj_m3"]),
                   tuple(data["histogram_counts"]))


def energy_density_mpa(sigma: np.ndarray, labels: np.ndarray, table: LabelElasticity
                       ) -> np.ndarray:
    """Per-voxel elastic strain energy density (MPa = MJ/m³) of a stress field (6, ...)."""
    out = np.empty(labels.shape, np.float32)
    kernels.energy_density(sigma, np.ascontiguousarray(labels), table.lame_lambda_mpa,
                           table.shear_modulus_mpa, out)
    return out


def phase_strain_energy(
    energy_mpa: np.ndarray,
    labels: np.ndarray,
    names: Mapping[int, str],
    histogram_bins: int = 40,
) -> tuple[PhaseStrainEnergy, ...]:
    """Statistics of the energy density per label present.

    Linear histogram from 0 to the 99.5th percentile; the last bin also counts the tail.
    """
    if histogram_bins < 1:
        raise InputError(f"histogram_bins = {histogram_bins}; allowed: >= 1")
    counts = np.bincount(labels.ravel(), minlength=256)
    out = []
    for label in np.flatnonzero(counts):
        w = energy_mpa[labels == label].astype(np.float64) * MPA_TO_KJ_M3
        q = np.percentile(w, (*PERCENTILES, HISTOGRAM_TOP_PERCENTILE))
        top = float(q[-1]) if q[-1] > 0 else 1.0
        hist, edges = np.histogram(np.minimum(w, top), bins=histogram_bins, range=(0.0, top))
        out.append(PhaseStrainEnergy(
            label=int(label),
            name=names.get(int(label), f"label {label}"),
            volume_fraction=float(counts[label] / labels.size),
            mean_kj_m3=float(w.mean()),
            percentiles_kj_m3={p: float(v) for p, v in zip(PERCENTILES, q[:-1], strict=True)},
            max_kj_m3=float(w.max()),
            histogram_edges_kj_m3=tuple(float(e) for e in edges),
            histogram_counts=tuple(int(c) for c in hist),
        ))
    return tuple(out)


def voxel_energy_stats(energy_mpa: np.ndarray, flat_index: np.ndarray
                       ) -> dict[str, float] | None:
    """Mean and percentiles (kJ/m³) of the energy density at some voxels; None if there are none."""
    if flat_index.size == 0:
        return None
    w = energy_mpa[np.unravel_index(flat_index, energy_mpa.shape)].astype(np.float64)
    w *= MPA_TO_KJ_M3
    q = np.percentile(w, PERCENTILES)
    return {
        "volume_fraction": flat_index.size / energy_mpa.size,
        "mean_kj_m3": float(w.mean()),
        **{f"p{p}_kj_m3": float(v) for p, v in zip(PERCENTILES, q, strict=True)},
    }


def mean_energy_kj_m3(energy_mpa: np.ndarray, labels: np.ndarray, group: list[int]
                      ) -> float | None:
    """Volume-mean energy density (kJ/m³) over the voxels of a label group; None if absent."""
    mask = np.isin(labels, group)
    if not mask.any():
        return None
    return float(energy_mpa[mask].mean(dtype=np.float64) * MPA_TO_KJ_M3)
