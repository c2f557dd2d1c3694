"""Ionic contact network: Holm necks, series chains, interface resistance, access resistance."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cathodetwin.analysis.transport.ionic_network import ionic_network
from cathodetwin.materials import get_material
from cathodetwin.packing import Packing

SIGMA_MATERIAL = "Li6PS5Cl"


def _packing(centers, radii, roles, box):
    """A packing of spheres with one component per role given ('SSE' or 'CAM')."""
    names = tuple(sorted(set(roles)))
    materials = {"SSE": get_material(SIGMA_MATERIAL), "CAM": get_material("NCM811")}
    comp = np.array([names.index(r) for r in roles], np.int16)
    n = len(roles)
    return Packing(
        box_um=box, center_um=np.asarray(centers, float), radius_um=np.asarray(radii, float),
        component=comp, component_names=names, component_roles=names,
        component_materials=tuple(materials[r] for r in names),
        shell_thickness_um=np.zeros(n), coverage=np.zeros(n), buffer_thickness_um=np.zeros(n))


def _side(a, r, h, sigma):
    """Analytic Holm/Roess side resistance in Ω (a, r, h in µm, σ in S/cm)."""
    return 1e4 * ((1 - a / r) ** 1.5 / (4 * a * sigma) + h / (sigma * math.pi * r**2))


def test_two_sphere_neck_matches_holm_for_a_small_neck():
    """Two spheres touching through a small neck: R → 1/(2σa) (Holm) plus the cut faces."""
    r, d = 1.0, 1.98  # a = sqrt(1 - 0.99²) ≈ 0.141 µm
    box = (5.0, 5.0, 2 * r + d - 2 * 0.5)  # each sphere cut by a face at depth 0.5 µm
    z0 = r - 0.5
    packing = _packing([[2.5, 2.5, z0], [2.5, 2.5, z0 + d]], [r, r], ["SSE", "SSE"], box)
    net = ionic_network(packing, grain_boundary_asr_ohm_cm2=0.0)
    sigma = get_material(SIGMA_MATERIAL).ionic_conductivity_s_cm
    a = math.sqrt(r**2 - (d / 2) ** 2)
    a_face = math.sqrt(r**2 - z0**2)
    neck = 2 * _side(a, r, d / 2, sigma)
    faces = 2 * _side(a_face, r, z0, sigma)
    assert net.percolating
    assert 1.0 / net.conductance_s == pytest.approx(neck + faces, rel=1e-9)
    holm = 1e4 / (2 * sigma * a)
    # the neck dominates and is Holm's within the Roess/bulk corrections (< 25 % at a/r = 0.14)
    assert 0.75 * holm < neck < 1.25 * holm
    assert neck > 3 * faces


def test_chain_of_necks_adds_in_series():
    """A straight chain: 1/G = Σ neck resistances + the two faces, σ_eff = G H / A."""
    r, d, count = 1.0, 1.6, 5
    z0 = 0.6
    z = z0 + d * np.arange(count)
    box = (4.5, 4.5, float(z[-1] + z0))
    packing = _packing([[2.0, 2.0, zi] for zi in z], [r] * count, ["SSE"] * count, box)
    asr = 5e-4
    net = ionic_network(packing, grain_boundary_asr_ohm_cm2=asr)
    sigma = get_material(SIGMA_MATERIAL).ionic_conductivity_s_cm
    a = math.sqrt(r**2 - (d / 2) ** 2)
    a_face = math.sqrt(r**2 - z0**2)
    neck = 2 * _side(a, r, d / 2, sigma) + asr * 1e8 / (math.pi * a**2)
    total = (count - 1) * neck + 2 * _side(a_face, r, z0, sigma)
    assert 1.0 / net.conductance_s == pytest.approx(total, rel=1e-9)
    assert net.effective_conductivity_s_cm == pytest.approx(
        box[2] / (total * box[0] * box[1]) * 1e4, rel=1e-9)
    assert net.edge_counts["sse-sse"] == count - 1


def test_interface_resistance_adds_its_analytic_series_value():
    """Raising the GB ASR by ΔASR adds ΔASR/(πa²) per neck, nothing else."""
    r, d = 1.0, 1.7
    box = (5.0, 5.0, 2 * 0.7 + d)
    packing = _packing([[2.5, 2.5, 0.7], [2.5, 2.5, 0.7 + d]], [r, r], ["SSE", "SSE"], box)
    low = ionic_network(packing, grain_boundary_asr_ohm_cm2=0.0)
    high = ionic_network(packing, grain_boundary_asr_ohm_cm2=1e-3)
    a = math.sqrt(r**2 - (d / 2) ** 2)
    assert 1 / high.conductance_s - 1 / low.conductance_s == pytest.approx(
        1e-3 * 1e8 / (math.pi * a**2), rel=1e-9)


def test_periodic_neck_across_a_lateral_face_conducts():
    """The only path crosses the x face: two SSE spheres straddle x = 0 / x = L."""
    r = 1.0
    box = (6.0, 6.0, 3.2)
    # sphere A bottom, at x = 0.3; sphere B top, at x = 5.7 → image at −0.3: neck 0.6 apart in x
    packing = _packing([[0.3, 3.0, 0.8], [5.7, 3.0, 2.4]], [r, r], ["SSE", "SSE"], box)
    net = ionic_network(packing)
    assert net.percolating and net.edge_counts["sse-sse"] == 1
    assert net.effective_conductivity_s_cm > 0


def test_access_resistance_single_contact_is_series_sum():
    """A CAM touching one SSE column: R_access = column to the separator + its own contact."""
    r, d = 1.0, 1.6
    box = (6.0, 6.0, 0.6 + d + 0.6)
    centers = [[3.0, 3.0, 0.6], [3.0, 3.0, 0.6 + d], [3.0 + 1.8, 3.0, 0.6]]
    packing = _packing(centers, [r, r, r], ["SSE", "SSE", "CAM"], box)
    asr = 5e-4
    net = ionic_network(packing, grain_boundary_asr_ohm_cm2=asr, cam_interface_asr_ohm_cm2=asr)
    sigma = get_material(SIGMA_MATERIAL).ionic_conductivity_s_cm
    a = math.sqrt(r**2 - (d / 2) ** 2)
    neck = 2 * _side(a, r, d / 2, sigma) + asr * 1e8 / (math.pi * a**2)
    face = _side(math.sqrt(r**2 - 0.6**2), r, 0.6, sigma)
    a_c = math.sqrt(r**2 - 0.9**2)
    contact = _side(a_c, r, 0.9, sigma) + asr * 1e8 / (math.pi * a_c**2)
    assert net.access_resistance_ohm[0] == pytest.approx(neck + face + contact, rel=1e-9)
    # 1C overpotential = R · ρVQ
    ncm = get_material("NCM811")
    current = ncm.density_g_cm3 * 4 / 3 * math.pi * 1e-12 * ncm.specific_capacity_mah_g * 1e-3
    assert net.access_overpotential_1c_mv[0] == pytest.approx(
        net.access_resistance_ohm[0] * current * 1e3, rel=1e-12)
    number = 4 * math.pi * net.reference_conductivity_s_cm * r * 1e-4 * net.access_resistance_ohm[0]
    assert net.access_number[0] == pytest.approx(number, rel=1e-12)
    assert net.utilization_at(number * 1.01) == 1.0
    assert net.utilization_at(number * 0.99) == 0.0


def test_isolated_cam_has_infinite_access():
    """A CAM touching no electrolyte has no ionic access (∞) and counts as unused."""
    box = (8.0, 8.0, 3.0)
    centers = [[2.0, 2.0, 1.5], [6.0, 6.0, 1.5]]
    net = ionic_network(_packing(centers, [1.6, 1.0], ["SSE", "CAM"], box))
    assert math.isinf(net.access_resistance_ohm[0])
    assert net.utilization_at(1e9) == 0.0


def test_network_agrees_with_the_voxel_route_on_a_resolved_packing():
    """A periodic lattice of overlapping SSE spheres (a/r = 0.53, 10 voxels per radius), GB
    ASR 0: the network's σ_eff matches the voxel finite-volume solve at the grain σ within
    25 % (the electronic network's check on chains gave 0.94–1.18)."""
    from cathodetwin.analysis.transport.conduction import effective_conductivity
    from cathodetwin.structure.voxelize import voxelize_with_owners

    r, step, z0 = 1.0, 1.7, 0.6
    centers = [[0.85 + step * i, 0.85 + step * j, z0 + step * k]
               for i in range(2) for j in range(2) for k in range(3)]
    box = (2 * step, 2 * step, z0 + 2 * step + z0)
    packing = _packing(centers, [r] * len(centers), ["SSE"] * len(centers), box)
    net = ionic_network(packing, grain_boundary_asr_ohm_cm2=0.0)
    micro, _ = voxelize_with_owners(packing, 0.1)
    sigma = get_material(SIGMA_MATERIAL).ionic_conductivity_s_cm
    label = next(p.label for p in micro.phases if p.role == "SSE")
    voxel = effective_conductivity(micro, {label: sigma}, periodic=True, threads=1)
    ratio = net.effective_conductivity_s_cm / voxel.effective_conductivity_s_cm
    assert 0.75 < ratio < 1.25, ratio


def test_access_ignores_paths_through_the_collector():
    """An SSE island touching only the collector reaches the separator only through the
    collector, which blocks ions: its CAM has no access; σ between the faces still counts it."""
    box = (10.0, 10.0, 3.0)
    centers = [[2.0, 2.0, 1.5], [7.0, 7.0, 0.6], [7.0, 8.8, 0.6]]
    # sphere 0 spans both faces (r 1.6); sphere 1 touches only the collector; CAM on sphere 1
    net = ionic_network(_packing(centers, [1.6, 1.0, 1.0], ["SSE", "SSE", "CAM"], box))
    assert net.percolating
    assert math.isinf(net.access_resistance_ohm[0])


def test_cam_buffer_adds_its_thickness_over_sigma_in_series():
    """A 5 nm LiNbO3 buffer adds t/σ_LNO/(πa²) to the CAM's access resistance, exactly."""
    r, d = 1.0, 1.6
    box = (6.0, 6.0, 0.6 + d + 0.6)
    centers = [[3.0, 3.0, 0.6], [3.0, 3.0, 0.6 + d], [3.0 + 1.8, 3.0, 0.6]]
    bare = _packing(centers, [r, r, r], ["SSE", "SSE", "CAM"], box)
    lno = get_material("LiNbO3")
    cam = bare.component_names.index("CAM")
    buffers = tuple(lno if k == cam else None for k in range(len(bare.component_names)))
    coated = Packing(
        box_um=box, center_um=bare.center_um, radius_um=bare.radius_um,
        component=bare.component, component_names=bare.component_names,
        component_roles=bare.component_roles, component_materials=bare.component_materials,
        shell_thickness_um=np.zeros(3), coverage=np.zeros(3),
        buffer_thickness_um=np.array([0.0, 0.0, 0.005]), buffer_materials=buffers)
    a_c = math.sqrt(r**2 - 0.9**2)
    extra = 0.005e-4 / lno.ionic_conductivity_s_cm * 1e8 / (math.pi * a_c**2)
    difference = ionic_network(coated).access_resistance_ohm[0] - (
        ionic_network(bare).access_resistance_ohm[0])
    assert difference == pytest.approx(extra, rel=1e-9)
