"""Contact access number: each CAM particle's own contact resistance into the SSE network."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cathodetwin.analysis.transport.ionic_network import (
    CONTACT_ACCESS_HEADLINE,
    CONTACT_ACCESS_THRESHOLDS,
    IonicNetwork,
    ionic_network,
)
from cathodetwin.headline import HEADLINES
from cathodetwin.materials import get_material
from cathodetwin.packing import Packing

SIGMA = get_material("Li6PS5Cl").ionic_conductivity_s_cm
ASR = 5e-4  # Ω·cm², both boundaries


def _packing(centers, radii, roles, box):
    """A packing of spheres with one component per role given ('SSE' or 'CAM')."""
    names = tuple(sorted(set(roles)))
    materials = {"SSE": get_material("Li6PS5Cl"), "CAM": get_material("NCM811")}
    comp = np.array([names.index(r) for r in roles], np.int16)
    n = len(roles)
    return Packing(
        box_um=box, center_um=np.asarray(centers, float), radius_um=np.asarray(radii, float),
        component=comp, component_names=names, component_roles=names,
        component_materials=tuple(materials[r] for r in names),
        shell_thickness_um=np.zeros(n), coverage=np.zeros(n), buffer_thickness_um=np.zeros(n))


def _contact_ohm(a, r, h, asr):
    """One CAM–SSE contact in Ω: the SSE side (Holm/Roess + bulk cylinder) + ASR/(πa²)."""
    side = 1e4 * ((1 - a / r) ** 1.5 / (4 * a * SIGMA) + h / (SIGMA * math.pi * r**2))
    return side + asr * 1e8 / (math.pi * a**2)


def _star(k: int, *, distance: float = 1.8, scale: float = 1.0) -> Packing:
    """A CAM (r 1) at mid-height ringed by k SSE spheres (r 1) at ``distance``, each cut by
    the separator face; lengths × ``scale``."""
    height, centre = 3.0, (4.0, 4.0)
    z = height - 0.6
    ring = [[centre[0] + distance * math.cos(2 * math.pi * i / k),
             centre[1] + distance * math.sin(2 * math.pi * i / k), z] for i in range(k)]
    centers = np.array([*ring, [*centre, z]]) * scale
    return _packing(centers, [scale] * (k + 1), ["SSE"] * k + ["CAM"],
                    (8.0 * scale, 8.0 * scale, height * scale))


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_k_identical_contacts_give_one_contact_over_k(k):
    """k identical contacts in parallel: R_contact = R_1/k, with R_1 the analytic series value
    of one contact; N_c = 4π σ_pellet r R_contact; 1C drop = R_contact·ρVQ."""
    net = ionic_network(_star(k), grain_boundary_asr_ohm_cm2=ASR, cam_interface_asr_ohm_cm2=ASR)
    a = math.sqrt(1.0 - 0.9**2)
    one = _contact_ohm(a, 1.0, 0.9, ASR)
    assert net.contact_resistance_ohm[0] == pytest.approx(one / k, rel=1e-9)
    number = 4 * math.pi * net.reference_conductivity_s_cm * 1e-4 * one / k
    assert net.contact_access_number[0] == pytest.approx(number, rel=1e-12)
    ncm = get_material("NCM811")
    current = ncm.density_g_cm3 * 4 / 3 * math.pi * 1e-12 * ncm.specific_capacity_mah_g * 1e-3
    assert net.contact_overpotential_1c_mv[0] == pytest.approx(one / k * current * 1e3,
                                                               rel=1e-12)
    # Rayleigh: the path to the separator only adds resistance
    assert net.access_resistance_ohm[0] > net.contact_resistance_ohm[0]
    assert net.utilization_at(number * 1.01, contact=True) == 1.0
    assert net.utilization_at(number * 0.99, contact=True) == 0.0


def test_contact_number_of_a_bulk_only_contact_is_scale_free():
    """Without boundary ASR, N_c = 4π σ r R_contact depends on shape only: scaling every
    length by 3 leaves it unchanged (Holm ∝ 1/a, bulk ∝ h/r², both × r)."""
    nets = [ionic_network(_star(3, scale=s), grain_boundary_asr_ohm_cm2=0.0,
                          cam_interface_asr_ohm_cm2=0.0) for s in (1.0, 3.0)]
    assert nets[1].contact_resistance_ohm[0] == pytest.approx(
        nets[0].contact_resistance_ohm[0] / 3, rel=1e-9)
    assert nets[1].contact_access_number[0] == pytest.approx(
        nets[0].contact_access_number[0], rel=1e-9)


def test_a_neck_much_smaller_than_the_particle_gives_a_large_contact_number():
    """One shallow contact (a/r ≈ 0.10) → N_c ≈ π r σ_pellet/(a σ_grain) + 4σ_pellet r ASR/a²
    ≫ 1, far above a deep one (a/r ≈ 0.6)."""
    shallow = ionic_network(_star(1, distance=1.99), grain_boundary_asr_ohm_cm2=ASR,
                            cam_interface_asr_ohm_cm2=ASR)
    deep = ionic_network(_star(1, distance=1.6), grain_boundary_asr_ohm_cm2=ASR,
                         cam_interface_asr_ohm_cm2=ASR)
    a = math.sqrt(1.0 - 0.995**2)
    ratio = shallow.reference_conductivity_s_cm / SIGMA
    estimate = math.pi * ratio / a + 4 * shallow.reference_conductivity_s_cm * 1e-4 * ASR / (
        a * 1e-4) ** 2
    assert shallow.contact_access_number[0] == pytest.approx(estimate, rel=0.02)
    assert shallow.contact_access_number[0] > 10 > deep.contact_access_number[0]


def test_contacts_that_do_not_lead_to_the_separator_do_not_count():
    """A CAM touching an SSE sphere cut by the separator and one cut only by the collector
    (which blocks ions): only the first contact counts; without it R_contact = ∞, unused."""
    box = (10.0, 10.0, 3.0)
    column, island, cam = [3.2, 5.0, 2.4], [5.0, 5.0, 0.6], [5.0, 5.0, 2.4]
    net = ionic_network(_packing([column, island, cam], [1.0] * 3, ["SSE", "SSE", "CAM"], box),
                        grain_boundary_asr_ohm_cm2=ASR, cam_interface_asr_ohm_cm2=ASR)
    assert net.edge_counts["cam-sse"] == 2
    a = math.sqrt(1.0 - 0.9**2)
    assert net.contact_resistance_ohm[0] == pytest.approx(_contact_ohm(a, 1.0, 0.9, ASR),
                                                          rel=1e-9)
    alone = ionic_network(_packing([island, cam], [1.0, 1.0], ["SSE", "CAM"], box))
    assert alone.edge_counts["cam-sse"] == 1
    assert math.isinf(alone.contact_resistance_ohm[0])
    assert math.isinf(alone.contact_access_number[0])
    assert all(v == 0.0 for v in alone.utilization_by_contact_access_number.values())


def test_contact_utilization_is_recorded_and_round_trips():
    """``utilization_by_contact_access_number`` has one key per threshold, is non-decreasing
    in it, and survives the JSON round trip (the per-particle arrays are not written)."""
    net = ionic_network(_star(2), grain_boundary_asr_ohm_cm2=ASR, cam_interface_asr_ohm_cm2=ASR)
    shares = net.utilization_by_contact_access_number
    assert list(shares) == [f"{t:g}" for t in CONTACT_ACCESS_THRESHOLDS]
    values = list(shares.values())
    assert values == sorted(values)
    back = IonicNetwork.from_dict(net.to_dict())
    assert back.utilization_by_contact_access_number == shares
    assert back.contact_access_number is None


def test_the_headline_reads_the_chosen_contact_threshold():
    """The headline "utilization at rate" reads the recorded N_c key of the chosen threshold."""
    headline = next(h for h in HEADLINES if h.key == "utilization_ionic_contact")
    assert headline.path[-2] == "utilization_by_contact_access_number"
    assert headline.path[-1] == f"{CONTACT_ACCESS_HEADLINE:g}"
    assert CONTACT_ACCESS_HEADLINE in CONTACT_ACCESS_THRESHOLDS
