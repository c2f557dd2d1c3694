"""Single-twin report: one self-contained report.html (inline PNGs, no external resources)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from cathodetwin.atomic import write_text_atomic
from cathodetwin.psd import FiberPSD, LognormalPSD, TablePSD
from cathodetwin.recipe import Component, Recipe
from cathodetwin.report import extract, figures, viewer3d
from cathodetwin.report.builddir import REPORT_FILE, BuildData, load_build
from cathodetwin.report.render3d import Backend, Render, render_particles, render_sse_network
from cathodetwin.report.style import CSS
from cathodetwin.report.tables import (
    Row,
    exact_text,
    flatten,
    format_leaf,
    format_number,
    rows_of,
    unit_of_key,
    unit_of_path,
)

# metrics.json sections, in report order: (key path, heading, what produces it)
STAGES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("packing",), "Packing", "DEM compaction"),
    (("structure",), "Structure", "structural analysis"),
    (("transport", "ionic"), "Ionic transport", "ionic conduction solve"),
    (("transport", "electronic"), "Electronic transport", "electronic conduction solve"),
    (("mechanics",), "Mechanics", "CAM breathing mechanics"),
    (("cell",), "Cell", "cell model"),
)
SERIES_INLINE_MAX = 8  # longer number lists are folded into <details>
FINGERPRINT_SHOWN = 12

@dataclass(frozen=True)
class Noted:
    """A figure with a note that depends on the build (appended to the panel's caption)."""

    figure: Figure
    note: str


Maker = Callable[[BuildData], "Figure | Render | Noted"]


@dataclass(frozen=True)
class Panel:
    """One figure of the report: title, caption, how to make it, whether it spans the page."""

    title: str
    caption: str
    make: Maker
    wide: bool = False


def _esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def _panel_html(panel: Panel, data: BuildData) -> str:
    """<figure> with the inline PNG, or a note saying why the figure is not available."""
    title = f"<h3>{_esc(panel.title)}</h3>"
    cls = "panel wide" if panel.wide else "panel"
    try:
        result = panel.make(data)
    except extract.MissingData as err:
        return (f'<div class="{cls} missing">{title}<p class="note">Not available: '
                f"{_esc(err)}.</p></div>")
    except Exception as err:  # a broken figure must not take the whole report down
        return (f'<div class="{cls} missing failed">{title}<p class="note">Figure failed: '
                f"{_esc(type(err).__name__)}: {_esc(err)}</p></div>")
    caption, legend = panel.caption, ""
    if isinstance(result, Noted):
        caption = f"{caption} {result.note}" if result.note else caption
        result = result.figure
    if isinstance(result, Render):
        png = result.png
        caption = f"{caption} {result.note}." if result.note else caption
        if result.legend:
            legend = '<ul class="legend">' + "".join(
                f'<li><span class="swatch" style="background:{_esc(color)}"></span>'
                f"{_esc(name)}</li>" for name, color in result.legend) + "</ul>"
    else:
        png = figures.figure_png(result)
    return (f'<figure class="{cls}">{title}<img alt="{_esc(panel.title)}" '
            f'src="{figures.png_data_uri(png)}">{legend}'
            f"<figcaption>{_esc(caption)}</figcaption></figure>")


def _panels_html(panels: Sequence[Panel], data: BuildData) -> str:
    return '<div class="grid">' + "".join(_panel_html(p, data) for p in panels) + "</div>"


def _value_cell(value: object, key: str) -> str:
    """<td> of one leaf with its exact value(s) in data attributes for machines."""
    k = f' data-key="{_esc(key)}"'
    if isinstance(value, tuple):
        exact = " ".join(exact_text(v) for v in value)
        text = _esc(format_leaf(value))
        if len(value) > SERIES_INLINE_MAX:
            text = (f"<details><summary>{len(value)} values</summary>"
                    f'<div class="series">{text}</div></details>')
        return f'<td class="num series-cell"{k} data-values="{exact}">{text}</td>'
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return f'<td class="text"{k}>{_esc(format_leaf(value))}</td>'
    return f'<td class="num"{k} data-value="{exact_text(value)}">{_esc(format_leaf(value))}</td>'


def metrics_table(rows: Sequence[Row], section_key: str) -> str:
    """Table of every leaf of one metrics section: key, value, unit (class 'metrics')."""
    body = "".join(
        f'<tr><th scope="row"><code>{_esc(r.key)}</code></th>'
        f"{_value_cell(r.value, f'{section_key}.{r.key}' if section_key else r.key)}"
        f'<td class="unit">{_esc(r.unit)}</td></tr>'
        for r in rows
    )
    return (f'<table class="metrics" data-section="{_esc(section_key)}"><thead><tr>'
            f"<th>key</th><th>value</th><th>unit</th></tr></thead><tbody>{body}</tbody></table>")


def _folded_table(section: object, section_key: str, label: str) -> str:
    rows = rows_of(section)
    count = f"{len(rows)} value{'s' if len(rows) != 1 else ''}"
    return (f'<details class="numbers"><summary>{_esc(label)}: all {count}'
            f"</summary>{metrics_table(rows, section_key)}</details>")


def _psd_text(comp: Component) -> str:
    psd = comp.psd
    if isinstance(psd, LognormalPSD):
        width = (f"GSD {psd.gsd:g}" if psd.gsd is not None else
                 ", ".join(f"{n} {v:g} µm" for n, v in (("D10", psd.d10_um), ("D90", psd.d90_um))
                           if v is not None))
        return f"lognormal, D50 {psd.d50_um:g} µm, {width} ({psd.basis} basis)"
    if isinstance(psd, TablePSD):
        return (f"measured table ({len(psd.sizes_um)} points), D50 {psd.d50_um:.3g} µm "
                f"({psd.basis} basis)")
    if isinstance(psd, FiberPSD):
        return f"fibre ⌀ {psd.diameter_um:g} µm × {psd.length_um:g} µm"
    return "—"


def _shell_text(comp: Component) -> str:
    parts = []
    if comp.shell is not None:
        sh = comp.shell
        amount = (f"{sh.thickness_um:g} µm" if sh.thickness_um is not None
                  else f"{sh.weight_percent:g} wt%")
        parts.append(f"{sh.material} shell {amount}, coverage {100 * sh.coverage:g} %")
    if comp.buffer is not None:
        parts.append(f"{comp.buffer.material} buffer {comp.buffer.thickness_nm:g} nm")
    if comp.overrides:
        parts.append("overrides: " + ", ".join(
            f"{k} = {v:g} {unit_of_key(k)}".rstrip() for k, v in comp.overrides.items()))
    return "; ".join(parts) or "—"


def recipe_html(recipe: Recipe) -> str:
    """Components table and processing / electrode / simulation settings of a recipe."""
    comp_rows = "".join(
        f"<tr><td>{_esc(c.name)}</td><td>{_esc(c.material)}</td><td>{_esc(c.role)}</td>"
        f'<td class="num">{c.weight_percent:g}</td><td>{_esc(_psd_text(c))}</td>'
        f"<td>{_esc(_shell_text(c))}</td></tr>"
        for c in recipe.components
    )
    comps = ('<table class="recipe"><thead><tr><th>component</th><th>material</th><th>role</th>'
             "<th>wt%</th><th>size distribution</th><th>coating / overrides</th></tr></thead>"
             f"<tbody>{comp_rows}</tbody></table>")
    settings = []
    for part in ("processing", "electrode", "simulation"):
        for key, value in flatten(getattr(recipe, part).model_dump(mode="json")):
            if value is not None:
                settings.append(f"<tr><th scope='row'>{_esc(part)}.{_esc(key)}</th>"
                                f'<td class="num">{_esc(format_leaf(value, 6))}</td>'
                                f'<td class="unit">{_esc(unit_of_path(key))}</td></tr>')
    desc = f"<p>{_esc(recipe.description)}</p>" if recipe.description else ""
    return (f"{desc}{comps}<table class='settings'><thead><tr><th>setting</th><th>value</th>"
            f"<th>unit</th></tr></thead><tbody>{''.join(settings)}</tbody></table>")


def _card_text(value: float, unit: str) -> tuple[str, str]:
    """Display value and unit of a headline (fractions as %)."""
    if unit == "fraction":
        return format_number(100.0 * value, 3), "%"
    return format_number(value, 3), unit


def _cards_html(data: BuildData) -> str:
    cards = ""
    for h in extract.headlines(data):
        text, unit = _card_text(h.value, h.unit)
        cards += (f'<div class="card"><div class="label">{_esc(h.label)}</div>'
                  f'<div class="value" data-key="{_esc(h.key)}" '
                  f'data-value="{exact_text(h.value)}">{_esc(text)}'
                  f'<span class="unit"> {_esc(unit)}</span></div></div>')
    return f'<div class="cards">{cards}</div>' if cards else ""


def _rate_table(data: BuildData) -> str:
    """Rate capability table (one row per C-rate) from cell.rates, if present."""
    rows = (data.section("cell") or {}).get("rates")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, Mapping) for r in rows):
        return ""
    keys = [k for k in rows[0] if isinstance(rows[0][k], int | float)]
    head = "".join(f"<th>{_esc(k)}<br><span class='unit'>{_esc(unit_of_key(k))}</span></th>"
                   for k in keys)
    body = ""
    for r in sorted(rows, key=lambda r: r.get("c_rate", 0.0)):
        prefix = f"cell.rates[c_rate={r['c_rate']:g}]" if "c_rate" in r else "cell.rates"
        body += "<tr>" + "".join(_value_cell(r.get(k), f"{prefix}.{k}") for k in keys) + "</tr>"
    return (f'<table class="rates"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def _stage_note(data: BuildData, path: tuple[str, ...], name: str) -> str:
    if data.section(*path) is not None:
        return ""
    return (f'<p class="missing-stage">The {_esc(name)} stage was skipped or failed: '
            f"metrics.json has no <code>{_esc('.'.join(path))}</code> section.</p>")


def _particles(d: BuildData, backend: Backend) -> Render:
    if d.packing is None:
        raise extract.MissingData("the build has no packing.npz")
    return render_particles(d.packing, backend=backend)


def _network(d: BuildData, backend: Backend) -> Render:
    if d.micro is None:
        raise extract.MissingData("the build has no microstructure.zarr")
    return render_sse_network(d.micro, backend=backend)


def _slices(d: BuildData) -> Figure:
    if d.micro is None:
        raise extract.MissingData("the build has no microstructure.zarr")
    return figures.slices_figure(d.micro)


def _sections(backend: Backend) -> list[tuple[str, str, list[Panel]]]:
    """(anchor, heading, panels) of each figure section."""
    x = extract
    f = figures
    return [
        ("recipe", "Recipe", [
            Panel("Particle size distributions", "Recipe PSDs as densities per ln d on number "
                  "and volume basis (Hatch–Choate for lognormals); dashed steps: core diameters "
                  "drawn in the packing.", lambda d: f.psd_figure(*x.psd_inputs(d)), wide=True),
        ]),
        ("packing", "Packing", [
            Panel("Compaction", "Solid fraction and height of the powder bed during pressing.",
                  lambda d: f.compaction_figure(*x.compaction_inputs(d))),
            Panel("Densification", "Porosity against applied pressure while pressing "
                  "(loading) and while unloading to the stack pressure (release).",
                  lambda d: f.densification_figure(*x.densification_inputs(d))),
            Panel("Packed particles (3D)", "Particles coloured by powder; SSE shells "
                  "translucent; z up (separator on top).", lambda d: _particles(d, backend)),
        ]),
        ("structure", "Microstructure", [
            Panel("Cross-sections", "SEM-like false-colour sections through the middle of the "
                  "labelled volume; z = 0 is the current collector.", _slices, wide=True),
            Panel("Phase volume fractions", "Share of the box volume per phase.",
                  lambda d: f.phase_fraction_figure(*x.phase_fraction_inputs(d))),
            Panel("SSE network (3D)", "Ion-conducting solid coloured by height.",
                  lambda d: _network(d, backend)),
            Panel("Pore size distribution", "Local-thickness diameters of the pore space.",
                  lambda d: Noted(f.pore_size_figure(*x.pore_inputs(d)),
                                  x.pore_resolution_note(d))),
            Panel("CAM utilization", "Left, paper 000's criterion: a CAM particle counts "
                  "if it overlaps an SSE particle by at least the threshold; lines: CAM volume "
                  "on the ionic (and electronic) networks. Right, contact quality (ionic "
                  "contact network): CAM volume whose own contacts (N_c) or whole path to the "
                  "separator (N) cost at most the threshold × the spreading resistance of the "
                  "particle embedded in the pellet-σ electrolyte; the dashed mark is the "
                  "headline utilization at rate.",
                  lambda d: f.utilization_figure(
                      *x.utilization_inputs(d)[1:],
                      headline_threshold=float(x.CONTACT_LEVEL)), wide=True),
            Panel("SSE path tortuosity", "Shortest path through SSE + shell from the "
                  "separator divided by the straight distance, per reached voxel.",
                  lambda d: f.tortuosity_histogram_figure(*x.geometric_tortuosity_inputs(d))),
        ]),
        ("transport", "Transport", [
            Panel("Tortuosity and effective conductivity", "Through-plane conduction solves "
                  "(ionic: SSE + shell; electronic: CAM + carbon); log axes where the values "
                  "span more than a factor of 10.",
                  lambda d: Noted(f.transport_figure(*x.transport_inputs(d)),
                                  x.electronic_conductivity_note(d)), wide=True),
        ]),
        ("mechanics", "Mechanics", [
            Panel("Strain energy after charge", "Elastic strain energy density at mid-y "
                  "(colour scale capped at the 99th percentile).",
                  lambda d: f.strain_energy_map_figure(*x.strain_map_inputs(d))),
            Panel("Strain energy by phase", "Mean and percentiles of the strain energy "
                  "density in each solid phase after charge (paper 001's comparison).",
                  lambda d: f.strain_energy_stats_figure(*x.strain_stats_inputs(d))),
            Panel("Contact retention vs stack pressure", "CAM–SSE contact area that stays "
                  "closed after charge and the CAM still reachable through it.",
                  lambda d: f.retention_figure(*x.retention_inputs(d))),
        ]),
        ("cell", "Cell", [
            Panel("Rate capability", "Discharge capacity per gram of CAM.",
                  lambda d: f.rate_figure(*x.rate_inputs(d))),
            Panel("Voltage curves", "Half-cell voltage vs capacity.",
                  lambda d: Noted(f.voltage_figure(*x.voltage_inputs(d)), x.voltage_note(d))),
            Panel("Energy density", "Composite cathode and stack energy per mass and volume.",
                  lambda d: f.energy_figure(*x.energy_inputs(d)), wide=True),
        ]),
    ]


def _particle_panels() -> list[Panel]:
    """Figures of the particle-resolved cell (only for builds that have its section)."""
    x = extract
    f = figures
    return [
        Panel("Particle-resolved vs DFN", "Discharge capacity of the particle-resolved "
              "cell (each CAM particle on its own contacts) beside the homogenized DFN.",
              lambda d: f.model_rate_figure(*x.model_rate_inputs(d))),
        Panel("Particle state of charge", "Share of each CAM particle's window delivered "
              "at the end of discharge (below 0.5: stranded).",
              lambda d: f.particle_soc_figure(*x.particle_soc_inputs(d))),
        Panel("Stranded particles", "CAM particles cut by the mid-y plane at the highest "
              "rate, coloured by what strands them (ionic, electronic, kinetic).",
              lambda d: f.stranded_slice_figure(*x.stranded_slice_inputs(d))),
    ]


def _section_tables(anchor: str, data: BuildData) -> str:
    """Stage notes and folded number tables that belong under one figure section."""
    out = ""
    for path, heading, name in STAGES:
        if path[0] != anchor:
            continue
        note = _stage_note(data, path, name)
        section = data.section(*path)
        out += note if section is None else _folded_table(section, ".".join(path), heading)
    if anchor == "cell":
        out = _rate_table(data) + out
    if anchor == "particle_cell":
        out = _model_table(data) + out
    if anchor == "transport":
        note = extract.electronic_conductivity_note(data)
        out = (f'<p class="explain">{_esc(note)}</p>' if note else "") + out
    return _meanings_html(data, anchor) + out


def _model_table(data: BuildData) -> str:
    """Capacities of the particle-resolved cell and the DFN side by side, with stranded CAM."""
    section = data.section("particle_cell")
    if not section:
        return ""
    rates = section["rates"]
    dfn = dict(zip(section.get("dfn_c_rates", []), section.get("dfn_capacity_mah_g", []),
                   strict=True))
    head = ("<tr><th>C-rate</th><th>particle-resolved (mAh/g)</th><th>DFN (mAh/g)</th>"
            "<th>stranded ionic / electronic / kinetic</th></tr>")
    body = ""
    reached = rates.get("reached_cutoff") or [True] * len(rates["c_rates"])
    for c, q, s, ok in zip(rates["c_rates"], rates["capacity_mah_g"], rates["stranded"],
                           reached, strict=True):
        d = dfn.get(c)
        stop = "" if ok or not q > 0 else " (solver stopped before the cut-off)"
        body += (f"<tr><td>{c:g}C</td><td>{q:.1f}{stop}</td>"
                 f"<td>{'' if d is None else f'{d:.1f}'}"
                 f"</td><td>{s['ionic']} / {s['electronic']} / {s['kinetic']} of "
                 f"{s['particles']}</td></tr>")
    after = "".join(f"<tr><td>{a['stack_pressure_mpa']:g} MPa</td><td>{a['capacity_mah_g']:.1f}"
                    f"</td><td>{a['retention']:.3f}</td><td>{a['retained_contact_area_fraction']:.3f}"
                    "</td></tr>" for a in section.get("after_charge", []))
    table = f'<table class="rates">{head}{body}</table>'
    if after:
        table += ('<table class="rates"><tr><th>stack pressure</th><th>capacity after charge '
                  '(mAh/g, 0.1C)</th><th>retention</th><th>contact kept</th></tr>'
                  f"{after}</table>")
    return table


def _meanings_html(data: BuildData, section: str) -> str:
    """What the easily misread numbers of a section mean (from the headline table)."""
    items = "".join(
        f'<li><code>{_esc(key)}</code> = <span data-key="{_esc(key)}" '
        f'data-value="{exact_text(value)}">{_esc(format_number(value, 4))}</span> '
        f"{_esc(unit)}: {_esc(meaning)}.</li>"
        for key, value, unit, meaning in extract.meanings(data, section))
    return f'<ul class="explain">{items}</ul>' if items else ""


def _other_tables(data: BuildData) -> str:
    """Top-level metrics outside the stage sections (version, recipe, anything new)."""
    covered = {"packing", "structure", "transport", "mechanics", "cell", "particle_cell",
               "timings_s",
               "reused_stages", "stage_fingerprints"}
    rest = {k: v for k, v in data.metrics.items() if k not in covered}
    transport = data.metrics.get("transport")
    if isinstance(transport, Mapping):
        extra = {k: v for k, v in transport.items() if k not in ("ionic", "electronic")}
        if extra:
            rest["transport"] = extra
    if not rest:
        return ""
    return metrics_table(rows_of(rest), "")


def _viewer_html(data: BuildData) -> str:
    """The interactive 3D view of the twin, or a note saying why there is none."""
    if data.packing is None and data.micro is None:
        return ('<p class="missing-stage">No interactive view: the build has neither '
                "packing.npz nor microstructure.zarr.</p>")
    try:
        scene = viewer3d.viewer_scene(data.packing, data.micro)
    except Exception as err:  # a broken view must not take the whole report down
        return (f'<p class="missing-stage">Interactive view failed: '
                f"{_esc(type(err).__name__)}: {_esc(err)}</p>")
    return viewer3d.viewer_html(scene, "The twin in 3D, drawn by a small WebGL viewer bundled "
                                "in this page (no network).")


def _timings_html(data: BuildData) -> str:
    timings = data.metrics.get("timings_s")
    if not isinstance(timings, Mapping) or not timings:
        return '<p class="missing-stage">No stage timings in metrics.json.</p>'
    reused = [s for s in data.metrics.get("reused_stages") or [] if isinstance(s, str)]
    caption = "Wall time of each pipeline stage when it was computed." + (
        f" Reused from an earlier run in the last build (not computed again): "
        f"{', '.join(reused)}." if reused else "")
    panel = Panel("Stage timings", caption,
                  lambda d: figures.timings_figure(extract.timings_inputs(d)))
    return (_panels_html([panel], data)
            + metrics_table(rows_of({"timings_s": timings}), ""))


def render_report(data: BuildData, *, render_backend: Backend = "auto") -> str:
    """The report of one build as HTML text (user strings drawn as text, never mathtext)."""
    with figures.plain_text():
        return _render_report(data, render_backend)


def _render_report(data: BuildData, render_backend: Backend) -> str:
    recipe = data.recipe
    recorded = data.section("recipe") or {}
    title = recipe.name if recipe is not None else str(recorded.get("name")
                                                        or data.build_dir.name)
    fingerprint = str(recorded.get("fingerprint")
                      or (recipe.fingerprint() if recipe is not None else ""))
    version = data.metrics.get("cathodetwin_version", "unknown")
    sections = _sections(render_backend)
    if data.section("particle_cell"):
        sections.append(("particle_cell", "Particle-resolved cell", _particle_panels()))
    nav = '<a href="#view3d">3D view</a>' + "".join(
        f'<a href="#{a}">{_esc(h)}</a>' for a, h, _ in sections)
    nav += '<a href="#timings">Timings</a><a href="#notes">Notes</a>'
    body = [f'<section id="summary"><h2>Key results</h2>{_cards_html(data)}</section>',
            f'<section id="view3d"><h2>3D view</h2>{_viewer_html(data)}</section>']
    for anchor, heading, panels in sections:
        intro = ""
        if anchor == "recipe":
            intro = recipe_html(recipe) if recipe is not None else (
                '<p class="missing-stage">recipe.toml is missing or invalid.</p>')
        body.append(f'<section id="{anchor}"><h2>{_esc(heading)}</h2>{intro}'
                    f"{_panels_html(panels, data)}{_section_tables(anchor, data)}</section>")
    body.append(f'<section id="timings"><h2>Stage timings</h2>{_timings_html(data)}</section>')
    notes = "".join(f"<li>{_esc(p)}</li>" for p in data.problems)
    other = _other_tables(data)
    body.append('<section id="notes"><h2>Notes</h2>'
                + (f"<ul class='problems'>{notes}</ul>" if notes else
                   "<p>All build files were present and readable.</p>")
                + (f"<h3>Other recorded values</h3>{other}" if other else "") + "</section>")
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_esc(title)} · cathodetwin report</title><style>{CSS}</style></head><body>"
        f"<header><div class='brand'>cathodetwin · digital twin report</div>"
        f"<h1>{_esc(title)}</h1><div class='meta'>recipe fingerprint "
        f"<code title='{_esc(fingerprint)}'>{_esc(fingerprint[:FINGERPRINT_SHOWN])}</code> · "
        f"cathodetwin {_esc(version)} · generated {generated} · build "
        f"<code>{_esc(data.build_dir.name)}</code></div><nav>{nav}</nav></header>"
        f"<main>{''.join(body)}</main>"
        "<footer>Units are carried in the key suffixes of metrics.json (e.g. _um = µm, "
        "_s_cm = S/cm, _fraction = 0–1). Every number of metrics.json is listed in the "
        "folded tables.</footer></body></html>\n"
    )


def write_report(build_dir: Path, *, render_backend: Backend = "auto") -> Path:
    """Write ``build_dir/report.html`` from the build's files; returns its path."""
    data = load_build(build_dir)
    path = Path(build_dir) / REPORT_FILE
    write_text_atomic(path, render_report(data, render_backend=render_backend))
    return path
