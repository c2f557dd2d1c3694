"""Sphere geometry for volumes counted once: caps, radical-plane splits, slabs (µm, µm³)."""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def cap_volume_um3(height_um: float, radius_um: float) -> float:
    """Volume of a spherical cap of height h (0 ≤ h ≤ 2r) cut from a sphere of radius r."""
    h = min(max(height_um, 0.0), 2.0 * radius_um)
    return math.pi * h * h * (3.0 * radius_um - h) / 3.0


@njit(cache=True)
def radical_cap_heights_um(
    distance_um: float, r1_um: float, r2_um: float
) -> tuple[float, float]:
    """Cap heights (h₁, h₂) of two overlapping spheres cut by their radical plane.

    The radical plane holds the intersection circle, so the lens is exactly cap₁ + cap₂.
    Heights are clamped to [0, 2r] (a sphere swallowed by the other has h = 2r).
    """
    d = max(distance_um, 1e-12)
    s1 = (d * d + r1_um * r1_um - r2_um * r2_um) / (2.0 * d)
    h1 = min(max(r1_um - s1, 0.0), 2.0 * r1_um)
    h2 = min(max(r2_um - (d - s1), 0.0), 2.0 * r2_um)
    return h1, h2


@njit(cache=True)
def sphere_below_um3(center_z_um: float, radius_um: float, plane_z_um: float) -> float:
    """Volume (µm³) of a sphere below the plane z = plane_z."""
    return cap_volume_um3(plane_z_um - (center_z_um - radius_um), radius_um)


@njit(cache=True)
def sphere_in_slab_um3(
    center_z_um: float, radius_um: float, z_low_um: float, z_high_um: float
) -> float:
    """Volume (µm³) of a sphere between the planes z = z_low and z = z_high."""
    return sphere_below_um3(center_z_um, radius_um, z_high_um) - sphere_below_um3(
        center_z_um, radius_um, z_low_um
    )
