"""Tortuosity of the SSE particle network of a Packing (paths hop from centre to centre).

The DEM-level counterpart of the voxel geometric tortuosity: nodes are ion-conducting
particles (SSE, and CAM particles carrying an SSE shell), edges are overlapping pairs with the
centre-to-centre distance as length. Particles reaching the separator plane (z = box height)
start at their centre's distance from that plane. Each particle's tortuosity is its shortest
path length over its centre's straight distance from the plane.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from cathodetwin.analysis.geometry.particles import geometric_contacts
from cathodetwin.analysis.geometry.paths import DEFAULT_MIN_DEPTH_FRACTION
from cathodetwin.errors import InputError
from cathodetwin.packing import Packing
from cathodetwin.records import Record, key


@dataclass(frozen=True)
class ParticlePathTortuosity(Record):
    """Per-particle path/straight ratio (-) through the ionic particle network."""

    median: float | None = field(metadata=key("median_tortuosity"))
    mean: float | None = field(metadata=key("mean_tortuosity"))
    p10: float | None = field(metadata=key("p10_tortuosity"))
    p90: float | None = field(metadata=key("p90_tortuosity"))
    n_particles: int = field(metadata=key("n_ionic_particles"))
    # share of them connected to the separator plane
    reached_fraction: float = field(metadata=key("reached_particle_fraction"))
    min_depth_um: float


def ionic_particles(packing: Packing) -> np.ndarray:
    """Boolean (N,): SSE particles and CAM particles with an SSE shell."""
    roles = np.asarray(packing.component_roles)[packing.component]
    shelled = (roles == "CAM") & (packing.shell_thickness_um > 0) & (packing.coverage > 0)
    return (roles == "SSE") | shelled


def particle_path_tortuosity(
    packing: Packing, *, min_depth_fraction: float = DEFAULT_MIN_DEPTH_FRACTION,
    contacts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> ParticlePathTortuosity:
    """Tortuosity (-) of the SSE particle network: centre-to-centre path over straight depth.

    Nodes are SSE particles and CAM particles with an SSE shell, edges overlapping pairs
    weighted by their centre distance (µm, periodic in x and y); particles reaching the
    separator plane (z = box height) start at their centre's depth below it.

    Parameters
    ----------
    packing : Packing
        The particles.
    min_depth_fraction : float, optional
        Statistics use particles whose centre lies at least this share (0..1) of the box
        height below the separator plane.
    contacts : tuple of 3 ndarray, optional
        ``geometric_contacts(packing)`` (pairs i, j and overlaps in µm), if already computed.

    Returns
    -------
    ParticlePathTortuosity
        Median, mean, p10 and p90 of the per-particle ratio (-), the number of ion-conducting
        particles, the share (0..1) of them connected to the separator plane and the minimum
        depth (µm) used.

    Examples
    --------
    A straight stack of touching SSE spheres (radius 1 µm) has tortuosity 1:

    >>> import numpy as np
    >>> from cathodetwin.analysis import particle_path_tortuosity
    >>> from cathodetwin.packing import Packing
    >>> centres = np.array([[2.0, 2.0, z] for z in (0.5, 2.0, 3.5, 5.0)])
    >>> stack = Packing(
    ...     box_um=(4.0, 4.0, 5.5), center_um=centres,
    ...     radius_um=np.ones(4), component=np.zeros(4, np.int16), component_names=("LPSCl",),
    ...     component_roles=("SSE",), component_materials=("Li6PS5Cl",),
    ...     shell_thickness_um=np.zeros(4), coverage=np.zeros(4), buffer_thickness_um=np.zeros(4))
    >>> tau = particle_path_tortuosity(stack)
    >>> round(tau.median, 6), tau.n_particles, tau.reached_fraction
    (1.0, 4, 1.0)
    """
    if not 0.0 <= min_depth_fraction < 1.0:
        raise InputError(f"min_depth_fraction must be in [0, 1), got {min_depth_fraction}")
    ion = ionic_particles(packing)
    nodes = np.flatnonzero(ion)
    n = nodes.size
    height = packing.box_um[2]
    min_depth = min_depth_fraction * height
    if n == 0:
        return ParticlePathTortuosity(None, None, None, None, 0, 0.0, min_depth)
    local = np.full(len(packing), -1, np.int64)
    local[nodes] = np.arange(n)
    i, j, _ = contacts if contacts is not None else geometric_contacts(packing)
    keep = ion[i] & ion[j]
    a, b = local[i[keep]], local[j[keep]]
    c = packing.center_um
    d = c[nodes[b]] - c[nodes[a]]
    d[:, 0] -= packing.box_um[0] * np.round(d[:, 0] / packing.box_um[0])
    d[:, 1] -= packing.box_um[1] * np.round(d[:, 1] / packing.box_um[1])
    length = np.linalg.norm(d, axis=1)
    depth = height - c[nodes, 2]
    top = np.flatnonzero(c[nodes, 2] + packing.radius_um[nodes] >= height)
    # a virtual source node n joined to every particle that reaches the separator plane
    rows = np.concatenate([a, b, np.full(top.size, n)])
    cols = np.concatenate([b, a, top])
    w = np.concatenate([length, length, np.maximum(depth[top], 0.0)])
    w = np.maximum(w, 1e-12)  # csgraph treats explicit zeros as missing edges
    graph = coo_matrix((w, (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    dist = dijkstra(graph, directed=True, indices=n)[:n]
    reached = np.isfinite(dist)
    deep = reached & (depth >= max(min_depth, 1e-9))
    tau = dist[deep] / depth[deep]

    def q(p: float) -> float | None:
        return float(np.percentile(tau, p)) if tau.size else None

    return ParticlePathTortuosity(
        median=q(50), mean=float(tau.mean()) if tau.size else None, p10=q(10), p90=q(90),
        n_particles=int(n), reached_fraction=float(reached.mean()), min_depth_um=min_depth,
    )
