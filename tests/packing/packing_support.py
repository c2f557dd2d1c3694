"""Recipes shared by the packing tests."""

from __future__ import annotations

from cathodetwin.recipe import Recipe, recipe_from_dict


def composite_recipe(seed: int = 3, box_um: tuple[float, float, float] = (12.0, 12.0, 8.0),
                     carbon: bool = False) -> Recipe:
    """NCM811 (D50 3 µm) + Li6PS5Cl (D50 1.5 µm) 70:30 (or 70:27:3 with VGCF), 300 → 10 MPa."""
    components = [
        {"name": "NCM", "material": "NCM811", "role": "CAM", "weight_percent": 70.0,
         "psd": {"kind": "lognormal", "d50_um": 3.0, "gsd": 1.25}},
        {"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE",
         "weight_percent": 27.0 if carbon else 30.0,
         "psd": {"kind": "lognormal", "d50_um": 1.5, "gsd": 1.3}},
    ]
    if carbon:
        components.append({"name": "VGCF", "material": "VGCF", "role": "carbon",
                           "weight_percent": 3.0})
    return recipe_from_dict({
        "name": "test composite",
        "components": components,
        "processing": {"pressing_pressure_mpa": 300.0, "stack_pressure_mpa": 10.0},
        "simulation": {"box_um": list(box_um), "voxel_size_um": 0.25, "seed": seed},
    })
