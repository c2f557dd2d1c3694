"""report.html of a real build: every figure embedded, every number of metrics.json listed."""

from __future__ import annotations

import base64
import json
import math
import shutil
import struct
from pathlib import Path

import pytest
from report_support import json_numbers, parse_report

from cathodetwin.report import write_report

# PSD; compaction, particles 3D; sections, phase fractions, SSE network 3D, pore sizes,
# utilization, path tortuosity; transport bars; strain map, strain histograms, retention;
# rate, voltage, energy; stage timings.
EXPECTED_FIGURES = 18  # 0.5.0: densification curve
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(src: str) -> tuple[int, int]:
    """(width, height) of an inline PNG data URI; fails if it is not one."""
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix), src[:40]
    png = base64.b64decode(src[len(prefix):], validate=True)
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def metric_values(rows: list[dict]) -> list[float]:
    out: list[float] = []
    for r in rows:
        if "data-value" in r["attrs"]:
            out.append(json.loads(r["attrs"]["data-value"]))
        elif "data-values" in r["attrs"]:
            out += [json.loads(v) for v in r["attrs"]["data-values"].split()]
    return [v for v in out if v is not None]


def test_every_figure_is_an_inline_png(report_path: Path) -> None:
    page = parse_report(report_path)
    assert len(page.images) == EXPECTED_FIGURES
    for alt, src in page.images:
        width, height = png_size(src)
        assert width > 100 and height > 100, alt
    assert not [c for c in page.classes if "missing" in c.split() or "failed" in c.split()]


def test_report_is_self_contained(report_path: Path) -> None:
    text = report_path.read_text(encoding="utf-8")
    page = parse_report(report_path)
    assert page.scripts == 2  # the bundled 3D viewer: its scene data and its code
    for needle in ("http://", "https://", "<link", "src=\"//", "url(", "@import"):
        assert needle not in text, needle


def test_tables_hold_exactly_the_numbers_of_metrics_json(build_dir: Path,
                                                         report_path: Path) -> None:
    metrics = json.loads((build_dir / "metrics.json").read_text())
    shown = metric_values(parse_report(report_path).metric_rows)
    expected = json_numbers(metrics)
    assert len(expected) > 500  # voltage curves, histograms, rate table, ...
    assert sorted(shown) == sorted(expected)


def test_displayed_numbers_round_their_exact_values(report_path: Path) -> None:
    rows = [r for r in parse_report(report_path).metric_rows if "data-value" in r["attrs"]]
    assert len(rows) > 100
    for r in rows:
        exact = json.loads(r["attrs"]["data-value"])
        shown = float(r["text"].replace("∞", "inf").replace("−", "-"))
        if isinstance(exact, int):
            assert shown == exact, r["key"]
        else:
            assert math.isclose(shown, exact, rel_tol=6e-4, abs_tol=1e-300), r["key"]


def test_known_keys_values_and_units(build_dir: Path, report_path: Path) -> None:
    metrics = json.loads((build_dir / "metrics.json").read_text())
    rows = {r["key"]: r for r in parse_report(report_path).metric_rows}
    one_c = next(r for r in metrics["cell"]["rates"] if r["c_rate"] == 1.0)
    cases = {
        "structure.fractions.porosity": (metrics["structure"]["fractions"]["porosity"], ""),
        "structure.interfaces.specific_cam_sse_area_per_um":
            (metrics["structure"]["interfaces"]["specific_cam_sse_area_per_um"], "µm⁻¹"),
        "structure.interfaces.specific_cam_sse_area_m2_g":
            (metrics["structure"]["interfaces"]["specific_cam_sse_area_m2_g"], "m²/g"),
        "cell.rates[c_rate=1].capacity_mah_g": (one_c["capacity_mah_g"], "mAh/g"),
        "cell.rates[c_rate=1].stack_wh_l": (one_c["stack_wh_l"], "Wh/L"),
        "mechanics.sse_strain_energy_mean_kj_m3":
            (metrics["mechanics"]["sse_strain_energy_mean_kj_m3"], "kJ/m³"),
        "transport.ionic.z.effective_conductivity_s_cm":
            (metrics["transport"]["ionic"]["z"]["effective_conductivity_s_cm"], "S/cm"),
        "timings_s.mechanics": (metrics["timings_s"]["mechanics"], "s"),
        "packing.history.pressure_mpa[0]": None,
    }
    for key, case in cases.items():
        if case is None:
            assert key not in rows  # series stay one row
            continue
        value, unit = case
        assert json.loads(rows[key]["attrs"]["data-value"]) == value, key
        assert rows[key]["unit"] == unit, key
    history = rows["packing.history.pressure_mpa"]["attrs"]["data-values"].split()
    assert [float(v) for v in history] == metrics["packing"]["history"]["pressure_mpa"]


def test_cards_and_rate_table_repeat_table_values(report_path: Path) -> None:
    page = parse_report(report_path)
    table = {r["key"]: r["attrs"].get("data-value") for r in page.metric_rows}
    keyed = [k for k in page.keyed if "data-value" in k["attrs"]]
    assert len(keyed) >= 10
    for k in keyed:
        assert table[k["attrs"]["data-key"]] == k["attrs"]["data-value"], k["attrs"]["data-key"]


def test_recipe_summary_and_header(build_dir: Path, report_path: Path) -> None:
    text = report_path.read_text(encoding="utf-8")
    metrics = json.loads((build_dir / "metrics.json").read_text())
    assert f"<h1>{metrics['recipe']['name']}</h1>" in text
    assert metrics["recipe"]["fingerprint"] in text
    for cell in ("<td>NCM811</td>", "<td>LPSCl-fine</td>", '<td class="num">27</td>',
                 "lognormal, D50 5 µm, GSD 1.35 (volume basis)", "fibre ⌀ 0.15 µm × 6 µm"):
        assert cell in text, cell


def _copy(build_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "copy"
    shutil.copytree(build_dir, dest)
    (dest / "report.html").unlink(missing_ok=True)
    return dest


def test_skipped_stages_are_reported_not_fatal(build_dir: Path, tmp_path: Path) -> None:
    d = _copy(build_dir, tmp_path)
    metrics = json.loads((d / "metrics.json").read_text())
    for key in ("transport", "mechanics", "cell"):
        del metrics[key]
    (d / "metrics.json").write_text(json.dumps(metrics))
    (d / "fields" / "strain_energy_kj_m3_xz.npy").unlink()
    (d / "packing.npz").unlink()
    shutil.rmtree(d / "microstructure.zarr")
    path = write_report(d)
    text = path.read_text(encoding="utf-8")
    page = parse_report(path)
    for stage in ("ionic conduction solve", "electronic conduction solve",
                  "CAM breathing mechanics", "cell model"):
        assert f"The {stage} stage was skipped or failed" in text, stage
    assert "packing.npz is missing" in text
    assert "microstructure.zarr is missing" in text
    assert not [c for c in page.classes if "failed" in c.split()]
    # left: PSD, compaction (metrics history), the 4 structure plots made from metrics, timings
    # (the contact network is part of the transport stage, which is gone)
    assert len(page.images) == 7
    assert sorted(metric_values(page.metric_rows)) == sorted(json_numbers(metrics))


def test_empty_directory_gives_a_report_of_what_is_missing(tmp_path: Path) -> None:
    path = write_report(tmp_path)
    text = path.read_text(encoding="utf-8")
    for name in ("metrics.json is missing", "recipe.toml is missing",
                 "microstructure.zarr is missing"):
        assert name in text
    assert parse_report(path).images == []


def test_unreadable_files_are_notes(build_dir: Path, tmp_path: Path) -> None:
    shutil.copy(build_dir / "recipe.toml", tmp_path / "recipe.toml")
    (tmp_path / "metrics.json").write_text("{not json")
    (tmp_path / "packing.npz").write_bytes(b"not a zip")
    text = write_report(tmp_path).read_text(encoding="utf-8")
    assert "metrics.json cannot be read" in text
    assert "packing.npz cannot be read" in text
    assert "<h1>NCM811 + fine LPSCl (default)</h1>" in text


def test_not_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="build_dir"):
        write_report(tmp_path / "nowhere")
