"""Issue 20, item 12: the report says what its numbers mean and shows the twin interactively."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
from report_support import random_packing

from cathodetwin.report import extract, figures, load_build
from cathodetwin.report.html import _section_tables
from cathodetwin.report.render3d import render_particles

MAX_REPORT_BYTES = 10 * 2**20


def test_tortuosity_bars_spanning_decades_get_a_log_axis() -> None:
    fig = figures.transport_figure({"electronic (voxels)": 3.15e5, "ionic": 2.18,
                                    "electronic (network)": 1.48}, {"ionic": 1e-4})
    assert fig.axes[0].get_yscale() == "log"  # 0.3.2: linear, 2.18 and 1.48 flattened
    close = figures.transport_figure({"a": 2.18, "b": 1.48}, {})
    assert close.axes[0].get_yscale() == "linear"


def test_the_report_says_which_electronic_conductivity_to_believe(build_dir: Path) -> None:
    data = load_build(build_dir)
    transport = dict(data.metrics["transport"]) | {
        "electronic_conductivity_source": "contact network",
        "electronic_conductivity_s_cm": 0.168}
    transport["electronic"] = {"z": {"effective_conductivity_s_cm": 9.8e-5}}
    data = dataclasses.replace(data, metrics=data.metrics | {"transport": transport})
    note = extract.electronic_conductivity_note(data)
    assert "believe the contact network (0.168 S/cm)" in note and "9.8e-05" in note
    assert "which the cell uses" in note
    assert "believe the contact network" in _section_tables("transport", data)


def test_fibre_caption_says_drawn_of_existing() -> None:
    render = render_particles(random_packing(), backend="matplotlib", max_particles=50)
    found = re.search(r"carbon fibres: (\d+) of (\d+) segments drawn", render.note)
    assert found and int(found.group(1)) <= int(found.group(2)) == 6


def test_voltage_caption_matches_the_curves(build_dir: Path) -> None:
    data = load_build(build_dir)
    assert extract.voltage_note(data) == "Discharge solid, charge dashed."
    cell = {k: v for k, v in data.metrics["cell"].items() if k != "charge_curves"}
    without = dataclasses.replace(data, metrics=data.metrics | {"cell": cell})
    assert "no charge curves" in extract.voltage_note(without)


def test_pore_sizes_near_the_voxel_size_carry_a_resolution_warning(build_dir: Path) -> None:
    data = load_build(build_dir)
    voxel = extract.voxel_size_um(data)
    fine = {"pore_size_bin_edges_um": [voxel, 2 * voxel, 3 * voxel, 4 * voxel],
            "pore_volume_fraction_per_bin": [0.6, 0.3, 0.1], "mean_pore_diameter_um": 2 * voxel}
    coarse = {"pore_size_bin_edges_um": [20 * voxel, 30 * voxel, 40 * voxel],
              "pore_volume_fraction_per_bin": [0.5, 0.5], "mean_pore_diameter_um": 30 * voxel}
    for pores, warned in ((fine, True), (coarse, False)):
        structure = data.metrics["structure"] | {"pores": pores}
        d = dataclasses.replace(data, metrics=data.metrics | {"structure": structure})
        note = extract.pore_resolution_note(d)
        assert note.startswith("Resolution warning") is warned
        if warned:
            assert "simulation.voxel_size_um" in note and "90 %" in note


def test_stack_pressure_change_is_explained(report_path: Path) -> None:
    page = report_path.read_text(encoding="utf-8")
    found = re.search(r"<code>mechanics\.stack_pressure_change_fixed_height_mpa</code> = "
                      r"<span[^>]*>([^<]+)</span> MPa: (.*?)</li>", page)
    assert found and "held rigidly" in found.group(2) and "lift off" in found.group(2)


def test_report_has_the_interactive_view_within_budget(report_path: Path) -> None:
    page = report_path.read_text(encoding="utf-8")
    assert report_path.stat().st_size < MAX_REPORT_BYTES
    assert '<canvas id="ct-view"' in page and 'id="ct-scene"' in page
    assert "http://" not in page.split('id="ct-scene"')[1] and "https://" not in page
    for layer in ("particles", "fibers", "network"):
        assert f'data-layer="{layer}"' in page


def test_viewer_scene_keeps_to_its_budgets(build_dir: Path) -> None:
    from cathodetwin.report import viewer3d

    data = load_build(build_dir)
    scene = viewer3d.viewer_scene(data.packing, data.micro)
    assert scene.layers["particles"]["center"].shape[0] <= viewer3d.MAX_SPHERES
    assert scene.layers["network"]["index"].shape[0] <= viewer3d.MAX_TRIANGLES
    pos = scene.layers["network"]["position"]
    assert np.all(pos >= -1e-6) and np.all(pos <= np.asarray(data.micro.size_um) + 1e-6)
    assert "of" in scene.note
