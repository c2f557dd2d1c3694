"""Units from key suffixes, flattening of nested results and number formatting."""

from __future__ import annotations

import math

import pytest

from cathodetwin.report.tables import flatten, format_leaf, format_number, unit_of_key, unit_of_path


@pytest.mark.parametrize(("key", "unit"), [
    ("d50_um", "µm"),
    ("specific_cam_sse_area_per_um", "µm⁻¹"),  # longer suffix beats _um
    ("specific_cam_sse_area_m2_g", "m²/g"),  # beats _g
    ("cam_mass_g", "g"),
    ("cam_sse_area_um2", "µm²"),
    ("sigma_eff_s_cm", "S/cm"),
    ("wall_time_s", "s"),
    ("cathode_wh_l", "Wh/L"),
    ("capacity_mah_cm2", "mAh/cm²"),
    ("sse_strain_energy_mean_kj_m3", "kJ/m³"),
    ("temperature_c", "°C"),
    ("volume_change_percent", "%"),
    ("retained_contact_area_fraction", "fraction"),
    ("c_rate", "C"),
    ("porosity", ""),
    ("tortuosity_factor", ""),
    ("um", ""),  # a bare suffix is a name, not a unit
])
def test_unit_of_key(key: str, unit: str) -> None:
    assert unit_of_key(key) == unit


def test_unit_is_inherited_from_the_nearest_suffixed_ancestor() -> None:
    assert unit_of_path("timings_s.packing") == "s"
    assert unit_of_path("pair_areas_um2.pore|NCM811") == "µm²"
    assert unit_of_path("rates[c_rate=1].capacity_mah_g") == "mAh/g"
    assert unit_of_path("fractions.volume_fraction.NCM811") == "fraction"
    assert unit_of_path("solver.iterations") == ""


def test_flatten_keeps_number_lists_and_names_list_items() -> None:
    data = {
        "a": {"b_um": 1.5, "flag": True, "none": None},
        "series_v": [3.0, 3.5, None],
        "rates": [{"c_rate": 0.5, "q_mah_g": 180.0}, {"c_rate": 1.0, "q_mah_g": 160.0}],
        "phases": [{"name": "pore", "x": 1}, {"name": "CAM", "x": 2}],
        "same": [{"label": 1, "v": 1}, {"label": 1, "v": 2}],
        "words": ["x", "y"],
    }
    assert flatten(data) == [
        ("a.b_um", 1.5), ("a.flag", True), ("a.none", None),
        ("series_v", (3.0, 3.5, None)),
        ("rates[c_rate=0.5].c_rate", 0.5), ("rates[c_rate=0.5].q_mah_g", 180.0),
        ("rates[c_rate=1].c_rate", 1.0), ("rates[c_rate=1].q_mah_g", 160.0),
        ("phases[name=pore].name", "pore"), ("phases[name=pore].x", 1),
        ("phases[name=CAM].name", "CAM"), ("phases[name=CAM].x", 2),
        ("same[0].label", 1), ("same[0].v", 1), ("same[1].label", 1), ("same[1].v", 2),
        ("words[0]", "x"), ("words[1]", "y"),
    ]


def test_flatten_refuses_non_json() -> None:
    with pytest.raises(ValueError, match="x.y"):
        flatten({"x": {"y": object()}})


def test_number_formatting() -> None:
    assert format_number(0.000123456) == "0.0001235"
    assert format_number(1234567.0) == "1.235e+06"
    assert format_number(42) == "42"
    assert format_number(None) == "n/a"
    assert format_number(math.inf) == "∞"
    assert format_number(math.nan) == "NaN"
    assert format_leaf((1.0, 2.5, None)) == "1, 2.5, n/a"
    assert format_leaf(True) == "yes"
