"""Report figures (matplotlib, Agg): each function takes plain numbers and returns a Figure."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import colormaps, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from cathodetwin.report.palette import hex_to_rgb, phase_colors
from cathodetwin.report.psd_curves import PsdCurve, sampled_density
from cathodetwin.structure.microstructure import Microstructure

DPI = 110
RATE_CMAP = "viridis"


@dataclass(frozen=True)
class Series:
    """One labelled x–y line (units are in the figure's axis labels)."""

    label: str
    x: np.ndarray
    y: np.ndarray


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """PNG bytes of a figure (tight bounding box)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def png_data_uri(png: bytes) -> str:
    """``data:image/png;base64,...`` URI of PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _tidy(ax: Axes) -> None:
    ax.grid(True, alpha=0.3, linewidth=0.6)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def _plain_log_ticks(axis: object) -> None:
    """Tick labels of a log axis as plain numbers (0.1, 1, 10) instead of powers of ten."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # type: ignore[attr-defined]


def _figure(width_in: float, height_in: float) -> Figure:
    return Figure(figsize=(width_in, height_in), layout="constrained")


def plain_text() -> Any:
    """Context in which matplotlib draws every string as given (no ``$…$`` mathtext): names
    come from users, and ``NCM811 $\\bad$`` must be a label, not a parse error."""
    return rc_context({"text.parse_math": False})


LOG_SPAN = 10.0  # bars spanning more than this factor get a log axis


def psd_figure(
    curves: Sequence[PsdCurve],
    colors: Sequence[str],
    sampled_d_um: Mapping[str, np.ndarray] | None = None,
    fibers: Sequence[tuple[str, float, float]] = (),
) -> Figure:
    """Number- and volume-weighted size densities (per ln d) of each powder; sampled as steps.

    ``sampled_d_um`` maps a powder name to the diameters drawn in the packing (µm); ``fibers``
    lists (name, diameter_um, length_um) of carbon fibres, noted in the legend.
    """
    fig = _figure(9.0, 3.4)
    axes = fig.subplots(1, 2, sharex=True)
    for ax, basis in zip(axes, ("number", "volume"), strict=True):
        for curve, color in zip(curves, colors, strict=True):
            y = curve.number_density if basis == "number" else curve.volume_density
            ax.plot(curve.d_um, y, color=color, lw=2, label=f"{curve.name} (recipe)")
            d = (sampled_d_um or {}).get(curve.name)
            if d is not None and d.size:
                bins = int(np.clip(np.sqrt(d.size), 4, 30))
                edges, dens = sampled_density(d, None if basis == "number" else d**3, bins)
                ax.stairs(dens, edges, color=color, lw=1.2, ls="--",
                          label=f"{curve.name} (packed, n={d.size})")
        ax.set_xscale("log")
        _plain_log_ticks(ax.xaxis)
        ax.set_xlabel("particle diameter d (µm)")
        ax.set_ylabel(f"{basis}-weighted density q (per ln d)")
        ax.set_title(f"{basis.capitalize()} basis", fontsize=10)
        _tidy(ax)
    for name, diameter, length in fibers:
        axes[0].plot([], [], " ", label=f"{name}: fibre ⌀ {diameter:g} µm × {length:g} µm")
    axes[0].legend(fontsize=7.5, frameon=False)
    return fig


def compaction_figure(pressure_mpa: np.ndarray, solid_fraction: np.ndarray,
                      height_um: np.ndarray | None = None) -> Figure:
    """Solid fraction (and stack height, µm) against punch pressure (MPa) during pressing."""
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    ax.plot(pressure_mpa, solid_fraction, color="#2a5a9c", lw=2, label="solid fraction")
    ax.set_xlabel("pressure (MPa)")
    ax.set_ylabel("solid fraction (–)", color="#2a5a9c")
    _tidy(ax)
    if height_um is not None:
        ax2 = ax.twinx()
        ax2.plot(pressure_mpa, height_um, color="#d1603d", lw=1.5, ls="--", label="height")
        ax2.set_ylabel("height (µm)", color="#d1603d")
        ax2.spines["top"].set_visible(False)
    return fig


def densification_figure(loading: tuple[np.ndarray, np.ndarray],
                         release: tuple[np.ndarray, np.ndarray],
                         measured: Sequence[tuple[str, np.ndarray, np.ndarray]] = ()) -> Figure:
    """Porosity (%) against applied pressure (MPa) on loading and on release to the stack
    pressure; ``measured``: (label, pressure MPa, porosity 0..1) calibration data beside it."""
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    ax.plot(loading[0], 100 * loading[1], color="#2a5a9c", lw=2, marker=".", label="loading")
    ax.plot(release[0], 100 * release[1], color="#d1603d", lw=2, marker=".", label="release")
    for label, p, phi in measured:
        ax.plot(p, 100 * phi, ls="none", marker="o", mfc="none", color="#444444", label=label)
    ax.set_xlabel("applied pressure (MPa)")
    ax.set_ylabel("porosity (%)")
    ax.legend(fontsize=7.5, frameon=False)
    _tidy(ax)
    return fig


def phase_fraction_figure(names: Sequence[str], fractions: Sequence[float],
                          colors: Sequence[str]) -> Figure:
    """Horizontal bars of volume fractions (0–1) per phase, labelled in %."""
    fig = _figure(5.2, 0.45 * len(names) + 1.0)
    ax = fig.subplots()
    y = np.arange(len(names))[::-1]
    ax.barh(y, fractions, color=colors, edgecolor="#333333", linewidth=0.5)
    for yi, f in zip(y, fractions, strict=True):
        ax.text(f + 0.01, yi, f"{100 * f:.1f} %", va="center", fontsize=8.5)
    ax.set_yticks(y, names)
    ax.set_xlim(0, min(1.0, max(fractions) * 1.25 + 0.05))
    ax.set_xlabel("volume fraction (–)")
    _tidy(ax)
    return fig


def label_rgb(labels: np.ndarray, colors: Mapping[int, str]) -> np.ndarray:
    """RGB image (…, 3) in 0..1 of a label array from a colour per label (grey if unknown)."""
    lut = np.full((256, 3), 0.75)
    for label, color in colors.items():
        lut[label] = hex_to_rgb(color)
    return lut[labels]


def slices_figure(micro: Microstructure) -> Figure:
    """False-colour mid-plane sections xy, xz and yz of a labelled volume with a phase legend."""
    colors = phase_colors(micro.phases)
    nx, ny, nz = micro.shape
    lx, ly, lz = micro.size_um
    planes = (
        (micro.labels[:, :, nz // 2], (lx, ly), ("x (µm)", "y (µm)"),
         f"xy at z = {(nz // 2 + 0.5) * micro.voxel_size_um[2]:.1f} µm"),
        (micro.labels[:, ny // 2, :], (lx, lz), ("x (µm)", "z (µm) ↑ separator"),
         f"xz at y = {(ny // 2 + 0.5) * micro.voxel_size_um[1]:.1f} µm"),
        (micro.labels[nx // 2, :, :], (ly, lz), ("y (µm)", "z (µm) ↑ separator"),
         f"yz at x = {(nx // 2 + 0.5) * micro.voxel_size_um[0]:.1f} µm"),
    )
    fig = _figure(11.0, 4.3)
    axes = fig.subplots(1, 3)
    for ax, (plane, (w, h), (xl, yl), title) in zip(axes, planes, strict=True):
        ax.imshow(np.swapaxes(label_rgb(plane, colors), 0, 1), origin="lower",
                  extent=(0, w, 0, h), interpolation="nearest")
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.set_title(title, fontsize=10)
    present = set(np.unique(micro.labels).tolist())
    handles = [Patch(facecolor=colors[p.label], edgecolor="#333333", label=f"{p.name} ({p.role})")
               for p in sorted(micro.phases, key=lambda p: p.label) if p.label in present]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6),
               frameon=False, fontsize=8.5)
    return fig


def pore_size_figure(diameter_um: np.ndarray, share: np.ndarray,
                     mean_diameter_um: float | None = None,
                     resolution_um: float | None = None) -> Figure:
    """Pore size distribution: share of pore volume per local-thickness diameter class (µm).

    ``resolution_um``: smallest diameter the voxels resolve; smaller classes are shaded.
    """
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    if resolution_um is not None:
        ax.axvspan(0.0, resolution_um, color="#f3d9a4", alpha=0.6, lw=0,
                   label=f"below {resolution_um:.3g} µm: not resolved")
    width = np.gradient(diameter_um) * 0.9 if diameter_um.size > 1 else 0.1
    ax.bar(diameter_um, share, width=width, color="#555555", edgecolor="#111111", lw=0.4)
    if mean_diameter_um is not None:
        ax.axvline(mean_diameter_um, color="#d1603d", lw=1.5, ls="--",
                   label=f"mean {mean_diameter_um:.3g} µm")
    if mean_diameter_um is not None or resolution_um is not None:
        ax.legend(frameon=False, fontsize=8.5)
    ax.set_xlabel("pore diameter, local thickness (µm)")
    ax.set_ylabel("share of pore volume (–)")
    _tidy(ax)
    return fig


def utilization_figure(series: Sequence[Series],
                       levels: Mapping[str, float] | None = None,
                       access: Sequence[Series] = (),
                       path_share: float | None = None,
                       headline_threshold: float | None = None) -> Figure:
    """CAM with an SSE contact of overlap ≥ threshold (paper 000; fractions vs % of r_i + r_j).

    ``levels`` are threshold-free utilizations (fractions) drawn as horizontal lines. With
    ``access`` (utilization vs access-number threshold, fractions vs -) a second panel draws
    them on a log axis, ``path_share`` (CAM with any ionic path) as their limit and
    ``headline_threshold`` as a vertical mark.
    """
    fig = _figure(9.6 if access else 5.2, 3.4)
    axes = fig.subplots(1, 2 if access else 1, squeeze=False)[0]
    ax = axes[0]
    for s, (color, marker) in zip(series, (("#d1603d", "o"), ("#9c2f3c", "s"), ("#e9a23b", "D")),
                                  strict=False):
        ax.plot(s.x, 100 * s.y, marker=marker, color=color, lw=2, label=s.label)
    for (label, value), ls in zip((levels or {}).items(), ("--", ":", "-."), strict=False):
        ax.axhline(100 * value, color="#2a5a9c", ls=ls, lw=1.3, label=label)
    ax.set_xlabel("minimum CAM–SSE overlap (% of the sum of radii)")
    ax.set_ylabel("CAM utilization (%)")
    ax.set_ylim(0, 105)
    ax.legend(frameon=False, fontsize=8)
    _tidy(ax)
    if access:
        ax = axes[1]
        for s, (color, marker) in zip(access, (("#2a5a9c", "o"), ("#8a8a8a", "s")),
                                      strict=False):
            ax.plot(s.x, 100 * s.y, marker=marker, color=color, lw=2, label=s.label)
        if path_share is not None:
            ax.axhline(100 * path_share, color="#2a5a9c", ls=":", lw=1.3,
                       label="any ionic path to the separator")
        if headline_threshold is not None:
            ax.axvline(headline_threshold, color="#d1603d", ls="--", lw=1.2,
                       label=f"headline threshold {headline_threshold:g}")
        ax.set_xscale("log")
        ax.set_xlabel("ionic access-number threshold (–)")
        ax.set_ylabel("CAM volume at or below it (%)")
        ax.set_ylim(0, 105)
        ax.legend(frameon=False, fontsize=7.5)
        _tidy(ax)
    return fig


def tortuosity_histogram_figure(edges: np.ndarray, share: np.ndarray,
                                median: float | None = None) -> Figure:
    """Distribution of geometric path tortuosity (–) through the SSE from the separator."""
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    ax.stairs(share, edges, fill=True, color="#93c0ec", edgecolor="#2a5a9c", lw=1.2)
    if median is not None:
        ax.axvline(median, color="#d1603d", ls="--", lw=1.5, label=f"median {median:.3g}")
        ax.legend(frameon=False, fontsize=8.5)
    ax.set_xlabel("path length / straight distance (–)")
    ax.set_ylabel("share of reached SSE volume (–)")
    _tidy(ax)
    return fig


def transport_figure(tortuosity: Mapping[str, float],
                     conductivity_s_cm: Mapping[str, float]) -> Figure:
    """Bars of tortuosity factors (–) and effective conductivities (S/cm), each on a log axis
    when its values span more than ``LOG_SPAN`` (conductivities always)."""
    panels = [(t, d) for t, d in (("tortuosity (–)", tortuosity),
                                  ("effective conductivity (S/cm)", conductivity_s_cm)) if d]
    fig = _figure(4.6 * len(panels), 3.4)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (title, data) in zip(axes, panels, strict=True):
        names = list(data)
        values = np.array([data[n] for n in names], float)
        finite = np.isfinite(values)
        colors = ["#4c8bd6" if "ionic" in n.lower() else "#6f9e4f" for n in names]
        positive = values[finite & (values > 0)]
        log = positive.size > 0 and (
            "conductivity" in title or positive.max() > LOG_SPAN * positive.min())
        floor = positive.min() / 2.0 if log else 0.0  # where a bar of no path ends
        ax.bar(range(len(names)), np.where(finite, values, floor), color=colors,
               edgecolor="#333333", lw=0.5)
        for i, v in enumerate(values):
            ax.annotate("∞ (no path)" if not finite[i] else f"{v:.3g}",
                        (i, v if finite[i] else floor), ha="center", va="bottom", fontsize=8,
                        xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize=8)
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(title)
        _tidy(ax)
    return fig


def strain_energy_map_figure(energy_kj_m3: np.ndarray,
                             size_um: tuple[float, float] | None = None) -> Figure:
    """Map (x by z) of elastic strain energy density (kJ/m³) after charge at mid-y."""
    fig = _figure(5.6, 4.0)
    ax = fig.subplots()
    extent = (0, size_um[0], 0, size_um[1]) if size_um else None
    finite = energy_kj_m3[np.isfinite(energy_kj_m3)]
    vmax = float(np.percentile(finite, 99)) if finite.size else 1.0
    im = ax.imshow(energy_kj_m3.T, origin="lower", extent=extent, cmap="inferno",
                   vmin=0.0, vmax=max(vmax, 1e-12), interpolation="nearest")
    fig.colorbar(im, ax=ax, label="strain energy density (kJ/m³)", shrink=0.9)
    ax.set_xlabel("x (µm)" if size_um else "x (voxels)")
    ax.set_ylabel("z (µm) ↑ separator" if size_um else "z (voxels)")
    return fig


def strain_energy_stats_figure(stats: Mapping[str, Mapping[str, float]],
                               colors: Sequence[str]) -> Figure:
    """Strain energy density statistics per phase (kJ/m³, log axis): e.g. mean and percentiles.

    ``stats`` maps a phase name to {statistic label: value}; every phase has the same labels.
    """
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    names = list(stats)
    labels = list(stats[names[0]])
    x = np.arange(len(labels))
    width = 0.8 / len(names)
    for k, (name, color) in enumerate(zip(names, colors, strict=True)):
        values = np.array([stats[name][lab] for lab in labels], float)
        ax.bar(x + (k - (len(names) - 1) / 2) * width, np.where(values > 0, values, np.nan),
               width, color=color, edgecolor="#333333", lw=0.4, label=name)
    ax.set_xticks(x, labels)
    ax.set_yscale("log")
    ax.set_ylabel("strain energy density (kJ/m³)")
    ax.legend(frameon=False, fontsize=8)
    _tidy(ax)
    return fig


def retention_figure(pressure_mpa: np.ndarray, lines: Sequence[Series],
                     operating_pressure_mpa: float | None = None) -> Figure:
    """Contact retention and CAM utilization after charge (fractions) vs stack pressure (MPa)."""
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    for line, marker in zip(lines, "osD^v", strict=False):
        ax.plot(line.x, 100 * line.y, marker=marker, lw=1.8, label=line.label)
    if operating_pressure_mpa is not None:
        ax.axvline(operating_pressure_mpa, color="#888888", ls=":", lw=1.2,
                   label=f"operating {operating_pressure_mpa:g} MPa")
    if np.all(np.asarray(pressure_mpa) > 0):
        ax.set_xscale("log")
        _plain_log_ticks(ax.xaxis)
    ax.set_xlabel("stack pressure (MPa)")
    ax.set_ylabel("after charge (%)")
    ax.set_ylim(0, 105)
    ax.legend(frameon=False, fontsize=8)
    _tidy(ax)
    return fig


def rate_figure(c_rate: np.ndarray, capacity_mah_g: np.ndarray) -> Figure:
    """Discharge capacity (mAh per g CAM) against C-rate (log axis)."""
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    ax.plot(c_rate, capacity_mah_g, "o-", color="#d1603d", lw=2)
    for c, q in zip(c_rate, capacity_mah_g, strict=True):
        ax.annotate(f"{q:.0f}", (c, q), xytext=(0, 5), textcoords="offset points",
                    ha="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xticks(c_rate, [f"{c:g}C" for c in c_rate])
    ax.minorticks_off()
    ax.set_xlabel("C-rate")
    ax.set_ylabel("discharge capacity (mAh/g CAM)")
    ax.set_ylim(0, max(float(np.max(capacity_mah_g)) * 1.15, 1.0))
    _tidy(ax)
    return fig


def voltage_figure(discharge: Sequence[Series], charge: Sequence[Series] = ()) -> Figure:
    """Voltage (V) vs capacity (mAh/g CAM) per C-rate: discharge solid, charge dashed."""
    fig = _figure(5.6, 3.6)
    ax = fig.subplots()
    cmap = colormaps[RATE_CMAP]
    n = max(len(discharge), 1)
    for i, s in enumerate(discharge):
        ax.plot(s.x, s.y, color=cmap(0.9 * i / max(n - 1, 1)), lw=1.8, label=s.label)
    for i, s in enumerate(charge):
        ax.plot(s.x, s.y, color=cmap(0.9 * i / max(len(charge) - 1, 1)), lw=1.2, ls="--")
    ax.set_xlabel("capacity (mAh/g CAM)")
    ax.set_ylabel("cell voltage (V)")
    ax.legend(frameon=False, fontsize=8, title="discharge", title_fontsize=8)
    _tidy(ax)
    return fig


def energy_figure(c_rate: np.ndarray, gravimetric_wh_kg: Mapping[str, np.ndarray],
                  volumetric_wh_l: Mapping[str, np.ndarray]) -> Figure:
    """Grouped bars of energy density per C-rate: Wh/kg (left) and Wh/L (right) per level."""
    fig = _figure(9.0, 3.4)
    axes = fig.subplots(1, 2)
    labels = [f"{c:g}C" for c in c_rate]
    x = np.arange(len(labels))
    for ax, data, unit in ((axes[0], gravimetric_wh_kg, "Wh/kg"),
                           (axes[1], volumetric_wh_l, "Wh/L")):
        width = 0.8 / max(len(data), 1)
        for k, ((name, values), color) in enumerate(
            zip(data.items(), ("#d1603d", "#4c8bd6", "#6f9e4f"), strict=False)
        ):
            ax.bar(x + (k - (len(data) - 1) / 2) * width, values, width, label=name,
                   color=color, edgecolor="#333333", lw=0.4)
        ax.set_xticks(x, labels)
        ax.set_xlabel("C-rate")
        ax.set_ylabel(f"energy density ({unit})")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.18)
        ax.legend(frameon=False, fontsize=8, ncol=2, loc="upper center")
        _tidy(ax)
    return fig


def timings_figure(timings_s: Mapping[str, float]) -> Figure:
    """Horizontal bars of wall time per pipeline stage (s)."""
    names = list(timings_s)
    fig = _figure(5.2, 0.35 * len(names) + 1.0)
    ax = fig.subplots()
    y = np.arange(len(names))[::-1]
    values = [float(timings_s[n]) for n in names]
    ax.barh(y, values, color="#8a8a8a", edgecolor="#333333", lw=0.4)
    for yi, v in zip(y, values, strict=True):
        ax.text(v, yi, f" {v:.2f} s", va="center", fontsize=8)
    ax.set_yticks(y, names)
    ax.set_xlabel("wall time (s)")
    ax.set_xlim(0, max(values + [1e-3]) * 1.25)
    _tidy(ax)
    return fig


def model_rate_figure(c_rate: np.ndarray, particle_mah_g: np.ndarray,
                      dfn_c_rate: np.ndarray, dfn_mah_g: np.ndarray) -> Figure:
    """Discharge capacity (mAh/g CAM) vs C-rate of the particle-resolved cell and the DFN."""
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    ax.plot(c_rate, particle_mah_g, "o-", color="#d1603d", lw=2, label="particle-resolved")
    if dfn_c_rate.size:
        ax.plot(dfn_c_rate, dfn_mah_g, "s--", color="#3d7dd1", lw=1.5, label="DFN")
    ax.set_xscale("log")
    ax.set_xticks(c_rate, [f"{c:g}C" for c in c_rate])
    ax.minorticks_off()
    ax.set_xlabel("C-rate")
    ax.set_ylabel("discharge capacity (mAh/g CAM)")
    top = max(float(np.max(particle_mah_g, initial=0.0)), float(np.max(dfn_mah_g, initial=0.0)))
    ax.set_ylim(0, max(top * 1.15, 1.0))
    ax.legend(frameon=False, fontsize=8)
    _tidy(ax)
    return fig


def particle_soc_figure(series: Sequence[Series]) -> Figure:
    """Histogram of each CAM particle's delivered share of its window at end of discharge."""
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    cmap = colormaps[RATE_CMAP]
    bins = np.linspace(0.0, 1.0, 21)
    for i, s in enumerate(series):
        ax.hist(s.y, bins=bins, histtype="step", lw=1.6, label=s.label,
                color=cmap(0.9 * i / max(len(series) - 1, 1)))
    ax.axvline(0.5, color="#888", lw=0.8, ls=":")
    ax.set_xlabel("particle state of charge delivered at end of discharge (-)")
    ax.set_ylabel("CAM particles")
    ax.legend(frameon=False, fontsize=8, title="discharge", title_fontsize=8)
    _tidy(ax)
    return fig


CAUSE_COLORS = {-1: "#bbbbbb", 0: "#3d7dd1", 1: "#d1603d", 2: "#8a5cc2"}


def stranded_slice_figure(x_um: np.ndarray, z_um: np.ndarray, r_um: np.ndarray,
                          cause: np.ndarray, box_um: Sequence[float], title: str) -> Figure:
    """CAM particles cut by the mid-y plane (x–z), coloured by why they are stranded."""
    from matplotlib.patches import Circle

    fig = _figure(5.6, 5.6 * min(box_um[2] / box_um[0], 2.0))
    ax = fig.subplots()
    for xi, zi, ri, ci in zip(x_um, z_um, r_um, cause, strict=True):
        ax.add_patch(Circle((xi, zi), ri, color=CAUSE_COLORS.get(int(ci), "#bbbbbb"),
                            lw=0.3, ec="k"))
    for k, name in ((-1, "delivers"), (0, "stranded: ionic"), (1, "stranded: electronic"),
                    (2, "stranded: kinetic")):
        ax.plot([], [], "o", color=CAUSE_COLORS[k], label=name)
    ax.set_xlim(0, box_um[0])
    ax.set_ylim(0, box_um[2])
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("z (µm), collector at 0")
    ax.set_title(title, fontsize=9)
    ax.legend(frameon=False, fontsize=7, loc="upper right")
    return fig
