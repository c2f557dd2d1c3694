"""Connected clusters with periodic x/y, and each phase's connection to the cell faces.

Face connectivity (6-neighbourhood) is used throughout: ions and electrons cross shared voxel
faces, not edges or corners. The current-collector face is z = 0, the separator face z = nz − 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cathodetwin.analysis.geometry.labels import label_periodic
from cathodetwin.errors import InputError
from cathodetwin.records import Record, by_name, key
from cathodetwin.structure.microstructure import CARRIER_ROLES, Microstructure


def is_periodic_xy(micro: Microstructure) -> bool:
    """True for generated twins (provenance ``periodic_xy``); imported images are not periodic."""
    return bool(micro.provenance.get("periodic_xy", False))


@dataclass(frozen=True)
class Network:
    """Clusters of one phase or role group: labels, voxel counts and which faces they touch."""

    labels: np.ndarray  # int32 volume, 0 outside the phase
    voxels: np.ndarray  # int64 (n + 1,), voxels per cluster (index 0 unused)
    touches_collector: np.ndarray  # bool (n + 1,), cluster has a voxel at z = 0
    touches_separator: np.ndarray  # bool (n + 1,), cluster has a voxel at z = nz − 1

    @property
    def n_clusters(self) -> int:
        """Number of clusters."""
        return int(self.voxels.size - 1)

    def connected_mask(self, face: str) -> np.ndarray:
        """Voxels in clusters touching ``face`` ("separator", "collector" or "both")."""
        keep = {
            "separator": self.touches_separator,
            "collector": self.touches_collector,
            "both": self.touches_separator & self.touches_collector,
        }.get(face)
        if keep is None:
            raise InputError(f"face must be 'separator', 'collector' or 'both', got {face!r}")
        keep = keep.copy()
        keep[0] = False
        return keep[self.labels]


def network(mask: np.ndarray, periodic_xy: bool) -> Network:
    """Cluster a boolean volume and record each cluster's size and face contacts."""
    labels, n = label_periodic(mask, periodic_axes=(0, 1) if periodic_xy else ())
    voxels = np.bincount(labels.ravel(), minlength=n + 1).astype(np.int64)
    cc = np.zeros(n + 1, bool)
    cc[np.unique(labels[:, :, 0])] = True
    sep = np.zeros(n + 1, bool)
    sep[np.unique(labels[:, :, -1])] = True
    cc[0] = sep[0] = False
    return Network(labels, voxels, cc, sep)


@dataclass(frozen=True)
class Connectivity(Record):
    """Volume shares (0..1) of one phase connected to the separator, collector, both, neither."""

    name: str
    roles: tuple[str, ...]
    volume_fraction: float
    to_separator: float = field(metadata=key("connected_to_separator_fraction"))
    to_collector: float = field(metadata=key("connected_to_collector_fraction"))
    to_both: float = field(metadata=key("connected_to_both_fraction"))
    isolated: float = field(metadata=key("isolated_fraction"))
    n_clusters: int


def summarize(net: Network, name: str, roles: tuple[str, ...], total_voxels: int) -> Connectivity:
    """Volume shares of ``net`` per face-contact class."""
    vol = net.voxels[1:].astype(np.float64)
    total = vol.sum()
    sep, cc = net.touches_separator[1:], net.touches_collector[1:]
    if total == 0:
        return Connectivity(name, roles, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    return Connectivity(
        name=name,
        roles=roles,
        volume_fraction=float(total / total_voxels),
        to_separator=float(vol[sep].sum() / total),
        to_collector=float(vol[cc].sum() / total),
        to_both=float(vol[sep & cc].sum() / total),
        isolated=float(vol[~sep & ~cc].sum() / total),
        n_clusters=net.n_clusters,
    )



def role_networks(micro: Microstructure) -> dict[str, Network]:
    """The ionic (SSE + shell) and electronic (CAM + carbon) networks."""
    periodic = is_periodic_xy(micro)
    return {name: network(micro.mask(*roles), periodic) for name, roles in CARRIER_ROLES.items()}


@dataclass(frozen=True)
class ConnectivityReport(Record):
    """Connectivity of each phase and of the ionic and electronic networks (keyed by name)."""

    phases: tuple[Connectivity, ...] = field(metadata=by_name(Connectivity))
    networks: tuple[Connectivity, ...] = field(metadata=by_name(Connectivity))


def connectivity_report(
    micro: Microstructure, *, networks: dict[str, Network] | None = None
) -> ConnectivityReport:
    """Volume shares (0..1) of each phase and carrier network connected to the cell faces.

    Clusters are face-connected (6-neighbourhood) and merged across x/y in a generated twin;
    the current collector is z = 0, the separator z = nz − 1. A phase that alone makes up a
    network reuses that network's clusters.

    Parameters
    ----------
    micro : Microstructure
        The volume.
    networks : dict of str to Network, optional
        ``role_networks(micro)`` (ionic and electronic clusters), if already computed.

    Returns
    -------
    ConnectivityReport
        Per phase present and per carrier network (ionic: SSE + shell; electronic: CAM + coating
        + carbon): volume fraction (0..1), shares connected to the separator, the collector,
        both and neither (0..1), and the number of clusters.

    Examples
    --------
    >>> from cathodetwin.analysis import connectivity_report
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> report = connectivity_report(synthetic_composite((24, 24, 24), seed=1))
    >>> ionic = {c.name: c for c in report.networks}["ionic"]
    >>> ionic.to_both > 0.9
    True
    """
    periodic = is_periodic_xy(micro)
    nets = networks if networks is not None else role_networks(micro)
    present = np.bincount(micro.labels.ravel(), minlength=256)
    size = micro.labels.size
    by_labels = {micro.labels_with_role(*CARRIER_ROLES[k]): v for k, v in nets.items()}
    phases = []
    for p in micro.phases:
        if present[p.label] == 0:
            continue
        reuse = None
        for labs, net in by_labels.items():
            if tuple(lab for lab in labs if present[lab] > 0) == (p.label,):
                reuse = net
        net = reuse if reuse is not None else network(micro.labels == p.label, periodic)
        phases.append(summarize(net, p.name, (p.role,), size))
    summaries = tuple(summarize(v, k, CARRIER_ROLES[k], size) for k, v in nets.items())
    return ConnectivityReport(tuple(phases), summaries)
