"""Ionic conduction of a pressed packing through its real contacts (particle/contact network).

Why a network and not the voxel image: at 0.2 µm voxels every electrolyte–electrolyte overlap
is drawn as a fully bonded bridge at bulk σ and a neck narrower than a voxel either vanishes or
becomes a voxel-wide bridge; neither carries the grain-boundary resistance of a cold-pressed
argyrodite, which is what brings a pellet from its grain σ (several mS/cm) down to the 1–2 mS/cm
measured. The packing knows every contact radius exactly, so the ionic network mirrors the
electronic one (:mod:`cathodetwin.analysis.transport.contact_network`): same Holm/Roess
constriction, same bulk cylinder per side, plus an area-specific interface resistance per
contact. It costs a sparse LU on ~10⁴ nodes instead of a voxel solve. The voxel route stays for
imported images (no packing) and is the check: on a well-resolved packing with the interface
resistance set to 0 both routes agree (tests/transport/test_ionic_network.py).

Units: lengths in µm, σ in S/cm, resistances in Ω, ASR in Ω·cm² (1 µm/(S/cm·µm²) = 10⁴ Ω,
1 Ω·cm²/µm² = 10⁸ Ω).

Nodes: electrolyte particles (role "SSE") with the grain (bulk) conductivity σ_g of their
material (``ionic_conductivity_s_cm``; τ's σ_ref is the SSE-volume mean of the pellet values).
CAM particles are sinks for the per-particle access resistance only (their Li transport is
solid diffusion, not part of σ_ion,eff); SSE shells on CAM and LiNbO3 buffers are not nodes (a
packing with SSE shells is flagged: its shells conduct only in the voxel route).

Edges, contact radius a of the two spheres' intersection circle (a² = r_i² − d_i²):

- SSE–SSE neck: R = Σ_sides [ψ(a/r)/(4aσ_g) + h/(σ_g π r²)] + ASR_gb / (π a²), ψ(ε) = (1−ε)^{3/2}
  (Holm 1/(4aσ) per side, Roess's reduction, bulk cylinder from centre to contact plane, as in
  the electronic network) plus the grain boundary.
- CAM–SSE contact (CAM outer sphere, with shell/buffer): the SSE side of the same formula plus
  (ASR_int + t_buffer/σ_buffer) / (π a²) for the CAM|SSE interface and a LiNbO3-type buffer.
- Faces: an SSE sphere cut by z = 0 or z = H contacts the ideal face with a² = r² − z_c², its
  side only (a measurement electrode or the separator's continuation, no boundary on the cut).

x and y are periodic (every periodic image within reach). σ_ion,eff = G·H/A_box between the
faces (z = H separator at 0 V, z = 0 at 1 V), on the component joining both faces.

Access resistance of CAM particle p: the resistance between the separator face and p, with
p attached to its SSE contacts k by conductances g_k and the rest of the SSE network grounded at
the separator only: R_p = 1 / (1ᵀ (M + G⁻¹)⁻¹ 1), M = (L⁻¹)_KK the transfer resistances of the
contact nodes (L the Laplacian grounded at the separator), G = diag(g_k); all blocks M come from
one factorisation by sparse forward solves (:mod:`cathodetwin.analysis.transport.
transfer_resistance`). Utilization thresholds
the dimensionless access number N_p = 4π σ_ref r_p R_p: a sphere embedded in a homogeneous
medium of the pellet σ has the spreading resistance 1/(4πσr), N = 1; a particle reached only
through necks of radius a ≪ r has N ~ π r σ_ref / (a σ_g) ≫ 1. (The overpotential I_1C · R_p of
the particle's own 1C current alone is also given; it ignores the other particles' currents
and is far below a millivolt, so it is no criterion.)

N includes the whole path through the layer, so it depends on the box and on σ_ion,eff. The
local part is the contact access number N_c = 4π σ_ref r R_contact with R_contact = 1/Σ_k g_k
over p's contacts whose SSE particle reaches the separator (∞ without one; R_contact ≤
R_access by Rayleigh's monotonicity): it depends only on the particle and its contacts. The
utilization at rate counts a CAM with N_c ≤ 10 (CHOSEN, docs/transport.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix, csc_matrix
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu

from cathodetwin.analysis.transport.contact_geometry import near_pairs
from cathodetwin.analysis.transport.transfer_resistance import inverse_blocks
from cathodetwin.errors import InputError
from cathodetwin.packing.packing import Packing
from cathodetwin.records import Record

UM_PER_CM = 1.0e4
UM2_PER_CM2 = 1.0e8
# Grain-boundary area-specific resistance of cold-pressed Li6PS5Cl (Ω·cm²): CALIBRATED on the
# pure pellet (see GRAIN_BOUNDARY_SOURCE), the only free parameter of the network.
GRAIN_BOUNDARY_ASR_OHM_CM2 = 1.89e-2
GRAIN_BOUNDARY_SOURCE = (
    "calibrated so that a twin of a pure cold-pressed Li6PS5Cl pellet (D50 1.5 µm, GSD 1.3, "
    "500 MPa, 1441 particles, porosity 0.135 with the 0.5.0 DEM) gives the pellet σ 2.0 mS/cm "
    "(library pellet_ionic_conductivity_s_cm) with the grain σ 4.3 mS/cm: 1.89e-2 Ω·cm² "
    "(benchmarks/ionic_pellet.py). Without GBs the pellet twin gives 4.70 mS/cm, above the grain "
    "σ: the bulk-cylinder term overestimates heavily overlapping spheres, and this ASR also "
    "absorbs that (issue 18 report)"
)
# CAM|SSE interface ASR (Ω·cm²): the same argyrodite boundary on the electrolyte side (no
# separate pure-material datum; chosen equal to the GB value, stated as a choice).
CAM_INTERFACE_ASR_OHM_CM2 = GRAIN_BOUNDARY_ASR_OHM_CM2
# Access number N = 4π σ_ref r R_access: 1 for a sphere embedded in a homogeneous pellet-σ
# medium (spreading resistance 1/(4πσr)); ≫ 1 where the ionic access is through small necks.
ACCESS_NUMBER_THRESHOLDS = (2.0, 5.0, 10.0, 20.0, 50.0)
# Contact access number N_c = 4π σ_ref r R_contact, R_contact = 1/Σ g_k over the particle's
# contacts that lead to the separator: local and box-independent (docs/transport.md).
CONTACT_ACCESS_THRESHOLDS = (1.0, 2.0, 5.0, 10.0, 20.0)
# CHOSEN before measuring (docs/transport.md): a particle counts as used at rate when its own
# contacts cost at most ten times the spreading resistance of an ideal embedding ("≫ 1" read
# as an order of magnitude); one Holm neck with the pellet ASR reaches it at a ≈ 0.4 r.
CONTACT_ACCESS_HEADLINE = 10.0


@dataclass(frozen=True)
class IonicNetwork(Record):
    """Through-plane σ_ion,eff of the SSE contact network and each CAM particle's access.

    ``tortuosity_factor`` is σ_ref·φ_SSE/σ_eff with σ_ref the electrolyte's pellet σ where the
    library has one (the σ0 the papers divide by), else the grain σ. ``access_resistance_ohm``
    and ``access_overpotential_1c_mv`` are per entry of ``cam_particles`` (packing indices),
    ∞ for a CAM particle with no ionic path to the separator; ``access_number`` is
    N = 4π σ_ref r R_access (-), 1 for a sphere embedded in a homogeneous medium of the pellet σ.
    ``contact_resistance_ohm`` is 1/Σ g_k over the particle's own CAM–SSE contacts whose SSE
    particle reaches the separator (∞ without one), ``contact_access_number`` N_c = 4π σ_ref r
    R_contact (-) and ``contact_overpotential_1c_mv`` its 1C drop (mV): the local, box-free
    part of the access (R_contact ≤ R_access always). The arrays are not written: a reloaded
    record keeps ``utilization_by_access_number`` and ``utilization_by_contact_access_number``,
    the CAM volume share with N (N_c) at most each threshold (keys "2", "5", ...), and
    ``path_cam_volume_fraction``, the CAM volume share with any ionic path (N < ∞).
    """

    DERIVED = ("tortuosity_factor",)

    percolating: bool
    effective_conductivity_s_cm: float
    conductance_s: float
    grain_conductivity_s_cm: float
    reference_conductivity_s_cm: float
    sse_volume_fraction: float
    grain_boundary_asr_ohm_cm2: float
    cam_interface_asr_ohm_cm2: float
    node_counts: dict[str, int]
    edge_counts: dict[str, int]
    sse_shells_ignored: bool
    wall_time_s: float
    utilization_by_access_number: dict[str, float] = field(default_factory=dict)
    utilization_by_contact_access_number: dict[str, float] = field(default_factory=dict)
    path_cam_volume_fraction: float | None = None
    cam_particles: np.ndarray | None = field(default=None, repr=False, compare=False,
                                             metadata={"json": False})
    cam_volume_um3: np.ndarray | None = field(default=None, repr=False, compare=False,
                                              metadata={"json": False})
    access_resistance_ohm: np.ndarray | None = field(default=None, repr=False, compare=False,
                                                     metadata={"json": False})
    access_overpotential_1c_mv: np.ndarray | None = field(
        default=None, repr=False, compare=False, metadata={"json": False})
    access_number: np.ndarray | None = field(default=None, repr=False, compare=False,
                                             metadata={"json": False})
    contact_resistance_ohm: np.ndarray | None = field(
        default=None, repr=False, compare=False, metadata={"json": False})
    contact_access_number: np.ndarray | None = field(
        default=None, repr=False, compare=False, metadata={"json": False})
    contact_overpotential_1c_mv: np.ndarray | None = field(
        default=None, repr=False, compare=False, metadata={"json": False})

    @property
    def tortuosity_factor(self) -> float:
        """τ = σ_ref·φ_SSE/σ_eff (-), ∞ without a path."""
        if not self.effective_conductivity_s_cm > 0.0:
            return math.inf
        return (self.reference_conductivity_s_cm * self.sse_volume_fraction
                / self.effective_conductivity_s_cm)

    def utilization_at(self, threshold: float, *, contact: bool = False) -> float:
        """CAM volume share (0..1) whose access number N (-), or contact access number N_c
        with ``contact``, is at most ``threshold``."""
        if self.cam_volume_um3 is None:
            raise ValueError("per-particle access data are not kept in a reloaded record")
        number = self.contact_access_number if contact else self.access_number
        return _volume_share(self.cam_volume_um3, number <= threshold)


def _volume_share(volume_um3: np.ndarray, used: np.ndarray) -> float:
    """Share (0..1) of the total volume (µm³) in the ``used`` entries, 0 without volume."""
    total = float(volume_um3.sum())
    return float(volume_um3[used].sum() / total) if total > 0.0 else 0.0


def _holm_side_ohm(a_um, radius_um, h_um, sigma_s_cm):
    """One sphere's share of a contact in Ω: ψ(a/r)/(4aσ) + h/(σπr²) (electronic network's)."""
    psi = (1.0 - np.clip(a_um / radius_um, 0.0, 1.0)) ** 1.5
    bulk = h_um / (sigma_s_cm * np.pi * radius_um**2)
    return UM_PER_CM * (psi / (4.0 * a_um * sigma_s_cm) + bulk)


def _interface_ohm(a_um, asr_ohm_cm2):
    """Interface resistance in Ω of a contact disc of radius a (µm) with ASR (Ω·cm²)."""
    return asr_ohm_cm2 * UM2_PER_CM2 / (np.pi * a_um**2)


def _lens(dist, ri, rj):
    """Contact radius (µm) of two overlapping spheres and distance of centre i to the plane."""
    safe = np.maximum(dist, 1e-12)
    d_i = (dist**2 + ri**2 - rj**2) / (2.0 * safe)
    inside = dist <= np.abs(ri - rj)
    a = np.sqrt(np.where(inside, np.minimum(ri, rj) ** 2, np.maximum(ri**2 - d_i**2, 0.0)))
    return a, np.clip(d_i, -ri, ri)


def _component_values(packing: Packing) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per component: grain σ and reference (pellet, else grain) σ of SSE components (S/cm),
    and the ASR (Ω·cm²) of a CAM component's buffer, t/σ_buffer (0 without one)."""
    k = len(packing.component_names)
    grain, reference, buffer_asr = np.zeros(k), np.zeros(k), np.zeros(k)
    for c, (role, material) in enumerate(zip(packing.component_roles,
                                             packing.component_materials, strict=True)):
        if role == "SSE":
            sigma = material.ionic_conductivity_s_cm
            if sigma is None or not sigma > 0:
                raise InputError(f"material {material.name!r} has no ionic_conductivity_s_cm")
            grain[c] = sigma
            reference[c] = material.continuum_ionic_conductivity_s_cm
        buffer = packing.buffer_materials[c] if packing.buffer_materials else None
        if role == "CAM" and buffer is not None:
            sigma_b = buffer.ionic_conductivity_s_cm
            if sigma_b is None or not sigma_b > 0:
                raise InputError(f"buffer material {buffer.name!r} has no ionic_conductivity_s_cm")
            buffer_asr[c] = 1.0 / sigma_b  # × thickness in cm, per particle
    return grain, reference, buffer_asr


def ionic_network(
    packing: Packing,
    *,
    grain_boundary_asr_ohm_cm2: float = GRAIN_BOUNDARY_ASR_OHM_CM2,
    cam_interface_asr_ohm_cm2: float = CAM_INTERFACE_ASR_OHM_CM2,
) -> IonicNetwork:
    """σ_ion,eff (S/cm) through-plane and per-CAM access resistance (Ω) of a packing's SSE network.

    Parameters
    ----------
    packing : Packing
        The pressed packing (x, y periodic; z from collector 0 to separator ``box_um[2]``).
    grain_boundary_asr_ohm_cm2 : float, optional
        ASR of an SSE–SSE neck (Ω·cm²); default the pellet calibration.
    cam_interface_asr_ohm_cm2 : float, optional
        ASR of a CAM–SSE contact (Ω·cm²).

    Returns
    -------
    IonicNetwork
        σ_eff (S/cm), τ (-), counts, and per CAM particle the access resistance (Ω) and 1C
        access overpotential (mV) and access number (-).

    Examples
    --------
    >>> import numpy as np
    >>> from cathodetwin.analysis.transport.ionic_network import ionic_network
    >>> from cathodetwin.materials import get_material
    >>> from cathodetwin.packing import Packing
    >>> column = Packing(
    ...     box_um=(4.0, 4.0, 5.5), center_um=np.array([[2.0, 2.0, z] for z in (0.5, 2, 3.5, 5)]),
    ...     radius_um=np.ones(4), component=np.zeros(4, np.int16), component_names=("LPSCl",),
    ...     component_roles=("SSE",), component_materials=(get_material("Li6PS5Cl"),),
    ...     shell_thickness_um=np.zeros(4), coverage=np.zeros(4), buffer_thickness_um=np.zeros(4))
    >>> net = ionic_network(column)
    >>> net.percolating, net.edge_counts["sse-sse"]
    (True, 3)
    """
    start = time.perf_counter()
    for name, value in (("grain_boundary_asr_ohm_cm2", grain_boundary_asr_ohm_cm2),
                        ("cam_interface_asr_ohm_cm2", cam_interface_asr_ohm_cm2)):
        if not (np.isfinite(value) and value >= 0.0):
            raise InputError(f"{name} must be a finite ASR ≥ 0 Ω·cm², got {value!r}")
    roles = np.asarray(packing.component_roles)
    role = roles[packing.component]
    if not np.any(role == "SSE"):
        raise InputError("the packing has no electrolyte (role 'SSE') particles")
    grain_c, reference_c, buffer_c = _component_values(packing)
    box = packing.box_um
    height = float(box[2])
    area_um2 = float(box[0] * box[1])
    sse = np.flatnonzero(role == "SSE")
    cam = np.flatnonzero(role == "CAM")
    shells = bool(np.any((packing.shell_thickness_um > 0) & (role == "CAM")))
    n = sse.size
    centers = packing.center_um
    radius = packing.radius_um
    bodies = np.concatenate([sse, cam])
    sigma_all = grain_c[packing.component[bodies]]  # grain σ of SSE bodies (0 for CAM)
    sse_volume_um3 = 4.0 / 3.0 * np.pi * radius[sse] ** 3
    reference = float(np.sum(reference_c[packing.component[sse]] * sse_volume_um3)
                      / np.sum(sse_volume_um3))
    # CAM buffer (e.g. LiNbO3) in series at each CAM–SSE contact: t / σ_buffer (Ω·cm²)
    cam_buffer_asr = buffer_c[packing.component[cam]] * packing.buffer_thickness_um[cam] * 1e-4
    # Near pairs among SSE and CAM (outer spheres), overlaps only.
    pairs = near_pairs(centers[bodies], centers[bodies], radius[bodies], box[:2], 0.0,
                       np.full(bodies.size, -1))
    i, j, dist = pairs.i, pairs.j, pairs.axis_distance_um
    ri, rj = radius[bodies][i], radius[bodies][j]
    overlap = dist < ri + rj
    i, j, dist, ri, rj = i[overlap], j[overlap], dist[overlap], ri[overlap], rj[overlap]
    is_sse_i, is_sse_j = i < n, j < n
    a, d_i = _lens(dist, ri, rj)
    good = a > 0.0
    h_i = np.abs(d_i)
    h_j = np.clip(np.abs(dist - d_i), 0.0, rj)
    both = is_sse_i & is_sse_j & good
    mixed = (is_sse_i ^ is_sse_j) & good
    r_ss = (_holm_side_ohm(a[both], ri[both], h_i[both], sigma_all[i[both]])
            + _holm_side_ohm(a[both], rj[both], h_j[both], sigma_all[j[both]])
            + _interface_ohm(a[both], grain_boundary_asr_ohm_cm2))
    su, sv, sg = i[both], j[both], 1.0 / r_ss
    # CAM–SSE: the SSE side and the interface
    m_sse = np.where(is_sse_i[mixed], i[mixed], j[mixed])
    m_cam = np.where(is_sse_i[mixed], j[mixed], i[mixed]) - n
    r_sse_side = np.where(is_sse_i[mixed], ri[mixed], rj[mixed])
    h_sse_side = np.where(is_sse_i[mixed], h_i[mixed], h_j[mixed])
    r_cs = (_holm_side_ohm(a[mixed], r_sse_side, h_sse_side, sigma_all[m_sse])
            + _interface_ohm(a[mixed], cam_interface_asr_ohm_cm2 + cam_buffer_asr[m_cam]))
    cg = 1.0 / r_cs
    # faces
    z = centers[sse, 2]
    r = radius[sse]
    bottom = np.flatnonzero(z < r)
    top = np.flatnonzero(height - z < r)
    a_b = np.sqrt(r[bottom] ** 2 - z[bottom] ** 2)
    a_t = np.sqrt(r[top] ** 2 - (height - z[top]) ** 2)
    g_b = 1.0 / _holm_side_ohm(a_b, r[bottom], np.abs(z[bottom]), sigma_all[bottom])
    g_t = 1.0 / _holm_side_ohm(a_t, r[top], np.abs(height - z[top]), sigma_all[top])

    # Laplacian of the SSE graph (rows n: bottom face node n, top face node n + 1)
    node_b, node_t = n, n + 1
    u = np.concatenate([su, bottom, top])
    v = np.concatenate([sv, np.full(bottom.size, node_b), np.full(top.size, node_t)])
    g = np.concatenate([sg, g_b, g_t])
    graph = coo_matrix((np.ones(u.size), (u, v)), shape=(n + 2, n + 2))
    _, comp = connected_components(graph, directed=False)
    laplacian = _laplacian(u, v, g, n + 2)

    # σ_eff between the faces: V_b = 1, V_t = 0 on the component joining both
    percolating = bool(comp[node_b] == comp[node_t])
    conductance = 0.0
    if percolating and n:
        keep = np.flatnonzero(comp[:n] == comp[node_b])
        sub = laplacian[keep][:, keep].tocsc()
        rhs = -np.asarray(laplacian[keep][:, [node_b]].todense()).ravel()  # V_b = 1
        potential = splu(sub).solve(rhs)
        full = np.zeros(n + 2)
        full[keep] = potential
        full[node_b] = 1.0
        mask_b = v == node_b
        conductance = float(np.sum(g[mask_b] * (1.0 - full[u[mask_b]])))
    sigma_eff = conductance * height / area_um2 * UM_PER_CM

    # access resistances: ground at the top face; SSE nodes connected to it
    access = np.full(cam.size, math.inf)
    contact = np.full(cam.size, math.inf)
    # the collector blocks ions in the cell: without the bottom face's edges, what reaches the
    # separator (ground), and the Laplacian grounded there
    no_b = v != node_b
    without_b = coo_matrix((np.ones(int(no_b.sum())), (u[no_b], v[no_b])), shape=(n + 2, n + 2))
    _, comp_t = connected_components(without_b, directed=False)
    reachable = np.flatnonzero(comp_t[:n] == comp_t[node_t])
    if reachable.size and m_cam.size:
        lap = _laplacian(u[no_b], v[no_b], g[no_b], n + 2)
        where = np.full(n, -1)
        where[reachable] = np.arange(reachable.size)
        access = _access_resistances(csc_matrix(lap[reachable][:, reachable]), where[m_sse],
                                     m_cam, cg, cam.size)
        contact = _contact_resistances(where[m_sse] >= 0, m_cam, cg, cam.size)
    volume_um3 = 4.0 / 3.0 * np.pi * radius[cam] ** 3
    current_a = np.full(cam.size, math.inf)
    for c in np.unique(packing.component[cam]):
        mat = packing.component_materials[int(c)]
        rows = packing.component[cam] == c
        if mat.specific_capacity_mah_g is None:
            continue
        mass_g = mat.density_g_cm3 * volume_um3[rows] * 1e-12
        current_a[rows] = mass_g * mat.specific_capacity_mah_g * 1e-3  # 1C
    sse_volume = float(np.sum(sse_volume_um3))
    spreading = 4.0 * np.pi * reference * radius[cam] * 1e-4  # 1/(spreading Ω), r in cm
    number = spreading * access
    contact_number = spreading * contact
    by_threshold = {f"{t:g}": _volume_share(volume_um3, number <= t)
                    for t in ACCESS_NUMBER_THRESHOLDS}
    by_contact = {f"{t:g}": _volume_share(volume_um3, contact_number <= t)
                  for t in CONTACT_ACCESS_THRESHOLDS}
    return IonicNetwork(
        percolating=percolating, effective_conductivity_s_cm=float(sigma_eff),
        conductance_s=conductance,
        grain_conductivity_s_cm=float(np.sum(sigma_all[:n] * sse_volume_um3) / sse_volume),
        reference_conductivity_s_cm=float(reference),
        sse_volume_fraction=sse_volume / (area_um2 * height),
        grain_boundary_asr_ohm_cm2=float(grain_boundary_asr_ohm_cm2),
        cam_interface_asr_ohm_cm2=float(cam_interface_asr_ohm_cm2),
        node_counts={"sse": int(n), "cam": int(cam.size)},
        edge_counts={"sse-sse": int(su.size), "cam-sse": int(cg.size),
                     "collector face": int(bottom.size), "separator face": int(top.size)},
        sse_shells_ignored=shells, wall_time_s=time.perf_counter() - start,
        utilization_by_access_number=by_threshold,
        utilization_by_contact_access_number=by_contact,
        path_cam_volume_fraction=_volume_share(volume_um3, np.isfinite(access)),
        access_number=number,
        cam_particles=cam, cam_volume_um3=volume_um3, access_resistance_ohm=access,
        access_overpotential_1c_mv=access * current_a * 1e3,
        contact_resistance_ohm=contact, contact_access_number=contact_number,
        contact_overpotential_1c_mv=contact * current_a * 1e3,
    )


def _contact_resistances(leads: np.ndarray, contact_cam: np.ndarray, contact_s: np.ndarray,
                         cam_count: int) -> np.ndarray:
    """R_contact = 1/Σ g_k (Ω) per CAM over its contacts (S) that lead to the separator."""
    total_s = np.bincount(contact_cam[leads], weights=contact_s[leads], minlength=cam_count)
    with np.errstate(divide="ignore"):
        return np.where(total_s > 0.0, 1.0 / total_s, math.inf)


def _access_resistances(grounded: csc_matrix, contact_node: np.ndarray, contact_cam: np.ndarray,
                        contact_s: np.ndarray, cam_count: int) -> np.ndarray:
    """R_p = 1/(1ᵀ(M + G⁻¹)⁻¹1) (Ω) per CAM from its contacts (node or -1, CAM, S); ∞ if none."""
    inside = contact_node >= 0
    node, cam, g = contact_node[inside], contact_cam[inside], contact_s[inside]
    order = np.argsort(cam, kind="stable")
    node, cam, g = node[order], cam[order], g[order]
    owners, starts = np.unique(cam, return_index=True)
    bounds = np.append(starts, cam.size)
    groups = [node[s:e] for s, e in zip(bounds[:-1], bounds[1:], strict=True)]
    access = np.full(cam_count, math.inf)
    for p, transfer, s, e in zip(owners, inverse_blocks(grounded, groups), bounds[:-1],
                                 bounds[1:], strict=True):
        system = transfer + np.diag(1.0 / g[s:e])
        access[p] = 1.0 / float(np.sum(np.linalg.solve(system, np.ones(e - s))))
    return access


def _laplacian(u: np.ndarray, v: np.ndarray, g: np.ndarray, size: int):
    """Graph Laplacian (CSR) of edges u–v with conductances g (S)."""
    rows = np.concatenate([u, v, u, v])
    cols = np.concatenate([v, u, u, v])
    vals = np.concatenate([-g, -g, g, g])
    return coo_matrix((vals, (rows, cols)), shape=(size, size)).tocsr()
