"""Interactive 3D view of a twin inside the self-contained report: a small bundled WebGL2 viewer.

The scene (particles as spheres, carbon fibres as lines, the SSE network as a triangle
surface) travels as base64 arrays in the page; the viewer (``viewer3d.js``, no library, no
network) draws spheres by instancing one icosphere, and orbits, zooms and toggles layers.
Budgets keep the page small: at most ``MAX_SPHERES`` particles (those nearest the corner in
view, as in the static render), ``MAX_SEGMENTS`` fibre segments in the same sub-box and
``MAX_TRIANGLES`` surface triangles (the network is block-averaged until it fits). The caption
says what was drawn of what exists. See docs/report.md for why this and not vtk.js.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from importlib import resources

import numpy as np
from skimage.measure import marching_cubes

from cathodetwin.packing import Packing
from cathodetwin.report.palette import ROLE_SHADES, hex_to_rgb, role_colors
from cathodetwin.report.render3d import _network_field, corner_reach, corner_subset
from cathodetwin.structure.microstructure import Microstructure

MAX_SPHERES = 20_000
MAX_SEGMENTS = 20_000
MAX_TRIANGLES = 120_000
START_VOXELS_PER_AXIS = 96  # finest block-averaged network tried first
DEFAULT_LAYERS = ("particles", "fibers")  # shown at first; shells and network by toggle


@dataclass(frozen=True)
class ViewerScene:
    """Arrays of one scene (µm, colours 0–255) and a caption note of what was drawn."""

    box_um: tuple[float, float, float]
    layers: dict[str, dict[str, np.ndarray]]
    legend: tuple[tuple[str, str], ...]
    note: str


def _b64(array: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _particle_layers(packing: Packing) -> tuple[dict, list[tuple[str, str]], str]:
    keep = corner_subset(packing.center_um, packing.box_um, MAX_SPHERES)
    comp_colors = role_colors(packing.component_roles)
    colors = np.array([hex_to_rgb(comp_colors[c]) for c in packing.component[keep]]) * 255
    layers: dict[str, dict[str, np.ndarray]] = {"particles": {
        "center": packing.center_um[keep], "radius": packing.core_radius_um[keep],
        "color": colors}}
    legend = [(packing.component_names[c], comp_colors[c])
              for c in sorted(set(packing.component[keep].tolist()))]
    shelled = keep[(packing.shell_thickness_um[keep] > 0) & (packing.coverage[keep] > 0)]
    if shelled.size:
        shell_rgb = np.array(hex_to_rgb(ROLE_SHADES["shell"][0])) * 255
        layers["shells"] = {"center": packing.center_um[shelled],
                            "radius": packing.radius_um[shelled],
                            "color": np.tile(shell_rgb, (shelled.size, 1))}
        legend.append(("SSE shell", ROLE_SHADES["shell"][0]))
    reach = float(corner_reach(packing.center_um[keep], packing.box_um).max()) if keep.size else 1
    note = f"{keep.size} of {len(packing)} particles"
    if keep.size < len(packing):
        note += f" (those nearest the corner in view, {100 * reach:.0f} % of each edge)"
    fibers = packing.fibers
    if len(fibers):
        mid = 0.5 * (fibers.start_um + fibers.end_um)
        sel = np.flatnonzero(corner_reach(mid, packing.box_um) <= reach)[:MAX_SEGMENTS]
        carbon = [i for i, r in enumerate(packing.component_roles) if r == "carbon"]
        color = comp_colors[carbon[0]] if carbon else ROLE_SHADES["carbon"][0]
        layers["fibers"] = {"start": fibers.start_um[sel], "end": fibers.end_um[sel],
                            "color": np.array(hex_to_rgb(color)) * 255}
        legend.append((packing.component_names[carbon[0]] if carbon else "carbon fibre", color))
        note += f"; {sel.size} of {len(fibers)} carbon-fibre segments"
    return layers, legend, note


def _network_layer(micro: Microstructure) -> tuple[dict, str] | None:
    """The SSE + shell iso-surface, block-averaged until it has at most MAX_TRIANGLES."""
    if not micro.mask("SSE", "shell").any():
        return None
    per_axis = START_VOXELS_PER_AXIS
    while True:
        field, spacing, _ = _network_field(micro, per_axis)
        verts, faces, _, _ = marching_cubes(field, 0.5, spacing=tuple(spacing))
        if len(faces) <= MAX_TRIANGLES or per_axis <= 16:
            break
        per_axis = int(per_axis * 0.75)
    verts -= 0.5 * spacing
    note = (f"SSE network: {len(faces)} triangles at {spacing[0]:.3g} µm "
            "(block-averaged SSE + shell, iso-surface at 50 %)")
    return {"position": verts, "index": faces[: MAX_TRIANGLES]}, note


def viewer_scene(packing: Packing | None, micro: Microstructure | None) -> ViewerScene:
    """The scene of a build: particles and fibres from the packing, network from the volume."""
    if packing is None and micro is None:
        raise ValueError("viewer_scene needs a packing or a microstructure")
    layers: dict[str, dict[str, np.ndarray]] = {}
    legend: list[tuple[str, str]] = []
    notes = []
    if packing is not None and len(packing):
        part, legend, note = _particle_layers(packing)
        layers |= part
        notes.append(note)
    if micro is not None:
        network = _network_layer(micro)
        if network is not None:
            layers["network"] = network[0]
            notes.append(network[1])
            legend.append(("SSE network (coloured by height)", ROLE_SHADES["SSE"][0]))
    box = packing.box_um if packing is not None else micro.size_um  # type: ignore[union-attr]
    return ViewerScene(tuple(float(b) for b in box), layers, tuple(legend),  # type: ignore[arg-type]
                       "; ".join(notes))


def scene_json(scene: ViewerScene) -> str:
    """The scene as JSON with base64 little-endian arrays (float32 µm, uint8 colours)."""
    kinds = {"center": "<f4", "radius": "<f4", "color": "u1", "start": "<f4", "end": "<f4",
             "position": "<f4", "index": "<u4"}
    layers = {}
    for name, arrays in scene.layers.items():
        layers[name] = {}
        for key, arr in arrays.items():
            values = np.clip(np.rint(arr), 0, 255) if kinds[key] == "u1" else arr
            layers[name][key] = _b64(values, kinds[key])
            layers[name][f"{key}_count"] = int(np.asarray(arr).shape[0]) if np.ndim(arr) else 1
    return json.dumps({"box_um": scene.box_um, "layers": layers,
                       "legend": [list(item) for item in scene.legend]})


def viewer_script() -> str:
    """The bundled viewer's JavaScript."""
    return resources.files("cathodetwin.report").joinpath("viewer3d.js").read_text("utf-8")


def viewer_html(scene: ViewerScene, caption: str) -> str:
    """<figure> with the canvas, layer toggles, the scene data and the viewer script."""
    data = scene_json(scene).replace("</", "<\\/")
    buttons = "".join(
        f'<label><input type="checkbox" data-layer="{name}"'
        f'{" checked" if name in DEFAULT_LAYERS else ""}> {label}</label>'
        for name, label in (("particles", "particles"), ("shells", "SSE shells"),
                            ("fibers", "carbon fibres"), ("network", "SSE network"))
        if name in scene.layers)
    legend = "".join(
        f'<li><span class="swatch" style="background:{html.escape(color)}"></span>'
        f"{html.escape(name)}</li>" for name, color in scene.legend)
    return (
        '<figure class="panel wide viewer3d"><h3>Interactive 3D view</h3>'
        f'<div class="viewer-controls">{buttons}<button type="button" data-reset>reset view'
        "</button></div>"
        '<canvas id="ct-view" width="960" height="600" aria-label="interactive 3D view of the '
        'twin"></canvas>'
        f'<ul class="legend">{legend}</ul>'
        f"<figcaption>{html.escape(caption)} Drawn: {html.escape(scene.note)}. Drag to rotate, "
        "wheel to zoom, shift-drag to pan; z up (separator on top).</figcaption>"
        f'<script type="application/json" id="ct-scene">{data}</script>'
        f"<script>{viewer_script()}</script></figure>"
    )
