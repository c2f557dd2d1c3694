"""Electronic conductivity of a pressed packing from its contact network (resistor network).

The voxel images (0.2 µm voxels) fragment 0.15 µm carbon fibres and let thin SSE shells cut
CAM–CAM contacts, so a voxel solve can report σ_e ≈ 0 for an electrode that conducts. As in
DEM electrode models (Sangrós Giménez et al., Chem. Eng. Technol. 43 (2020) 819; contact
conductance after Batchelor & O'Brien, Proc. R. Soc. A 355 (1977) 313; Holm, Electric
Contacts, 1967), this module solves a resistor network on the packing itself. Units: lengths
in µm, conductivities in S/cm, resistances in Ω (1 µm / (S/cm · µm²) = 10⁴ Ω).

Nodes: every electronically conducting body. CAM particles conduct through their core of
radius ``packing.core_radius_um`` (an SSE shell or LiNbO3 buffer is insulating); carbon-black
spheres (role
"carbon") and fibre segments (capped cylinders, ``packing.fibers``) with their material's
``electronic_conductivity_s_cm``. SSE (~1e-9 S/cm), binder and coating powders are not nodes.

Edges, each with a contact radius a (µm):

- CAM–CAM where the cores overlap, centre distance D < r_i + r_j: a is the radius of the
  circle where the two core spheres intersect (the lens the voxel image draws),
  a² = r_i² − d_i², with d_i = (D² + r_i² − r_j²) / (2D) the distance of centre i from the
  contact plane.
- CAM–CAM whose cores stay apart (gap g = D − r_i − r_j ≥ 0, an SSE shell or LiNbO3 buffer
  between them) but whose outer surfaces touch, D < R_i + R_j (R: radius with shell and
  buffer): pressing squeezes the ductile shell out of the contact and the tallest asperities of
  the rough CAM surface (primary particles) reach through it. With asperity heights
  exponentially distributed, mean λ = ``asperity_height_um`` (0.2646 µm, the roughness that
  sets partial-shell coverage in ``cathodetwin.formulas.shell_coverage_from_roughness``), the
  share of the contact bridged is f = exp(−g/λ), and the contact counts with radius
  a = a_o·√f, a_o the radius of the outer spheres' intersection circle (the bridged area as
  one spot: an upper bound on the resistance of many small spots). λ = 0 turns this off.
  The same holds for a coated CAM on the collector or separator plane (gap z_c − r, a_o² =
  R² − z_c²). A 10 nm buffer alone leaves f ≈ 0.96: electrons pass a LiNbO3-coated contact.
- Any pair with carbon (carbon–CAM, carbon–carbon, fibre–CAM, fibre–fibre, fibre–carbon) whose
  surface gap is ≤ the carbon gap g: a = ``carbon_contact_fraction`` × the smaller radius
  (CHOSEN, default ½). Carbon is placed after pressing touching particle surfaces, and a fibre
  bends where its next step of one radius would hit something, so the gap it leaves is below
  one fibre radius; the default g is therefore the larger carbon radius of the pair (0.075 µm
  for VGCF). For a coated CAM the gap is measured to its core, so carbon resting on a shell
  thicker than g does not reach the core. A partial shell (coverage < 1) is only where its
  patches are (``cathodetwin.packing.shell_patches``, the ones the compaction pressed with):
  carbon placement keeps clear of the whole outer sphere, so carbon resting on the outer
  sphere where the direction from the CAM centre misses the patches sits on bare CAM and
  counts as touching the core. Segments of one fibre are not paired by contact.
- Consecutive segments k, k+1 of one fibre (end of k == start of k+1): bulk resistance
  (ℓ_k/2 + ℓ_{k+1}/2) / (σ π r²) from midpoint to midpoint.

Resistance of a contact edge between bodies i and j:

    R = Σ_{b ∈ {i, j}} [ ψ(a / r_b) / (4 a σ_b) + h_b / (σ_b π r_b²) ],  ψ(ε) = (1 − ε)^{3/2}

the Holm constriction of a circular contact on each side, reduced by ψ for a contact that is
not small against the body (Roess's approximation for a contact of radius a on a cylinder of
radius r), plus the bulk of a cylinder of the body's radius over the length h_b from the body's
centre to the contact: for a sphere the distance to the contact plane (|d_i| for CAM–CAM, the
radius for a carbon contact), for a fibre segment the axial distance from its midpoint to the
closest point of its axis. Limits: a → 0 gives Holm's 1/(2aσ) for two equal bodies and
R → ∞ (no contact); a → r leaves only the bulk cylinder (no constriction where the contact
spans the whole cross-section), and coincident spheres (h = 0, a = r) give R → 0. Checked
against the voxel finite-volume solver on chains of overlapping spheres (12 and 24 voxels per
radius, a/r = 0.2–0.7): network / voxel = 0.94–1.18; Holm without ψ gives 0.64–0.78.

Electrodes: the current collector at z = 0 (A) and the separator face at z = H = box_um[2] (B),
blocking ideal conductors as in a DC polarisation measurement (paper 002, Fig. 3). A CAM core
that crosses the plane (centre height z_c < r) contacts it with a² = r² − z_c² and h = |z_c|;
carbon within g of the plane with the carbon rule (a = fraction × r, h as above). The electrode
side adds no resistance: R = ψ(a/r)/(4aσ) + h/(σπr²). x and y are periodic (contacts with
every periodic image within reach, fibres outside the box wrapped); only transport along z is
supported (the lateral faces are periodic, not electrodes).

Dead ends: where no path joins A and B, ``reach`` gives the depth from the collector that the
collector's component reaches and the network's σ along z over that slab (the separator plane
moved down to the highest reached body: a sphere's centre, a fibre segment's lower end), which
is what the CAM it feeds sees.

Solve: the graph Laplacian on the component that contains A (without B) for V_A = 1 V,
V_B = 0 V (sparse LU, SuperLU in symmetric mode); components not connected to both electrodes
carry no current. The current I leaving A gives σ_eff = I · H / (ΔV · A_box) in S/cm, with
A_box = box_x · box_y; σ_eff = 0 and not percolating when no path joins A and B.
``connected_to_collector`` marks the particles whose component reaches A without passing
through B (the separator face is no electron source in the cell), which is what CAM
utilization needs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from cathodetwin.analysis.transport.contact_geometry import near_pairs
from cathodetwin.analysis.transport.multigrid import factorize_spd
from cathodetwin.analysis.transport.reach import EntryReach
from cathodetwin.errors import InputError
from cathodetwin.formulas import SURFACE_ROUGHNESS_UM
from cathodetwin.packing.packing import Packing
from cathodetwin.packing.shell_patches import covered_along, shell_patches
from cathodetwin.records import Record
from cathodetwin.structure.microstructure import ELECTRONIC_ROLES

UM_PER_CM = 1.0e4
ALLOWED_AXES = ("z",)
BODY_KINDS = ("cam", "carbon", "fiber")


@dataclass(frozen=True)
class ContactNetworkResult(Record):
    """Electronic conduction through the contact network of a packing along z (see module).

    ``effective_conductivity_s_cm`` = I·H/(ΔV·A_box); ``conductance_s`` = I/ΔV between the
    electrodes in S. ``node_counts`` by body kind (cam, carbon, fiber), ``edge_counts`` by
    contact kind ("cam-fiber", ..., "fiber chain", "collector", "separator").
    ``spanning_nodes`` counts the bodies solved for (the collector's component; 0 when not
    percolating). ``connected_to_collector`` (N,) marks CAM and carbon particles electronically
    joined to the current collector; ``cam_connected_volume_fraction`` is the connected CAM
    particles' share of the CAM core volume (spheres r_core³, overlaps not removed).
    ``carbon_gap_um`` None means each pair's larger carbon radius. ``entry_reach``: depth and
    σ_eff of the slab the collector's component reaches (the whole electrode when percolating).
    ``wall_time_s``: whole call. The per-particle mask is not written.
    """

    DERIVED = ("tortuosity_factor",)

    axis: str
    box_um: tuple[float, float, float]
    carbon_gap_um: float | None
    carbon_contact_fraction: float
    asperity_height_um: float
    percolating: bool
    effective_conductivity_s_cm: float
    conductance_s: float
    node_counts: dict[str, int]
    edge_counts: dict[str, int]
    spanning_nodes: int
    particles_connected_to_collector: int
    cam_connected_volume_fraction: float
    bulk_conductance_density_s_cm: float  # Σ σ_b V_b / V_box: σ0·φ of the conducting bodies
    entry_reach: EntryReach
    wall_time_s: float
    connected_to_collector: np.ndarray | None = field(default=None, repr=False, compare=False,
                                                      metadata={"json": False})

    @property
    def tortuosity_factor(self) -> float:
        """τ² of paper 002's Eq. 5, σ0·φ/σ_eff (inf without a path), like the voxel value."""
        if not self.effective_conductivity_s_cm > 0.0:
            return math.inf
        return self.bulk_conductance_density_s_cm / self.effective_conductivity_s_cm


@dataclass(frozen=True)
class _Bodies:
    """Conducting bodies as capsules: particles (start == end) first, then fibre segments."""

    start_um: np.ndarray  # (B, 3)
    end_um: np.ndarray  # (B, 3)
    radius_um: np.ndarray  # (B,)
    outer_um: np.ndarray  # (B,) CAM radius with shell and buffer; the radius for carbon
    sigma_s_cm: np.ndarray  # (B,)
    kind: np.ndarray  # (B,) index into BODY_KINDS
    particle: np.ndarray  # (B,) packing particle index, −1 for fibre segments
    bare_extra_um: np.ndarray  # (B,) outer − core radius of partially covered CAM, else 0
    fiber: np.ndarray  # (B,) fibre number, −1 for particles

    @property
    def length_um(self) -> np.ndarray:
        """Axis length of each body in µm (0 for spheres)."""
        return np.linalg.norm(self.end_um - self.start_um, axis=1)


def _component_conductivity(packing: Packing) -> np.ndarray:
    """Electronic conductivity in S/cm per component; 0 for roles that are not conductors."""
    sigma = np.zeros(len(packing.component_names))
    for k, (name, role, material) in enumerate(
        zip(packing.component_names, packing.component_roles, packing.component_materials,
            strict=True)
    ):
        if role not in ELECTRONIC_ROLES:
            continue
        value = material.electronic_conductivity_s_cm
        if value is None:
            raise InputError(
                f"component {name!r}: material {material.name!r} has no "
                "electronic_conductivity_s_cm; set it in the recipe's overrides"
            )
        sigma[k] = value
    return sigma


def _bodies(packing: Packing) -> _Bodies:
    """The conducting particles (core spheres) and fibre segments of a packing."""
    sigma_c = _component_conductivity(packing)
    roles = np.asarray(packing.component_roles)
    core = packing.core_radius_um
    particles = np.flatnonzero((sigma_c[packing.component] > 0) & (core > 0))
    fib = packing.fibers
    segments = np.flatnonzero(sigma_c[fib.component] > 0)
    start = fib.start_um[segments]
    continues = np.zeros(segments.size, bool)
    continues[1:] = (
        np.all(start[1:] == fib.end_um[segments[:-1]], axis=1)
        & (np.diff(segments) == 1)
        & (fib.component[segments[1:]] == fib.component[segments[:-1]])
    )
    kind = np.where(roles[packing.component[particles]] == "CAM", 0, 1)
    centers = packing.center_um[particles]
    partial = (packing.shell_thickness_um > 0) & (packing.coverage < 1.0)
    extra = np.where(partial, packing.radius_um - core, 0.0)[particles]
    return _Bodies(
        start_um=np.concatenate([centers, start]),
        end_um=np.concatenate([centers, fib.end_um[segments]]),
        radius_um=np.concatenate([core[particles], fib.radius_um[segments]]),
        outer_um=np.concatenate([packing.radius_um[particles], fib.radius_um[segments]]),
        sigma_s_cm=np.concatenate([sigma_c[packing.component[particles]],
                                   sigma_c[fib.component[segments]]]),
        kind=np.concatenate([kind, np.full(segments.size, 2)]),
        particle=np.concatenate([particles, np.full(segments.size, -1)]),
        fiber=np.concatenate([np.full(particles.size, -1), np.cumsum(~continues) - 1]),
        bare_extra_um=np.concatenate([extra, np.zeros(segments.size)]),
    )


def _side_resistance_ohm(
    a_um: np.ndarray, radius_um: np.ndarray, h_um: np.ndarray, sigma_s_cm: np.ndarray
) -> np.ndarray:
    """One body's share of a contact resistance in Ω: ψ(a/r)/(4aσ) + h/(σπr²) (module doc)."""
    psi = (1.0 - np.clip(a_um / radius_um, 0.0, 1.0)) ** 1.5
    bulk = h_um / (sigma_s_cm * np.pi * radius_um**2)
    return UM_PER_CM * (psi / (4.0 * a_um * sigma_s_cm) + bulk)


def _carbon_gap(
    bodies: _Bodies, i: np.ndarray, j: np.ndarray, carbon_gap_um: float | None
) -> np.ndarray:
    """Gap tolerance (µm) of each pair i, j with carbon: given, or the larger carbon radius."""
    if carbon_gap_um is not None:
        return np.full(i.size, carbon_gap_um)
    carbon_r = np.where(bodies.kind > 0, bodies.radius_um, 0.0)
    return np.maximum(carbon_r[i], carbon_r[j])


def _on_bare_patch(bodies: _Bodies, pairs, rows: np.ndarray, packing: Packing) -> np.ndarray:
    """For carbon–CAM pair rows: whether the carbon lies off the CAM's shell patches."""
    i, j = pairs.i[rows], pairs.j[rows]
    cam_is_i = bodies.kind[i] == 0
    cam = np.where(cam_is_i, i, j)
    other = np.where(cam_is_i, j, i)
    t = np.where(cam_is_i, pairs.t[rows], pairs.s[rows])[:, None]
    shift = np.where(cam_is_i[:, None], pairs.shift_um[rows], -pairs.shift_um[rows])
    point = bodies.start_um[other] + t * (bodies.end_um[other] - bodies.start_um[other]) + shift
    direction = point - bodies.start_um[cam]
    direction /= np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-12)
    seed = int(packing.provenance.get("compaction", {}).get("patch_seed", 0))
    coverage = np.where(packing.shell_thickness_um > 0, packing.coverage, 1.0)
    dirs, thresholds = shell_patches(coverage, seed)
    return ~covered_along(direction, bodies.particle[cam], coverage, dirs, thresholds)


def _bridged_share(gap_um: np.ndarray, asperity_um: float) -> np.ndarray:
    """Share of a coated contact that asperities bridge across a core gap (µm): exp(−g/λ)."""
    if asperity_um <= 0.0:
        return np.zeros_like(gap_um)
    return np.exp(-np.maximum(gap_um, 0.0) / asperity_um)


def _body_edges(
    bodies: _Bodies, packing: Packing, carbon_gap_um: float | None, fraction: float,
    asperity_um: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Contact edges between bodies: (i, j, each side's resistance in Ω, kind-pair code
    3 k_i + k_j) and the number of CAM–CAM edges bridged through a shell or buffer."""
    r = bodies.radius_um
    carbon = bodies.kind > 0
    if carbon.any():
        reach = carbon_gap_um if carbon_gap_um is not None else float(r[carbon].max())
    else:
        reach = 0.0
    # search with the outer sphere of coated CAM (carbon may rest on a bare patch, coated
    # particles touch with their outer surfaces)
    pairs = near_pairs(bodies.start_um, bodies.end_um, np.maximum(bodies.outer_um, r),
                       packing.box_um[:2], reach, bodies.fiber)
    i, j, dist = pairs.i, pairs.j, pairs.axis_distance_um
    cam_pair = (bodies.kind[i] == 0) & (bodies.kind[j] == 0)
    gap = dist - r[i] - r[j]
    tolerance = _carbon_gap(bodies, i, j, carbon_gap_um)
    outer_i, outer_j = bodies.outer_um[i], bodies.outer_um[j]
    through = cam_pair & (gap >= 0.0) & (dist < outer_i + outer_j) & (asperity_um > 0.0)
    contact = np.where(cam_pair, (gap < 0.0) | through, gap <= tolerance)
    extra = np.maximum(bodies.bare_extra_um[i], bodies.bare_extra_um[j])
    maybe = np.flatnonzero(~cam_pair & ~contact & (extra > 0) & (gap <= tolerance + extra))
    if maybe.size:
        on_bare = _on_bare_patch(bodies, pairs, maybe, packing)
        contact[maybe] = on_bare & (gap[maybe] - extra[maybe] <= tolerance[maybe])
    i, j, dist, cam_pair = i[contact], j[contact], dist[contact], cam_pair[contact]
    through, gap = through[contact], gap[contact]
    s, t = pairs.s[contact], pairs.t[contact]
    ri, rj = r[i], r[j]
    # CAM–CAM: intersection circle of the two core spheres, or of the outer spheres with the
    # bridged share of its area where a shell or buffer keeps the cores apart.
    li = np.where(through, bodies.outer_um[i], ri)
    lj = np.where(through, bodies.outer_um[j], rj)
    safe = np.maximum(dist, 1e-12)
    d_i = (dist**2 + li**2 - lj**2) / (2.0 * safe)
    inside = dist <= np.abs(li - lj)
    a_lens = np.sqrt(np.where(inside, np.minimum(li, lj) ** 2, np.maximum(li**2 - d_i**2, 0.0)))
    a_lens = np.where(through, a_lens * np.sqrt(_bridged_share(gap, asperity_um)), a_lens)
    d_i = np.clip(d_i, -ri, ri)
    a = np.where(cam_pair, np.minimum(a_lens, np.minimum(ri, rj)), fraction * np.minimum(ri, rj))
    length = bodies.length_um
    h_i = np.where(bodies.kind[i] == 2, np.abs(s - 0.5) * length[i],
                   np.where(cam_pair, np.abs(d_i), ri))
    h_j = np.where(bodies.kind[j] == 2, np.abs(t - 0.5) * length[j],
                   np.where(cam_pair, np.clip(np.abs(dist - d_i), 0.0, rj), rj))
    side_i = _side_resistance_ohm(a, ri, h_i, bodies.sigma_s_cm[i])
    side_j = _side_resistance_ohm(a, rj, h_j, bodies.sigma_s_cm[j])
    ki, kj = np.minimum(bodies.kind[i], bodies.kind[j]), np.maximum(bodies.kind[i], bodies.kind[j])
    return i, j, side_i, side_j, len(BODY_KINDS) * ki + kj, int(np.count_nonzero(through))


def _chain_edges(bodies: _Bodies) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bulk edges between consecutive segments of one fibre: (i, j, conductance S)."""
    seg = np.flatnonzero(bodies.kind == 2)
    same = seg[1:][bodies.fiber[seg[1:]] == bodies.fiber[seg[:-1]]]
    i, j = same - 1, same
    half = 0.5 * bodies.length_um
    r, sigma = bodies.radius_um, bodies.sigma_s_cm
    resistance = UM_PER_CM * (half[i] / (sigma[i] * np.pi * r[i] ** 2)
                              + half[j] / (sigma[j] * np.pi * r[j] ** 2))
    return i, j, 1.0 / resistance


def _wall_edges(
    bodies: _Bodies, height_um: float, carbon_gap_um: float | None, fraction: float, top: bool,
    asperity_um: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Contacts of bodies with the plane z = 0 (or z = H if ``top``): (body, conductance S)."""
    z0, z1 = bodies.start_um[:, 2], bodies.end_um[:, 2]
    if top:
        z0, z1 = height_um - z0, height_um - z1
    r = bodies.radius_um
    # Distance of the axis from the plane at the lowest end, and that end's parameter.
    lowest = np.minimum(z0, z1)
    s = np.where(z0 < z1, 0.0, np.where(z0 > z1, 1.0, 0.5))
    cam = bodies.kind == 0
    tol = r if carbon_gap_um is None else np.full(r.size, carbon_gap_um)
    outer = bodies.outer_um
    through = cam & (lowest >= r) & (lowest < outer) & (asperity_um > 0.0)
    touching = np.where(cam, (lowest < r) | through, lowest - r <= tol)
    touching &= (bodies.kind == 2) | (lowest > -r)  # a sphere beyond the plane misses it
    a_core = np.sqrt(np.maximum(r**2 - lowest**2, 0.0))
    a_through = np.sqrt(np.maximum(outer**2 - lowest**2, 0.0)
                        * _bridged_share(lowest - r, asperity_um))
    a = np.where(cam, np.where(through, np.minimum(a_through, r), a_core), fraction * r)
    # bulk from the centre to the plane (within the body); a plane through a centre leaves a
    # 10⁻⁶ r sliver so that the conductance stays finite
    lowest = np.clip(np.abs(lowest), 1e-6 * r, r)
    h = np.where(bodies.kind == 2, np.abs(s - 0.5) * bodies.length_um,
                 np.where(cam, np.abs(lowest), r))
    k = np.flatnonzero(touching)
    return k, 1.0 / _side_resistance_ohm(a[k], r[k], h[k], bodies.sigma_s_cm[k])


def _conductance_s(
    u: np.ndarray, v: np.ndarray, g: np.ndarray, node_a: int, reached: np.ndarray,
    exits: np.ndarray, g_exits: np.ndarray,
) -> float:
    """Current in A leaving the collector node ``node_a`` at 1 V with the separator at 0 V.

    Edges u–v of conductance g (S; v == node_a for collector contacts); ``reached`` marks the
    nodes in the collector's component, ``exits`` the bodies among them touching the separator
    with conductances ``g_exits``. Kirchhoff's current law on the reached bodies is a
    symmetric positive definite system, solved by sparse LU.
    """
    free = np.flatnonzero(reached[:node_a])
    index = np.full(node_a + 1, -1)
    index[free] = np.arange(free.size)
    inner = (index[u] >= 0) & (index[v] >= 0)
    ui, vi, gi = index[u[inner]], index[v[inner]], g[inner]
    to_a = (v == node_a) & (index[u] >= 0)
    feed = np.bincount(index[u[to_a]], g[to_a], free.size)
    diagonal = (np.bincount(ui, gi, free.size) + np.bincount(vi, gi, free.size) + feed
                + np.bincount(index[exits], g_exits, free.size))
    scale = float(diagonal.max())
    rows = np.concatenate([ui, vi, np.arange(free.size)])
    cols = np.concatenate([vi, ui, np.arange(free.size)])
    laplacian = coo_matrix((np.concatenate([-gi, -gi, diagonal]) / scale, (rows, cols)),
                           shape=(free.size, free.size)).tocsc()
    factor = factorize_spd(laplacian)
    potential = factor.solve(feed / scale)
    return float(np.sum(g[to_a] * (1.0 - potential[index[u[to_a]]])))


def _check_arguments(
    axis: str, carbon_gap_um: float | None, fraction: float, asperity_um: float
) -> None:
    """ValueError naming the argument, its value and what is allowed."""
    if axis not in ALLOWED_AXES:
        raise InputError(
            f"axis must be one of {ALLOWED_AXES} (collector z = 0 to separator z = box_um[2]; "
            f"x and y are periodic), got {axis!r}"
        )
    if carbon_gap_um is not None and not (math.isfinite(carbon_gap_um) and carbon_gap_um >= 0):
        raise InputError(
            f"carbon_gap_um must be None or a finite gap ≥ 0 µm, got {carbon_gap_um!r}"
        )
    if not 0.0 < fraction <= 1.0:
        raise InputError(f"carbon_contact_fraction must be in (0, 1], got {fraction!r}")
    if not (math.isfinite(asperity_um) and asperity_um >= 0.0):
        raise InputError(
            f"asperity_height_um must be a finite height ≥ 0 µm (0: no asperity contacts "
            f"through shells), got {asperity_um!r}"
        )


def electronic_contact_network(
    packing: Packing,
    *,
    axis: str = "z",
    carbon_gap_um: float | None = None,
    carbon_contact_fraction: float = 0.5,
    asperity_height_um: float = SURFACE_ROUGHNESS_UM,
) -> ContactNetworkResult:
    """Electronic σ_eff (S/cm) of a packing along z from its contact resistor network.

    Nodes are CAM cores, carbon spheres and fibre segments; edges their contacts with Holm
    constriction and bulk resistances; the electrodes are the planes z = 0 (current collector)
    and z = box height (separator). See the module docstring for the contact rules.

    Parameters
    ----------
    packing : Packing
        The pressed particles and fibres.
    axis : {"z"}, optional
        Transport axis; only z (x and y are periodic).
    carbon_gap_um : float, optional
        Largest surface gap in µm that still makes a carbon contact; default the larger carbon
        radius of the pair.
    carbon_contact_fraction : float, optional
        Carbon contact radius over the smaller radius of the pair (0..1]; default 0.5.
    asperity_height_um : float, optional
        Mean asperity height λ in µm of the CAM surface that bridges squeezed shells and
        buffers (0: none).

    Returns
    -------
    ContactNetworkResult
        σ_eff (S/cm), conductance between the electrodes (S), node and edge counts, the
        particles joined to the collector, their share (0..1) of the CAM volume, and the depth
        (µm) and σ_eff (S/cm) the collector's network reaches.

    Examples
    --------
    A column of overlapping NCM811 spheres (radius 1 µm) from collector to separator:

    >>> import numpy as np
    >>> from cathodetwin.analysis import electronic_contact_network
    >>> from cathodetwin.packing import Packing
    >>> centres = np.array([[2.0, 2.0, z] for z in (0.5, 2.0, 3.5, 5.0)])
    >>> column = Packing(
    ...     box_um=(4.0, 4.0, 5.5), center_um=centres,
    ...     radius_um=np.ones(4), component=np.zeros(4, np.int16), component_names=("NCM",),
    ...     component_roles=("CAM",), component_materials=("NCM811",),
    ...     shell_thickness_um=np.zeros(4), coverage=np.zeros(4), buffer_thickness_um=np.zeros(4))
    >>> net = electronic_contact_network(column)
    >>> net.percolating, net.edge_counts["cam-cam"], net.particles_connected_to_collector
    (True, 3, 4)
    >>> net.effective_conductivity_s_cm > 0
    True
    """
    start = time.perf_counter()
    _check_arguments(axis, carbon_gap_um, carbon_contact_fraction, asperity_height_um)
    box = packing.box_um
    height = box[2]
    bodies = _bodies(packing)
    n = bodies.radius_um.size
    node_a = n  # the collector; the separator face (0 V) enters the solve as diagonal terms
    bi, bj, side_i, side_j, bpair, through = _body_edges(
        bodies, packing, carbon_gap_um, carbon_contact_fraction, asperity_height_um)
    bg = 1.0 / (side_i + side_j)
    ci, cj, cg = _chain_edges(bodies)
    walls = (carbon_gap_um, carbon_contact_fraction)
    ka, ga = _wall_edges(bodies, height, *walls, top=False, asperity_um=asperity_height_um)
    kb, gb = _wall_edges(bodies, height, *walls, top=True, asperity_um=asperity_height_um)
    kinds = len(BODY_KINDS)
    per_pair = np.bincount(bpair, minlength=kinds * kinds)
    edge_counts = {f"{BODY_KINDS[x]}-{BODY_KINDS[y]}": int(per_pair[kinds * x + y])
                   for x in range(kinds) for y in range(x, kinds)}
    edge_counts |= {"cam-cam through shell": through, "fiber chain": int(ci.size),
                    "collector": int(ka.size), "separator": int(kb.size)}
    node_counts = {name: int(np.count_nonzero(bodies.kind == k))
                   for k, name in enumerate(BODY_KINDS)}

    # Graph without B: what reaches the collector, and whether B's contacts are among it.
    u = np.concatenate([bi, ci, ka])
    v = np.concatenate([bj, cj, np.full(ka.size, node_a)])
    g = np.concatenate([bg, cg, ga])
    graph = coo_matrix((np.ones(u.size), (u, v)), shape=(n + 1, n + 1))
    _, component = connected_components(graph, directed=False)
    reached = component == component[node_a]
    connected = np.zeros(len(packing), bool)
    particle_bodies = bodies.particle >= 0
    connected[bodies.particle[particle_bodies]] = reached[:n][particle_bodies]
    cam = bodies.kind == 0
    core_volume = bodies.radius_um[cam] ** 3
    cam_share = (float(core_volume[reached[:n][cam]].sum() / core_volume.sum())
                 if core_volume.size else 0.0)
    exits = reached[kb]
    percolating = bool(exits.any())
    spanning = int(np.count_nonzero(reached[:n])) if percolating else 0
    conductance = (_conductance_s(u, v, g, node_a, reached, kb[exits], gb[exits])
                   if percolating else 0.0)
    sigma_eff = conductance * height / (box[0] * box[1]) * UM_PER_CM
    r, length = bodies.radius_um, bodies.length_um
    volume = np.where(bodies.kind == 2, np.pi * r**2 * length, 4.0 / 3.0 * np.pi * r**3)
    sigma_volume = bodies.sigma_s_cm * volume
    sigma_phi = float(np.sum(sigma_volume)) / (box[0] * box[1] * height)
    depth, sigma_reach, phi_reach = height, sigma_eff, sigma_phi
    if not percolating:  # the separator plane moved down to the highest reached body
        low_end = np.minimum(bodies.start_um[:, 2], bodies.end_um[:, 2])
        depth = float(low_end[reached[:n]].max()) if reached[:n].any() else 0.0
        sigma_reach = 0.0
        if depth > 0.0:
            kt, gt = _wall_edges(bodies, depth, *walls, top=True, asperity_um=asperity_height_um)
            ends = reached[kt]
            g_slab = _conductance_s(u, v, g, node_a, reached, kt[ends], gt[ends])
            sigma_reach = g_slab * depth / (box[0] * box[1]) * UM_PER_CM
            phi_reach = float(np.sum(sigma_volume[low_end <= depth])) / (box[0] * box[1] * depth)
    reach = EntryReach("electronic", depth, height, sigma_reach,
                       phi_reach / sigma_reach if sigma_reach > 0 else math.inf)
    return ContactNetworkResult(
        axis=axis, box_um=box, carbon_gap_um=carbon_gap_um,
        carbon_contact_fraction=carbon_contact_fraction, asperity_height_um=asperity_height_um,
        percolating=percolating,
        effective_conductivity_s_cm=sigma_eff, conductance_s=conductance,
        node_counts=node_counts, edge_counts=edge_counts, spanning_nodes=spanning,
        particles_connected_to_collector=int(np.count_nonzero(connected)),
        cam_connected_volume_fraction=cam_share, bulk_conductance_density_s_cm=sigma_phi,
        entry_reach=reach,
        wall_time_s=time.perf_counter() - start,
        connected_to_collector=connected,
    )
