"""Effective conductivity from resistance (002 Eq. 4), tortuosity factor (Eq. 5), Bruggeman."""

from __future__ import annotations

import math

import pytest

from cathodetwin import formulas as F
from cathodetwin.errors import InputError


def test_eq4_by_hand() -> None:
    # 10 mm pellet (A = 0.7854 cm²), L = 600 µm = 0.06 cm, R = 50 Ω → σ = 0.06/(50·0.7854)
    area = math.pi * 0.5**2
    sigma = F.conductivity_from_resistance_s_cm(600.0, 50.0, area)
    assert sigma == pytest.approx(0.06 / (50 * 0.785398163), rel=1e-8)
    assert sigma == pytest.approx(1.528e-3, rel=1e-3)


def _synthetic_resistance_ohm(
    sigma0: float, phi: float, angle_rad: float, l_um: float, area_cm2: float
) -> float:
    """DC resistance of a pellet whose conducting phase is straight channels tilted by ``angle``.

    Channels of total cross-section φ·A (measured in the pellet plane) run at angle θ to the
    through-plane axis: each is L/cosθ long with a cross-section cosθ·(its footprint), so
    R = (L/cosθ) / (σ0 · φA·cosθ).
    """
    length_cm = l_um * 1e-4 / math.cos(angle_rad)
    return length_cm / (sigma0 * phi * area_cm2 * math.cos(angle_rad))


@pytest.mark.parametrize("angle_deg", [0.0, 30.0, 45.0, 60.0])
@pytest.mark.parametrize("phi", [0.2, 0.5])
def test_tortuosity_of_tilted_channels_is_one_over_cos_squared(
    angle_deg: float, phi: float
) -> None:
    sigma0, l_um, area = 2.0e-3, 500.0, 0.785
    theta = math.radians(angle_deg)
    r = _synthetic_resistance_ohm(sigma0, phi, theta, l_um, area)
    sigma_eff = F.conductivity_from_resistance_s_cm(l_um, r, area)
    assert F.tortuosity_squared(sigma0, phi, sigma_eff) == pytest.approx(1 / math.cos(theta) ** 2)


@pytest.mark.parametrize("phi", [0.1, 0.3, 0.6, 1.0])
def test_bruggeman_tortuosity_is_phi_to_minus_half(phi: float) -> None:
    sigma = F.bruggeman_sigma_eff(2.0e-3, phi)
    assert sigma == pytest.approx(2.0e-3 * phi**1.5)
    assert F.tortuosity_squared(2.0e-3, phi, sigma) == pytest.approx(phi**-0.5)


def test_003_tortuosity_values_are_consistent_with_eq5() -> None:
    # τ² = σ0·φ/σ_eff: halving σ_eff doubles τ²; τ² ≥ 1 iff σ_eff ≤ σ0·φ (Wiener upper bound).
    t1 = F.tortuosity_squared(2.0e-3, 0.3, 1.0e-4)
    assert t1 == pytest.approx(6.0)
    assert F.tortuosity_squared(2.0e-3, 0.3, 0.5e-4) == pytest.approx(2 * t1)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: F.conductivity_from_resistance_s_cm(100.0, 0.0, 1.0), "resistance_ohm"),
        (lambda: F.conductivity_from_resistance_s_cm(100.0, 1.0, -1.0), "area_cm2"),
        (lambda: F.tortuosity_squared(1e-3, 0.0, 1e-4), "phase_fraction"),
        (lambda: F.tortuosity_squared(1e-3, 1.2, 1e-4), "phase_fraction"),
        (lambda: F.tortuosity_squared(1e-3, 0.3, float("nan")), "sigma_eff_s_cm"),
        (lambda: F.bruggeman_sigma_eff(1e-3, 0.3, 0.5), "exponent"),
    ],
)
def test_bad_transport_input_names_parameter(call, name: str) -> None:
    with pytest.raises(InputError, match=name):
        call()
