"""Reduced graphs of a packing for the particle-resolved cell: every CAM particle a node on an
ionic and an electronic resistor network (units: µm, S/cm, Ω; see docs/cell.md).

Each graph's nodes end with two plane nodes, the collector plane z = 0 (``bottom``) and the
separator plane z = H (``top``). An edge's resistance is ``r_fixed_ohm`` plus, on each end
that is a CAM particle, that particle's share at the library CAM conductivity, scaled by
σ_ref/σ(x) when the CAM conductivity follows its state of charge.

Ionic graph: SSE particles (bulk σ of their material) and one surface node per CAM particle
(the electrolyte touching it, its SSE shell where it has one). Edges: SSE–SSE and SSE–CAM
overlaps (contact radius = radius of the intersection circle of the two spheres, Holm
constriction + bulk cylinder per side as in ``analysis.transport.contact_network``; a CAM end
adds nothing, the reaction is there), shell–shell overlaps of coated CAM, and contacts with the
two planes. A CAM particle's reaction area is the sum of its SSE contact circles plus its
shell's share of its core surface (coverage).

Electronic graph: the contact network of ``analysis.transport.contact_network`` (its bodies,
Holm contacts, fibre chains and plane contacts), with carbon bodies merged by ``coarsen``.

Reduction (``coarse_cell_um``): SSE particles (ionic) and carbon bodies (electronic) that share
a cubic cell of that size and are joined inside it are merged into one node; edges between
merged nodes add in parallel. The ionic edges between merged SSE nodes are then scaled so
that the reduced graph's through-plane conductance equals the full graph's (one sparse solve
of each), so the reduction keeps which SSE clusters reach which CAM and the twin's σ_ion,eff.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from cathodetwin.analysis.transport import contact_network as cn
from cathodetwin.analysis.transport.contact_geometry import near_pairs
from cathodetwin.analysis.transport.multigrid import factorize_spd
from cathodetwin.formulas import SURFACE_ROUGHNESS_UM
from cathodetwin.materials import Material
from cathodetwin.packing.packing import Packing

UM_PER_CM = 1.0e4


@dataclass(frozen=True)
class Graph:
    """Resistor graph; the last two nodes are the planes z = 0 (bottom) and z = H (top)."""

    n_nodes: int
    i: np.ndarray  # int64 (E,)
    j: np.ndarray  # int64 (E,)
    r_fixed_ohm: np.ndarray  # (E,)
    cam_a: np.ndarray  # int64 (E,): CAM particle at end i, −1 none
    r_cam_a_ohm: np.ndarray  # (E,): its share at σ_ref
    cam_b: np.ndarray  # int64 (E,)
    r_cam_b_ohm: np.ndarray  # (E,)

    @property
    def bottom(self) -> int:
        """Node of the plane z = 0."""
        return self.n_nodes - 2

    @property
    def top(self) -> int:
        """Node of the plane z = H."""
        return self.n_nodes - 1

    def conductance_s(self, cam_scale: np.ndarray | None = None) -> np.ndarray:
        """Edge conductances (S); ``cam_scale`` (P,) multiplies each CAM share (σ_ref/σ)."""
        r = self.r_fixed_ohm.copy()
        for cam, share in ((self.cam_a, self.r_cam_a_ohm), (self.cam_b, self.r_cam_b_ohm)):
            has = cam >= 0
            scale = 1.0 if cam_scale is None else cam_scale[cam[has]]
            r[has] += share[has] * scale
        return 1.0 / r


def plain_graph(n_nodes: int, i, j, r_ohm) -> Graph:
    """Graph without CAM shares (edges i–j of resistance ``r_ohm`` Ω)."""
    i = np.asarray(i, np.int64)
    none = np.full(i.size, -1, np.int64)
    zero = np.zeros(i.size)
    return Graph(n_nodes, i, np.asarray(j, np.int64), np.asarray(r_ohm, float), none, zero,
                 none.copy(), zero.copy())


@dataclass(frozen=True)
class ParticleNetwork:
    """CAM particles with their contacts on the ionic and electronic graphs (module doc)."""

    box_um: tuple[float, float, float]
    center_um: np.ndarray  # (P, 3)
    radius_um: np.ndarray  # (P,) core radius (what stores Li)
    material_index: np.ndarray  # (P,) into materials
    materials: tuple[Material, ...]
    reaction_area_um2: np.ndarray  # (P,) CAM–electrolyte contact area
    ion_node: np.ndarray  # (P,) node of the ionic graph
    el_node: np.ndarray  # (P,) node of the electronic graph
    ionic: Graph
    electronic: Graph
    sigma_ref_s_cm: np.ndarray  # (P,) CAM σ the CAM shares of the electronic edges use

    @property
    def size(self) -> int:
        """Number of CAM particles."""
        return int(self.radius_um.size)

    @property
    def volume_um3(self) -> np.ndarray:
        """Li-storing volume of each particle (µm³)."""
        return 4.0 / 3.0 * np.pi * self.radius_um**3

    def with_reaction_area(self, area_um2: np.ndarray) -> ParticleNetwork:
        """Copy with other per-particle reaction areas (µm²), e.g. after contact loss."""
        return replace(self, reaction_area_um2=np.asarray(area_um2, float))


def _side_ohm(a_um, radius_um, h_um, sigma_s_cm) -> np.ndarray:
    """Holm constriction + bulk cylinder of one body (Ω), as the electronic contact network."""
    a = np.maximum(np.asarray(a_um, float), 1e-9)
    return cn._side_resistance_ohm(a, radius_um, np.asarray(h_um, float), sigma_s_cm)


def _lens(r_i, r_j, dist):
    """Radius (µm) of the intersection circle of two spheres and centre i's distance to it."""
    safe = np.maximum(dist, 1e-12)
    d_i = (dist**2 + r_i**2 - r_j**2) / (2.0 * safe)
    inside = dist <= np.abs(r_i - r_j)
    a = np.sqrt(np.where(inside, np.minimum(r_i, r_j) ** 2, np.maximum(r_i**2 - d_i**2, 0.0)))
    return a, np.clip(np.abs(d_i), 0.0, r_i), np.clip(np.abs(dist - d_i), 0.0, r_j)


def _merge_nodes(n_bodies: int, mergeable: np.ndarray, cell: np.ndarray, i, j) -> np.ndarray:
    """New node of each body: mergeable bodies joined by an edge inside one cell share one."""
    keep = mergeable[i] & mergeable[j] & (cell[i] == cell[j])
    graph = coo_matrix((np.ones(int(keep.sum())), (i[keep], j[keep])),
                       shape=(n_bodies, n_bodies))
    _, label = connected_components(graph, directed=False)
    _, new = np.unique(label, return_inverse=True)
    return new


def _cells(center_um: np.ndarray, size_um: float | None) -> np.ndarray:
    """Integer cell key of each point on a cubic grid of ``size_um`` (all 0 when None)."""
    if size_um is None:
        return np.arange(center_um.shape[0])  # every body its own cell: no merging
    idx = np.floor(center_um / size_um).astype(np.int64)
    idx -= idx.min(axis=0)
    span = idx.max(axis=0) + 1
    return (idx[:, 0] * span[1] + idx[:, 1]) * span[2] + idx[:, 2]


def plane_conductance_s(graph: Graph, cam_scale: np.ndarray | None = None) -> float:
    """Conductance (S) between the bottom and top plane nodes of a graph."""
    g = graph.conductance_s(cam_scale)
    n = graph.n_nodes
    lap = coo_matrix((np.concatenate([-g, -g, g, g]),
                      (np.concatenate([graph.i, graph.j, graph.i, graph.j]),
                       np.concatenate([graph.j, graph.i, graph.i, graph.j]))),
                     shape=(n, n)).tocsr()
    _, comp = connected_components(lap, directed=False)
    if comp[graph.bottom] != comp[graph.top]:
        return 0.0
    free = np.flatnonzero((comp == comp[graph.bottom])
                          & (np.arange(n) != graph.bottom) & (np.arange(n) != graph.top))
    if free.size == 0:
        direct = ((graph.i == graph.bottom) & (graph.j == graph.top)) | (
            (graph.i == graph.top) & (graph.j == graph.bottom))
        return float(g[direct].sum())
    a = lap[free][:, free].tocsc()
    rhs = -np.asarray(lap[free][:, [graph.bottom]].todense()).ravel()
    phi = factorize_spd(a).solve(rhs)
    full = np.zeros(n)
    full[free] = phi
    full[graph.bottom] = 1.0
    return float(np.asarray(lap[[graph.bottom]] @ full).ravel()[0])


def _coarsened(graph: Graph, node_map: np.ndarray, n_new: int) -> Graph:
    """The graph with nodes renamed by ``node_map`` (planes appended); self-loops dropped."""
    full_map = np.concatenate([node_map, [n_new, n_new + 1]])
    i, j = full_map[graph.i], full_map[graph.j]
    keep = i != j
    return Graph(n_new + 2, i[keep], j[keep], graph.r_fixed_ohm[keep], graph.cam_a[keep],
                 graph.r_cam_a_ohm[keep], graph.cam_b[keep], graph.r_cam_b_ohm[keep])


def _ionic_graph(packing: Packing, cam: np.ndarray, coarse_cell_um: float | None):
    """Ionic graph, reaction areas and the CAM surface nodes (module doc)."""
    roles = packing.role_of()
    sse = np.flatnonzero(roles == "SSE")
    bodies = np.concatenate([cam, sse])  # CAM surface nodes first, then SSE particles
    n_cam, n_b = cam.size, bodies.size
    is_cam = np.arange(n_b) < n_cam
    radius = packing.radius_um[bodies]
    center = packing.center_um[bodies]
    core = packing.core_radius_um[bodies]
    shell = packing.shell_thickness_um[bodies] > 0
    sigma = np.zeros(n_b)
    for k, (role, mat) in enumerate(zip(packing.component_roles, packing.component_materials,
                                        strict=True)):
        comp_of = packing.component[bodies] == k
        if role == "SSE":
            sigma[comp_of] = float(mat.continuum_ionic_conductivity_s_cm or 0.0)
        if role == "CAM" and k < len(packing.shell_materials) and packing.shell_materials[k]:
            shell_mat = packing.shell_materials[k]
            sigma[comp_of] = float(shell_mat.continuum_ionic_conductivity_s_cm or 0.0)
    pairs = near_pairs(center, center, radius, packing.box_um[:2], 0.0,
                       np.full(n_b, -1, np.int64))
    i, j, dist = pairs.i, pairs.j, pairs.axis_distance_um
    a, h_i, h_j = _lens(radius[i], radius[j], dist)
    cam_i, cam_j = is_cam[i], is_cam[j]
    sse_sse = ~cam_i & ~cam_j
    mixed = cam_i ^ cam_j
    shells = cam_i & cam_j & shell[i] & shell[j]
    area = np.zeros(n_cam)
    cam_end = np.where(cam_i, i, j)
    np.add.at(area, cam_end[mixed], np.pi * a[mixed] ** 2)
    area += np.where(shell[:n_cam],
                     packing.coverage[cam] * 4.0 * np.pi * core[:n_cam] ** 2, 0.0)
    r = np.full(i.size, np.inf)
    r[sse_sse] = (_side_ohm(a[sse_sse], radius[i][sse_sse], h_i[sse_sse], sigma[i][sse_sse])
                  + _side_ohm(a[sse_sse], radius[j][sse_sse], h_j[sse_sse], sigma[j][sse_sse]))
    sse_end = np.where(cam_i, j, i)
    h_sse = np.where(cam_i, h_j, h_i)
    r[mixed] = _side_ohm(a[mixed], radius[sse_end][mixed], h_sse[mixed], sigma[sse_end][mixed])
    if shells.any():
        r[shells] = (_side_ohm(a[shells], radius[i][shells], h_i[shells], sigma[i][shells])
                     + _side_ohm(a[shells], radius[j][shells], h_j[shells], sigma[j][shells]))
    keep = np.isfinite(r) & (sigma[i] + sigma[j] > 0) & (a > 0)
    ei, ej, er = [i[keep]], [j[keep]], [r[keep]]
    # plane contacts: SSE particles and coated CAM conduct into the plane; a bare CAM at the
    # separator plane reacts there (the separator's SSE touches it)
    height = packing.box_um[2]
    sep_sigma = float(np.max(sigma[~is_cam])) if (~is_cam).any() else float(sigma.max())
    for plane, z in ((n_b, center[:, 2]), (n_b + 1, height - center[:, 2])):
        cross = (np.abs(z) < radius) & (z > -radius)
        a_p = np.sqrt(np.maximum(radius**2 - z**2, 0.0))
        conducting = cross & (sigma > 0) & (~is_cam | shell)
        rp = _side_ohm(a_p, radius, np.clip(np.abs(z), 1e-6 * radius, radius),
                       np.maximum(sigma, 1e-30))
        ei.append(np.flatnonzero(conducting))
        ej.append(np.full(int(conducting.sum()), plane))
        er.append(rp[conducting])
        if plane == n_b + 1:
            bare = cross & is_cam & ~shell
            area[bare[:n_cam]] += np.pi * a_p[:n_cam][bare[:n_cam]] ** 2
            ei.append(np.flatnonzero(bare))
            ej.append(np.full(int(bare.sum()), plane))
            er.append(UM_PER_CM / (4.0 * np.maximum(a_p[bare], 1e-9) * sep_sigma))
    fine = plain_graph(n_b + 2, np.concatenate(ei), np.concatenate(ej), np.concatenate(er))
    if coarse_cell_um is None:
        return fine, area, np.arange(n_cam)
    cell = _cells(center, coarse_cell_um)
    inner = (fine.i < n_b) & (fine.j < n_b)
    # CAM surface nodes never merge: the merge only joins SSE bodies
    node = _merge_nodes(n_b, ~is_cam, cell, fine.i[inner], fine.j[inner])
    coarse = _coarsened(fine, node, int(node.max()) + 1)
    target = plane_conductance_s(fine)
    sse_new = np.zeros(coarse.n_nodes, bool)
    sse_new[node[~is_cam]] = True
    between = sse_new[coarse.i] & sse_new[coarse.j]
    for _ in range(4):
        got = plane_conductance_s(coarse)
        if not (target > 0 and got > 0) or abs(got / target - 1.0) < 1e-3:
            break
        r_new = coarse.r_fixed_ohm.copy()
        r_new[between] *= got / target
        coarse = replace(coarse, r_fixed_ohm=r_new)
    return coarse, area, node[:n_cam]


def _electronic_graph(packing: Packing, cam: np.ndarray, coarse_cell_um: float | None,
                      carbon_equipotential: bool = False):
    """Electronic graph with each CAM's share separated, and the CAM nodes."""
    bodies = cn._bodies(packing)
    n_b = bodies.radius_um.size
    is_cam_body = bodies.kind == 0
    stiff = replace(bodies, sigma_s_cm=np.where(is_cam_body, 1e30, bodies.sigma_s_cm))
    lam = SURFACE_ROUGHNESS_UM
    bi, bj, side_i, side_j, _, _ = cn._body_edges(bodies, packing, None, 0.5, lam)
    ci, cj, cg = cn._chain_edges(bodies)
    walls = []
    for top, plane in ((False, n_b), (True, n_b + 1)):
        k, g = cn._wall_edges(bodies, packing.box_um[2], None, 0.5, top, lam)
        _, g_stiff = cn._wall_edges(stiff, packing.box_um[2], None, 0.5, top, lam)
        walls.append((k, np.full(k.size, plane), 1.0 / g_stiff, 1.0 / g - 1.0 / g_stiff))
    cam_of_body = np.full(n_b, -1, np.int64)
    lookup = np.full(len(packing), -1, np.int64)
    lookup[cam] = np.arange(cam.size)
    particle = bodies.particle
    cam_of_body[is_cam_body] = lookup[particle[is_cam_body]]
    i = np.concatenate([bi, ci, *(w[0] for w in walls)])
    j = np.concatenate([bj, cj, *(w[1] for w in walls)])
    ext = np.concatenate([cam_of_body, [-1, -1]])
    ca, cb = ext[i], ext[j]
    # each end's own share: a CAM end's at the CAM σ, the rest fixed (a wall's CAM share is
    # what the CAM σ adds over an ideal CAM)
    n_body, n_chain = bi.size, ci.size
    wall_fixed = np.concatenate([w[2] for w in walls])
    wall_cam = np.maximum(np.concatenate([w[3] for w in walls]), 0.0)
    cam_i, cam_j = ca[:n_body] >= 0, cb[:n_body] >= 0
    r_fixed = np.concatenate([np.where(cam_i, 0.0, side_i) + np.where(cam_j, 0.0, side_j),
                              1.0 / cg, wall_fixed])
    share_a = np.concatenate([np.where(cam_i, side_i, 0.0), np.zeros(n_chain),
                              np.where(ca[n_body + n_chain:] >= 0, wall_cam, 0.0)])
    share_b = np.concatenate([np.where(cam_j, side_j, 0.0), np.zeros(n_chain + wall_cam.size)])
    fine = Graph(n_b + 2, i.astype(np.int64), j.astype(np.int64), r_fixed, ca, share_a, cb,
                 share_b)
    sigma_ref = np.zeros(cam.size)
    sigma_ref[cam_of_body[is_cam_body]] = bodies.sigma_s_cm[is_cam_body]
    body_of_cam = np.full(cam.size, -1, np.int64)
    body_of_cam[cam_of_body[is_cam_body]] = np.flatnonzero(is_cam_body)
    if coarse_cell_um is None and not carbon_equipotential:
        return fine, body_of_cam, sigma_ref
    mid = 0.5 * (bodies.start_um + bodies.end_um)
    inner = (i < n_b) & (j < n_b)
    cells = (np.zeros(n_b, np.int64) if carbon_equipotential
             else _cells(mid, coarse_cell_um))
    node = _merge_nodes(n_b, ~is_cam_body, cells, i[inner], j[inner])
    coarse = _coarsened(fine, node, int(node.max()) + 1 if n_b else 0)
    mapped = np.where(body_of_cam >= 0, node[np.maximum(body_of_cam, 0)], -1)
    return coarse, mapped, sigma_ref


def particle_network(packing: Packing, *, coarse_cell_um: float | None = None,
                     carbon_equipotential: bool = False) -> ParticleNetwork:
    """The particle-resolved cell's graphs of a packing (module doc); CAM = role "CAM" with a
    core. ``coarse_cell_um`` merges SSE and carbon bodies per cell (None: every body a node);
    ``carbon_equipotential`` merges each connected carbon cluster into one node (its own
    resistance neglected; the CAM–carbon contacts kept)."""
    roles = packing.role_of()
    cam = np.flatnonzero((roles == "CAM") & (packing.core_radius_um > 0))
    ionic, area, ion_node = _ionic_graph(packing, cam, coarse_cell_um)
    electronic, el_node, sigma_ref = _electronic_graph(packing, cam, coarse_cell_um,
                                                       carbon_equipotential)
    mats = tuple(dict.fromkeys(packing.component_materials[c] for c in packing.component[cam]))
    index = np.array([mats.index(packing.component_materials[c])
                      for c in packing.component[cam]], np.int64)
    return ParticleNetwork(
        box_um=tuple(float(b) for b in packing.box_um), center_um=packing.center_um[cam].copy(),
        radius_um=packing.core_radius_um[cam].copy(), material_index=index, materials=mats,
        reaction_area_um2=area, ion_node=ion_node.astype(np.int64),
        el_node=el_node.astype(np.int64), ionic=ionic, electronic=electronic,
        sigma_ref_s_cm=sigma_ref)


def _stack_graphs(graph: Graph, copies: int) -> tuple[Graph, np.ndarray]:
    """``copies`` of a graph, the top plane of copy k being the bottom plane of copy k + 1;
    returns the graph and each copy's node offset."""
    inner = graph.n_nodes - 2
    offsets = np.arange(copies) * inner
    n_new = copies * inner + copies + 1  # inner nodes, then planes 0..copies
    parts = []
    for k, off in enumerate(offsets):
        def rename(v, k=k, off=off):
            return np.where(v < inner, v + off,
                            copies * inner + k + (v - inner))  # bottom → plane k, top → k + 1
        parts.append((rename(graph.i), rename(graph.j)))
    i = np.concatenate([p[0] for p in parts])
    j = np.concatenate([p[1] for p in parts])
    rep = lambda a: np.tile(a, copies)  # noqa: E731
    # planes in order 0..copies sit after the inner nodes; move plane 0 / copies to the end
    order = np.arange(n_new)
    first_plane = copies * inner
    order_map = order.copy()
    order_map[first_plane:] = -1
    mids = np.arange(first_plane + 1, first_plane + copies)  # seam planes stay inner nodes
    order_map[mids] = first_plane + np.arange(copies - 1)
    order_map[first_plane] = n_new - 2
    order_map[first_plane + copies] = n_new - 1
    return Graph(n_new, order_map[i], order_map[j], rep(graph.r_fixed_ohm), graph.cam_a,
                 rep(graph.r_cam_a_ohm), graph.cam_b, rep(graph.r_cam_b_ohm)), offsets


def tile_network(net: ParticleNetwork, copies: int) -> ParticleNetwork:
    """``copies`` of the twin stacked through-plane (each copy's separator face on the next
    copy's collector face, the seam an equipotential plane on both graphs); copy 0 touches
    the collector, the last the separator."""
    if copies < 1:
        raise ValueError(f"copies={copies} must be >= 1")
    if copies == 1:
        return net
    p = net.size
    ionic, ion_off = _stack_graphs(net.ionic, copies)
    electronic, el_off = _stack_graphs(net.electronic, copies)

    def cams(graph_cam: np.ndarray) -> np.ndarray:
        return np.concatenate([np.where(graph_cam >= 0, graph_cam + k * p, -1)
                               for k in range(copies)])

    ionic = replace(ionic, cam_a=cams(net.ionic.cam_a), cam_b=cams(net.ionic.cam_b))
    electronic = replace(electronic, cam_a=cams(net.electronic.cam_a),
                         cam_b=cams(net.electronic.cam_b))
    shift = np.zeros((copies, 1, 3))
    shift[:, 0, 2] = np.arange(copies) * net.box_um[2]
    box = (net.box_um[0], net.box_um[1], net.box_um[2] * copies)
    tile = lambda a: np.tile(a, copies)  # noqa: E731
    return replace(
        net, box_um=box, center_um=(net.center_um[None] + shift).reshape(-1, 3),
        radius_um=tile(net.radius_um), material_index=tile(net.material_index),
        reaction_area_um2=tile(net.reaction_area_um2),
        ion_node=np.concatenate([net.ion_node + o for o in ion_off]),
        el_node=np.concatenate([np.where(net.el_node >= 0, net.el_node + o, -1)
                                for o in el_off]),
        ionic=ionic, electronic=electronic, sigma_ref_s_cm=tile(net.sigma_ref_s_cm))


def layered_network(
    material: Material, *, radius_um: float, cam_volume_fraction: float, thickness_um: float,
    layers: int, ionic_conductivity_eff_s_cm: float, electronic_conductivity_eff_s_cm: float,
    area_ratio: float = 1.0,
) -> ParticleNetwork:
    """A homogeneous electrode as a particle network: one particle per layer, layers joined by
    the effective conductivities (finite volumes of the DFN's electrolyte and solid phases).

    The box area holds one particle per layer at the CAM volume fraction; each particle's
    reaction area is ``area_ratio`` × its sphere surface.
    """
    if layers < 1:
        raise ValueError(f"layers={layers} must be >= 1")
    h_um = thickness_um / layers
    volume = 4.0 / 3.0 * np.pi * radius_um**3
    side = float(np.sqrt(volume / (cam_volume_fraction * h_um)))
    area_cm2 = side * side * 1e-8
    z = (np.arange(layers) + 0.5) * h_um

    def chain(sigma_s_cm: float) -> Graph:
        """Nodes in a row, the end ones half a layer from their plane (both planes, so that
        copies stacked by :func:`tile_network` join; the cell blocks the wrong one)."""
        g_in = sigma_s_cm * area_cm2 / (h_um * 1e-4)
        i = [*range(layers - 1), 0, layers - 1]
        j = [*range(1, layers), layers, layers + 1]
        return plain_graph(layers + 2, i, j, [1.0 / g_in] * (layers - 1) + [0.5 / g_in] * 2)

    nodes = np.arange(layers, dtype=np.int64)
    return ParticleNetwork(
        box_um=(side, side, float(thickness_um)),
        center_um=np.stack([np.full(layers, side / 2), np.full(layers, side / 2), z], 1),
        radius_um=np.full(layers, float(radius_um)), material_index=np.zeros(layers, np.int64),
        materials=(material,),
        reaction_area_um2=np.full(layers, area_ratio * 4.0 * np.pi * radius_um**2),
        ion_node=nodes, el_node=nodes.copy(),
        ionic=chain(ionic_conductivity_eff_s_cm),
        electronic=chain(electronic_conductivity_eff_s_cm),
        sigma_ref_s_cm=np.full(layers, float(material.electronic_conductivity_s_cm or 0.0)),
    )
