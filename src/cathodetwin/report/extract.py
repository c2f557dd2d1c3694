"""Pick the numbers each report figure needs out of a build (metrics keys live only here)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cathodetwin.headline import HEADLINES, value_at
from cathodetwin.psd import FiberPSD, LognormalPSD, TablePSD
from cathodetwin.report.builddir import BuildData
from cathodetwin.report.figures import Series
from cathodetwin.report.palette import FALLBACK_COLOR, phase_colors, role_colors
from cathodetwin.report.psd_curves import PsdCurve, lognormal_curve, table_curve
from cathodetwin.report.tables import flatten, unit_of_path


class MissingData(LookupError):
    """The build lacks what a figure or number needs; the message says what."""


def get(metrics: Mapping, path: str) -> object:
    """Value at a dotted path of nested dicts; MissingData naming the path if absent or null."""
    node: object = metrics
    for part in path.split("."):
        if not isinstance(node, Mapping) or node.get(part) is None:
            raise MissingData(f"metrics.json has no {path}")
        node = node[part]
    return node


def _array(metrics: Mapping, path: str) -> np.ndarray:
    value = get(metrics, path)
    if not isinstance(value, list) or not value:
        raise MissingData(f"metrics.json: {path} is not a non-empty list")
    return np.asarray([np.nan if v is None else v for v in value], float)


def _need(data: BuildData, what: str, obj: object) -> None:
    if obj is None:
        raise MissingData(f"the build has no {what}")


def psd_inputs(data: BuildData) -> tuple[list[PsdCurve], list[str], dict[str, np.ndarray],
                                         list[tuple[str, float, float]]]:
    """PSD curves and colours of the recipe's powders, packed core diameters (µm), fibres."""
    _need(data, "recipe", data.recipe)
    comps = data.recipe.components  # type: ignore[union-attr]
    colors = role_colors([c.role for c in comps])
    curves, curve_colors, fibers = [], [], []
    for comp, color in zip(comps, colors, strict=True):
        if isinstance(comp.psd, LognormalPSD):
            curves.append(lognormal_curve(comp.name, comp.psd))
        elif isinstance(comp.psd, TablePSD):
            curves.append(table_curve(comp.name, comp.psd))
        elif isinstance(comp.psd, FiberPSD):
            fibers.append((comp.name, comp.psd.diameter_um, comp.psd.length_um))
            continue
        else:
            continue
        curve_colors.append(color)
    if not curves:
        raise MissingData("the recipe has no particle size distribution to plot")
    sampled: dict[str, np.ndarray] = {}
    if data.packing is not None:
        p = data.packing
        for k, name in enumerate(p.component_names):
            sampled[name] = 2.0 * p.core_radius_um[p.component == k]
    return curves, curve_colors, sampled, fibers


def compaction_inputs(data: BuildData) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Pressure (MPa), solid fraction and height (µm) during pressing."""
    try:
        p = _array(data.metrics, "packing.history.pressure_mpa")
        sf = _array(data.metrics, "packing.history.solid_fraction")
        h = _array(data.metrics, "packing.history.height_um")
    except MissingData:
        hist = data.packing.history if data.packing is not None else {}
        if not {"pressure_mpa", "solid_fraction"} <= set(hist):
            raise MissingData(
                "neither metrics.json nor the packing holds a pressing history"
            ) from None
        p, sf = np.asarray(hist["pressure_mpa"], float), np.asarray(hist["solid_fraction"], float)
        h = np.asarray(hist["height_um"], float) if "height_um" in hist else None
    if h is not None and h.shape != p.shape:
        h = None
    if p.shape != sf.shape:
        raise MissingData("pressing history: pressure and solid fraction differ in length")
    return p, sf, h


def densification_inputs(data: BuildData) -> tuple[tuple[np.ndarray, np.ndarray],
                                                    tuple[np.ndarray, np.ndarray]]:
    """(pressure MPa, porosity) on loading and on release, from metrics.json or the packing."""
    try:
        curve = get(data.metrics, "packing.densification")
    except MissingData:
        curve = None
    if not isinstance(curve, Mapping):
        if data.packing is None:
            raise MissingData("the build records no densification curve")
        from cathodetwin.packing.measures import densification_curve

        curve = densification_curve(data.packing.history)
    branches = []
    for name in ("loading", "release"):
        b = curve.get(name, {})
        p = np.asarray(b.get("pressure_mpa", []), float)
        phi = np.asarray(b.get("porosity", []), float)
        if p.size == 0 or p.shape != phi.shape:
            raise MissingData(f"densification curve: no {name} branch")
        branches.append((p, phi))
    return branches[0], branches[1]


def phase_fraction_inputs(data: BuildData) -> tuple[list[str], list[float], list[str]]:
    """Phase names, volume fractions (structure metrics) and their slice colours."""
    fractions = get(data.metrics, "structure.fractions.volume_fraction")
    if not isinstance(fractions, Mapping) or not fractions:
        raise MissingData("metrics.json: structure.fractions.volume_fraction is empty")
    colors: dict[str, str] = {}
    if data.micro is not None:
        by_label = phase_colors(data.micro.phases)
        colors = {p.name: by_label[p.label] for p in data.micro.phases}
    names = list(fractions)
    return (names, [float(fractions[n]) for n in names],
            [colors.get(n, FALLBACK_COLOR) for n in names])


RESOLVED_VOXELS = 3  # a pore is resolved when it is at least this many voxels across


def voxel_size_um(data: BuildData) -> float | None:
    """Largest voxel edge (µm) of the build's volume, from the volume or metrics.json."""
    if data.micro is not None:
        return float(max(data.micro.voxel_size_um))
    recorded = value_at(data.metrics, ("voxels", "voxel_size_um"))
    return float(max(recorded)) if isinstance(recorded, list) and recorded else None


def pore_inputs(data: BuildData) -> tuple[np.ndarray, np.ndarray, float | None, float | None]:
    """Pore diameter class centres (µm), pore-volume share per class, mean diameter (µm) and
    the smallest diameter the voxels resolve (µm, ``RESOLVED_VOXELS`` voxels)."""
    edges = _array(data.metrics, "structure.pores.pore_size_bin_edges_um")
    share = _array(data.metrics, "structure.pores.pore_volume_fraction_per_bin")
    if edges.size != share.size + 1:
        raise MissingData("pore size bins: edges must be one longer than the shares")
    mean = data.metrics["structure"]["pores"].get("mean_pore_diameter_um")
    voxel = voxel_size_um(data)
    return (0.5 * (edges[1:] + edges[:-1]), share, mean,
            RESOLVED_VOXELS * voxel if voxel is not None else None)


def pore_resolution_note(data: BuildData) -> str:
    """A warning when the pores are not much larger than a voxel, else ''."""
    centres, share, mean, resolved = pore_inputs(data)
    if resolved is None:
        return ""
    below = float(np.nansum(share[centres < resolved]))
    if mean is not None and mean >= 2 * resolved and below < 0.25:
        return ""
    return (f"Resolution warning: {100 * below:.0f} % of the pore volume is in pores narrower "
            f"than {resolved:.3g} µm ({RESOLVED_VOXELS} voxels); there the distribution is set by "
            "the voxel size, not the microstructure: rebuild at a finer simulation.voxel_size_um "
            "to resolve them")


def electronic_conductivity_note(data: BuildData) -> str:
    """Which electronic conductivity to believe (the one the cell uses) and why, or ''."""
    transport = data.section("transport") or {}
    source = transport.get("electronic_conductivity_source")
    used = transport.get("electronic_conductivity_s_cm")
    voxel = value_at(transport, ("electronic", "z", "effective_conductivity_s_cm"))
    if source is None or used is None:
        return ""
    if source == "voxels":
        return (f"Electronic conductivity: {used:.3g} S/cm from the voxel solve (an imported "
                "image has no particle contacts to solve on); the cell uses it.")
    text = (f"Electronic conductivity: believe the contact network ({used:.3g} S/cm), which the "
            "cell uses. It solves the packing's particles, carbon fibres and their contact "
            "areas directly, including fibres and partial shells thinner than a voxel.")
    if isinstance(voxel, int | float):
        text += (f" The voxel solve ({voxel:.3g} S/cm) is shown for comparison: at this voxel size "
                 "thin fibres break into disconnected voxels and touching particles merge or "
                 "separate, so it can be off by orders of magnitude.")
    return text


def voltage_note(data: BuildData) -> str:
    """Caption of the voltage curves: which directions were simulated."""
    _, charge = voltage_inputs(data)
    return ("Discharge solid, charge dashed." if charge else
            "Discharge curves only: this build simulated no charge curves.")


def meanings(data: BuildData, section: str) -> list[tuple[str, float, str, str]]:
    """(key, value, unit, meaning) of the headlines in ``section`` that carry a meaning."""
    out = []
    for h in HEADLINES:
        value = value_at(data.metrics, h.path)
        if (h.meaning and h.path[0] == section and isinstance(value, int | float)
                and not isinstance(value, bool)):
            path = ".".join(h.path)
            out.append((path, float(value), unit_of_path(path), h.meaning))
    return out


# The contact access-number threshold of the headline "utilization at rate" (issue 18).
CONTACT_LEVEL = next(h.path[-1] for h in HEADLINES if h.key == "utilization_ionic_contact")


def utilization_inputs(data: BuildData) -> tuple[np.ndarray, list[Series], dict[str, float],
                                                 list[Series], float | None]:
    """Overlap thresholds (%), utilization series (fractions), network-based levels; the ionic
    network's utilization vs access-number threshold (contact N_c, path N; fractions) and its
    CAM volume share with any ionic path (None where the build has no contact network)."""
    by = get(data.metrics, "structure.utilization_particle_contacts.by_min_overlap_percent")
    if not isinstance(by, Mapping) or not by:
        raise MissingData("metrics.json: no utilization by minimum overlap")
    keys = sorted(by, key=float)
    t = np.array([float(k) for k in keys])
    series = [Series("share of CAM particles", t,
                     np.array([by[k]["particle_fraction"] for k in keys], float))]
    if all(by[k].get("cam_volume_fraction") is not None for k in keys):
        series.append(Series("share of CAM volume", t,
                             np.array([by[k]["cam_volume_fraction"] for k in keys], float)))
    levels = {}
    vox = data.section("transport", "utilization_voxel") or {}
    for key, label in (("ionic_cam_volume_fraction", "ionic network (CAM volume)"),
                       ("ionic_electronic_cam_volume_fraction", "ionic + electronic (CAM volume)")):
        if vox.get(key) is not None:
            levels[label] = float(vox[key])
    network = data.section("transport", "ionic_contact_network") or {}
    access = []  # contact quality (issue 18): CAM volume vs threshold
    for key, label in (("utilization_by_contact_access_number",
                        "own contacts: N_c = 4πσr·R_contact"),
                       ("utilization_by_access_number",
                        "whole path to the separator: N = 4πσr·R_access")):
        shares = network.get(key) or {}
        numbers = sorted((k for k, v in shares.items() if v is not None), key=float)
        if numbers:
            access.append(Series(label, np.array([float(k) for k in numbers]),
                                 np.array([shares[k] for k in numbers], float)))
    path = network.get("path_cam_volume_fraction")
    return t, series, levels, access, (float(path) if path is not None else None)


def geometric_tortuosity_inputs(data: BuildData) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Histogram (edges, share) of SSE path tortuosity from the separator, and its median."""
    sec = "structure.ionic_geometric_tortuosity"
    edges = _array(data.metrics, f"{sec}.histogram_edges")
    share = _array(data.metrics, f"{sec}.histogram_fraction")
    if edges.size != share.size + 1 or not np.nansum(share) > 0:
        raise MissingData("geometric tortuosity: no SSE voxel was reached from the separator")
    if not np.isfinite(edges[-1]):  # open last class (≥ last finite edge)
        edges[-1] = edges[-2] + (edges[-2] - edges[-3] if edges.size > 2 else 1.0)
    median = data.metrics["structure"]["ionic_geometric_tortuosity"].get("median_tortuosity")
    return edges, share, median


def _numbers(section: object) -> dict[str, float]:
    return {k: float(v) for k, v in flatten(section)
            if isinstance(v, int | float) and not isinstance(v, bool)}


def transport_inputs(data: BuildData) -> tuple[dict[str, float], dict[str, float]]:
    """Tortuosity factors (–) and conductivities (S/cm) of the ionic and electronic results."""
    tortuosity: dict[str, float] = {}
    conductivity: dict[str, float] = {}
    for mode in ("ionic", "electronic"):
        section = data.section("transport", mode)
        if section is None:
            continue
        for key, value in _numbers(section).items():
            where, _, name = key.rpartition(".")
            label = (f"{mode}{f' ({where})' if where else ''}: "
                     f"{name.removesuffix('_s_cm').replace('_', ' ')}")
            if key.endswith("_s_cm"):
                conductivity[label] = value
            elif "tortuosity" in key and not unit_of_path(key):
                tortuosity[label] = value
    network = data.section("transport", "electronic_contact_network") or {}
    if "effective_conductivity_s_cm" in network:
        conductivity["electronic (contact network): effective conductivity"] = float(
            network["effective_conductivity_s_cm"])
        if network.get("tortuosity_factor") is not None:  # null when it does not percolate
            tortuosity["electronic (contact network): tortuosity factor"] = float(
                network["tortuosity_factor"])
    if not tortuosity and not conductivity:
        raise MissingData("metrics.json has no transport results with tortuosity or S/cm keys")
    return tortuosity, conductivity


def strain_map_inputs(data: BuildData) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Strain energy density map (x by z, kJ/m³) and its physical size (µm) if known."""
    _need(data, "strain-energy map (fields/strain_energy_kj_m3_xz.npy)",
          data.strain_energy_xz_kj_m3)
    emap = data.strain_energy_xz_kj_m3
    size = None
    if data.micro is not None and emap.shape == (data.micro.shape[0], data.micro.shape[2]):  # type: ignore[union-attr]
        size = (data.micro.size_um[0], data.micro.size_um[2])
    return emap, size  # type: ignore[return-value]


def strain_stats_inputs(data: BuildData) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Mean and percentiles of strain energy density (kJ/m³) per solid phase, and colours."""
    phases = get(data.metrics, "mechanics.strain_energy_by_phase")
    if not isinstance(phases, list):
        raise MissingData("metrics.json: mechanics.strain_energy_by_phase is not a list")
    colors_by_label = phase_colors(data.micro.phases) if data.micro is not None else {}
    pore_labels = set(data.micro.labels_with_role("pore")) if data.micro is not None else set()
    stats: dict[str, dict[str, float]] = {}
    colors = []
    for ph in phases:
        if ph.get("label") in pore_labels or ph.get("name") == "pore":
            continue
        row = {"mean": ph.get("mean_kj_m3")}
        quantiles = sorted((int(k[1:-len("_kj_m3")]), k) for k in ph
                           if re.fullmatch(r"p\d+_kj_m3", k))
        row |= {f"p{q}": ph[k] for q, k in quantiles}
        if all(isinstance(v, int | float) for v in row.values()):
            stats[str(ph.get("name", ph.get("label")))] = {k: float(v) for k, v in row.items()}
            colors.append(colors_by_label.get(ph.get("label"), FALLBACK_COLOR))
    if not stats or len({tuple(v) for v in stats.values()}) != 1:
        raise MissingData("metrics.json: no common strain-energy statistics for the solid phases")
    return stats, colors


def retention_inputs(data: BuildData) -> tuple[np.ndarray, list[Series], float | None]:
    """Stack pressures (MPa), retention/utilization-after-charge series, operating pressure."""
    sweep = get(data.metrics, "mechanics.contact_retention")
    if not isinstance(sweep, list) or not sweep:
        raise MissingData("metrics.json: mechanics.contact_retention is empty")
    sweep = sorted(sweep, key=lambda r: r["stack_pressure_mpa"])
    p = np.array([r["stack_pressure_mpa"] for r in sweep], float)
    lines = []
    for key, label in (("retained_contact_area_fraction", "CAM–SSE contact area retained"),
                       ("cam_utilization_volume_fraction", "CAM volume still reachable"),
                       ("cam_utilization_particle_fraction", "CAM particles still reachable")):
        values = [r.get(key) for r in sweep]
        if all(v is not None for v in values):
            lines.append(Series(label, p, np.asarray(values, float)))
    if not lines:
        raise MissingData("metrics.json: contact retention holds no fractions")
    op = data.metrics["mechanics"].get("stack_pressure_mpa")
    return p, lines, op


def _rates(data: BuildData) -> list[Mapping]:
    rows = get(data.metrics, "cell.rates")
    if not isinstance(rows, list) or not rows:
        raise MissingData("metrics.json: cell.rates is empty")
    return sorted(rows, key=lambda r: r["c_rate"])


def rate_inputs(data: BuildData) -> tuple[np.ndarray, np.ndarray]:
    """C-rates and discharge capacity (mAh/g CAM)."""
    rows = _rates(data)
    return (np.array([r["c_rate"] for r in rows], float),
            np.array([r["capacity_mah_g"] for r in rows], float))


def voltage_inputs(data: BuildData) -> tuple[list[Series], list[Series]]:
    """Discharge and charge curves: voltage (V) vs capacity (mAh/g), sorted by C-rate."""
    def curves(key: str) -> list[Series]:
        items = data.metrics.get("cell", {}).get(key) or []
        return [Series(f"{c['c_rate']:g}C", np.asarray(c["capacity_mah_g"], float),
                       np.asarray(c["voltage_v"], float))
                for c in sorted(items, key=lambda c: c["c_rate"]) if c.get("capacity_mah_g")]

    discharge = curves("discharge_curves")
    if not discharge:
        raise MissingData("metrics.json has no cell.discharge_curves")
    return discharge, curves("charge_curves")


def energy_inputs(data: BuildData) -> tuple[np.ndarray, dict[str, np.ndarray],
                                            dict[str, np.ndarray]]:
    """C-rates and energy densities of cathode and stack (Wh/kg, Wh/L)."""
    rows = _rates(data)

    def col(key: str) -> np.ndarray:
        return np.array([r[key] for r in rows], float)

    try:
        grav = {"composite cathode": col("cathode_wh_kg"), "stack": col("stack_wh_kg")}
        vol = {"composite cathode": col("cathode_wh_l"), "stack": col("stack_wh_l")}
    except KeyError as err:
        raise MissingData(f"metrics.json: cell.rates rows lack {err}") from None
    return col("c_rate"), grav, vol


def timings_inputs(data: BuildData) -> dict[str, float]:
    """Wall time per pipeline stage (s)."""
    timings = get(data.metrics, "timings_s")
    if not isinstance(timings, Mapping) or not timings:
        raise MissingData("metrics.json: timings_s is empty")
    return {str(k): float(v) for k, v in timings.items() if isinstance(v, int | float)}


@dataclass(frozen=True)
class Headline:
    """One key number for the summary cards: label, dotted metrics key, value, unit."""

    label: str
    key: str
    value: float
    unit: str


def _rate_row_key(c_rate: float) -> str:
    """Flattened key of the cell.rates row at ``c_rate`` (see tables.flatten)."""
    return f"cell.rates[c_rate={c_rate:g}]"


def headlines(data: BuildData) -> list[Headline]:
    """The key results present in the metrics (the headline table's cards), each with its key."""
    out = []
    for h in HEADLINES:
        value = value_at(data.metrics, h.path)
        if h.card and isinstance(value, int | float) and not isinstance(value, bool):
            path = ".".join(h.path)
            out.append(Headline(h.label, path, float(value), unit_of_path(path)))
    try:
        rows = _rates(data)
    except MissingData:
        return out
    one_c = [r for r in rows if r["c_rate"] == 1.0]
    row = one_c[0] if one_c else rows[-1]
    prefix = _rate_row_key(row["c_rate"])
    try:  # the particle-resolved cell's capacity where it ran, the DFN's otherwise
        c_rates, capacity, _, _ = model_rate_inputs(data)
        k = int(np.argmin(np.abs(c_rates - row["c_rate"])))
        out.append(Headline(f"Capacity at {c_rates[k]:g}C (particle-resolved)",
                            f"particle_cell.rates.capacity_mah_g[{k}]", float(capacity[k]),
                            "mAh/g"))
    except MissingData:
        out.append(Headline(f"Capacity at {row['c_rate']:g}C", f"{prefix}.capacity_mah_g",
                            float(row["capacity_mah_g"]), "mAh/g"))
    if "cathode_wh_l" in rows[0]:
        out.append(Headline(f"Cathode energy at {rows[0]['c_rate']:g}C",
                            f"{_rate_row_key(rows[0]['c_rate'])}.cathode_wh_l",
                            float(rows[0]["cathode_wh_l"]), "Wh/L"))
    return out


def _particle_section(data: BuildData) -> Mapping:
    section = data.metrics.get("particle_cell")
    if not isinstance(section, Mapping) or "rates" not in section:
        raise MissingData("metrics.json has no particle_cell section")
    return section


def model_rate_inputs(data: BuildData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """C-rates and capacities (mAh/g CAM) of the particle-resolved cell and of the DFN."""
    sec = _particle_section(data)
    return (np.asarray(sec["rates"]["c_rates"], float),
            np.asarray(sec["rates"]["capacity_mah_g"], float),
            np.asarray(sec.get("dfn_c_rates", []), float),
            np.asarray(sec.get("dfn_capacity_mah_g", []), float))


def particle_soc_inputs(data: BuildData) -> tuple[list[Series]]:
    """End-of-discharge state of charge per CAM particle, one series per C-rate."""
    rates = _particle_section(data)["rates"]
    return ([Series(f"{c:g}C", np.arange(len(soc)), np.asarray(soc, float))
             for c, soc in zip(rates["c_rates"], rates["end_of_discharge_soc"], strict=True)],)


def stranded_slice_inputs(data: BuildData):
    """CAM particles cut by the mid-y plane of the twin's first copy and why each is stranded
    at the highest C-rate (from the per-particle state of charge and the causes recorded)."""
    rates = _particle_section(data)["rates"]
    packing = data.packing
    if packing is None:
        raise MissingData("the build has no packing.npz")
    roles = packing.role_of()
    cam = np.flatnonzero((roles == "CAM") & (packing.core_radius_um > 0))
    causes = rates.get("stranded_cause") or []
    if not causes:
        raise MissingData("metrics.json: particle_cell.rates has no stranded_cause")
    k = int(np.argmax(rates["c_rates"]))
    cause = np.asarray(causes[k], int)[:cam.size]
    centre = packing.center_um[cam]
    r = packing.core_radius_um[cam]
    mid = packing.box_um[1] / 2
    cut = np.abs(centre[:, 1] - mid) < r
    radius = np.sqrt(np.maximum(r[cut] ** 2 - (centre[cut, 1] - mid) ** 2, 0.0))
    return (centre[cut, 0], centre[cut, 2], radius, cause[cut], packing.box_um,
            f"{rates['c_rates'][k]:g}C, mid-y slice of the twin (copy at the collector)")
