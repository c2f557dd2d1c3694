"""The headline numbers of a build: one table of keys, read by the CLI, the report and studies.

Every metric path into ``metrics.json`` that a headline reads is written here and nowhere
else; :func:`headline_metrics` flattens a build's metrics into these keys plus the
per-threshold, per-pressure and per-rate values that studies and paper comparisons use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Headline:
    """One headline metric: flat key (its unit in the name), path in metrics.json, label;
    ``card``: shown as a summary card in the report; ``meaning``: what the number says, for
    those a reader could misread (shown by the CLI summary and the report)."""

    key: str
    path: tuple[str, ...]
    label: str
    card: bool = False
    meaning: str = ""


HEADLINES: tuple[Headline, ...] = (
    Headline("porosity", ("structure", "fractions", "porosity"), "Porosity", card=True),
    Headline("cam_volume_fraction", ("structure", "fractions", "role_volume_fraction", "CAM"),
             "CAM volume fraction"),
    Headline("utilization_ionic_electronic",
             ("transport", "utilization_voxel", "ionic_electronic_cam_volume_fraction"),
             "CAM utilization (ionic + electronic)", card=True),
    Headline("specific_cam_sse_area_per_um",
             ("structure", "interfaces", "specific_cam_sse_area_per_um"),
             "CAM–SSE specific area", card=True),
    Headline("mean_pore_diameter_um", ("structure", "pores", "mean_pore_diameter_um"),
             "Mean pore diameter"),
    Headline("sse_geometric_tortuosity_median",
             ("structure", "ionic_geometric_tortuosity", "median_tortuosity"),
             "SSE path tortuosity (median)", card=True),
    Headline("ionic_tortuosity_factor", ("transport", "ionic_tortuosity_factor"),
             "Ionic tortuosity factor",
             meaning="σ_pellet·φ_SSE/σ_ion of the same source as the ionic conductivity"),
    Headline("ionic_conductivity_eff_s_cm", ("transport", "ionic_conductivity_s_cm"),
             "Ionic conductivity", card=True,
             meaning="through-plane: from the packing's ionic contact network (true neck "
                     "radii, grain σ and grain-boundary resistance) for a generated twin, "
                     "from the voxels for an imported image or SSE-shelled CAM"),
    Headline("ionic_tortuosity_factor_voxel", ("transport", "ionic", "z", "tortuosity_factor"),
             "Ionic tortuosity factor (voxels)"),
    Headline("ionic_conductivity_voxel_s_cm",
             ("transport", "ionic", "z", "effective_conductivity_s_cm"),
             "Ionic conductivity (voxels)",
             meaning="the voxel solve at the pellet σ, kept for comparison: every overlap is a "
                     "bulk bridge and sub-voxel necks are lost or widened"),
    Headline("utilization_ionic_contact",
             ("transport", "ionic_contact_network", "utilization_by_contact_access_number",
              "10"),
             "CAM utilization at rate (ionic contact number ≤ 10)", card=True,
             meaning="CAM volume with an ionic path to the separator whose own contacts into "
                     "the electrolyte cost at most 10× the spreading resistance of the same "
                     "sphere embedded in the pellet-σ electrolyte (N_c = 4πσ_pellet·r·R_contact "
                     "≤ 10): particles reached only through necks much smaller than themselves "
                     "do not count; local, independent of the box"),
    Headline("utilization_ionic_path",
             ("transport", "ionic_contact_network", "path_cam_volume_fraction"),
             "CAM with an ionic path to the separator (contact network)"),
    Headline("utilization_ionic_access",
             ("transport", "ionic_contact_network", "utilization_by_access_number", "20"),
             "CAM utilization (ionic access number ≤ 20)",
             meaning="CAM volume whose ionic access resistance from the separator is at most "
                     "20× that of a sphere embedded in the pellet-σ electrolyte; it includes "
                     "the whole path through the layer, so it depends on the box and the "
                     "layer's σ_ion,eff (the contact number above is the local criterion)"),
    Headline("electronic_tortuosity_factor", ("transport", "electronic_tortuosity_factor"),
             "Electronic tortuosity factor"),
    Headline("electronic_conductivity_eff_s_cm", ("transport", "electronic_conductivity_s_cm"),
             "Electronic conductivity (used by the cell)", card=True,
             meaning="the value the cell model uses: from the packing's contact network "
                     "(sub-voxel fibres and contacts) for a generated twin, from the voxels "
                     "for an imported image"),
    Headline("electronic_tortuosity_factor_voxel",
             ("transport", "electronic", "z", "tortuosity_factor"),
             "Electronic tortuosity factor (voxels)"),
    Headline("electronic_conductivity_voxel_s_cm",
             ("transport", "electronic", "z", "effective_conductivity_s_cm"),
             "Electronic conductivity (voxels)", card=True,
             meaning="the voxel solve, kept for comparison: fibres and contacts thinner than a "
                     "voxel are lost or merged, so for a generated twin it is not the one "
                     "to believe"),
    Headline("sse_strain_energy_mean_kj_m3", ("mechanics", "sse_strain_energy_mean_kj_m3"),
             "Strain energy in SSE (mean)", card=True),
    Headline("sse_interface_strain_energy_mean_kj_m3",
             ("mechanics", "sse_interface_strain_energy_mean_kj_m3"),
             "Strain energy in SSE at CAM faces (mean)", card=True),
    Headline("composite_volume_change_percent",
             ("mechanics", "composite_volume_change_percent"),
             "Composite volume change on charge", card=True),
    Headline("stack_pressure_change_fixed_height_mpa",
             ("mechanics", "stack_pressure_change_fixed_height_mpa"),
             "Stack pressure change on charge at fixed height",
             meaning="how much the stack pressure would change on charge if the cell height "
                     "were held rigidly (linear elastic); negative: the CAM shrinks and the "
                     "pressure drops. A drop larger than the stack pressure means the layer "
                     "would lift off (contact lost) rather than reach that value"),
)
HEADLINE_KEYS: tuple[str, ...] = tuple(h.key for h in HEADLINES)
# Rows of the rate table (metrics "cell.rates") and the energy densities per row.
RATE_PATH: tuple[str, ...] = ("cell", "rates")
# The particle-resolved cell's section (rates, energy per rate), where a build ran it.
PARTICLE_PATH: tuple[str, ...] = ("particle_cell",)
ENERGY_KEYS: tuple[str, ...] = ("cathode_wh_kg", "cathode_wh_l", "stack_wh_kg", "stack_wh_l")


def value_at(metrics: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The value at ``path`` in nested metrics, None where any part is missing."""
    node: Any = metrics
    for part in path:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def rate_tag(c_rate: float) -> str:
    """Key fragment of a C-rate: 0.1 → "0p1c", 1 → "1c"."""
    return f"{c_rate:g}c".replace(".", "p")


def headline_metrics(metrics: Mapping[str, Any],
                     energy_rates: Sequence[float] = (0.1, 1.0)) -> dict[str, Any]:
    """Flat scalar metrics of a build (for studies, paper comparisons and the CLI summary).

    The :data:`HEADLINES`, the share of the recipe's carbon the pores took
    (``carbon_placed_fraction``), paper 000's contact utilization per overlap threshold, contact
    retention and post-charge utilization per stack pressure, capacity at every simulated
    C-rate (the particle-resolved cell's where it ran, the DFN's as ``dfn_capacity_*``), and
    energy densities at ``energy_rates`` (of the same model as the capacity).
    """
    flat = {h.key: value_at(metrics, h.path) for h in HEADLINES}
    if flat["porosity"] is not None:
        flat["relative_density"] = 1.0 - flat["porosity"]
    particle = value_at(metrics, ("structure", "utilization_particle_contacts")) or {}
    for pct, entry in (particle.get("by_min_overlap_percent") or {}).items():
        flat[f"utilization_contact_{pct}pct"] = entry["particle_fraction"]
    carbon = value_at(metrics, ("packing", "carbon")) or {}
    placed = [c["placed_fraction"] for c in carbon.values() if "placed_fraction" in c]
    if placed:  # below 1: the pressed pore space could not take all the recipe's carbon
        flat["carbon_placed_fraction"] = min(placed)
    contacts = value_at(metrics, ("structure", "cam_contacts")) or {}
    flat["cam_cam_contacts_per_particle"] = contacts.get("cam_coordination_packing")
    for entry in value_at(metrics, ("mechanics", "contact_retention")) or []:
        p = f"{entry['stack_pressure_mpa']:g}".replace(".", "p")
        flat[f"contact_retention_{p}mpa"] = entry["retained_contact_area_fraction"]
        flat[f"utilization_after_charge_{p}mpa"] = entry["cam_utilization_volume_fraction"]
        flat[f"retained_area_per_cam_volume_{p}mpa_per_um"] = entry.get(
            "retained_area_per_cam_volume_per_um")
    for row in value_at(metrics, RATE_PATH) or []:
        tag = rate_tag(row["c_rate"])
        flat[f"capacity_{tag}_mah_g"] = row["capacity_mah_g"]
        flat[f"dfn_capacity_{tag}_mah_g"] = row["capacity_mah_g"]
        if any(math.isclose(row["c_rate"], c) for c in energy_rates):
            for key in ENERGY_KEYS:
                flat[f"{key}_{tag}"] = row[key]
    # the particle-resolved cell, where it ran, gives the headline capacities and energies
    particle = value_at(metrics, PARTICLE_PATH) or {}
    rates = particle.get("rates") or {}
    energies = particle.get("energy") or [{}] * len(rates.get("c_rates", ()))
    reached = rates.get("reached_cutoff") or [True] * len(rates.get("c_rates", ()))
    for c_rate, q, energy, ok in zip(rates.get("c_rates", ()), rates.get("capacity_mah_g", ()),
                                     energies, reached, strict=True):
        if not ok and q > 0:  # the solver gave up before the cut-off: the DFN's value stands
            continue
        tag = rate_tag(c_rate)
        flat[f"capacity_{tag}_mah_g"] = q
        if any(math.isclose(c_rate, c) for c in energy_rates):
            for key in ENERGY_KEYS:
                flat[f"{key}_{tag}"] = energy.get(key)
    return {k: v for k, v in flat.items() if v is not None}
