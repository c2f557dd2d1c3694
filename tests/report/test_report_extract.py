"""What the figures take from metrics.json: ordering, categorising, missing data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cathodetwin.report.builddir import BuildData
from cathodetwin.report.extract import (
    MissingData,
    headlines,
    rate_inputs,
    transport_inputs,
    utilization_inputs,
)
from cathodetwin.report.html import metrics_table
from cathodetwin.report.tables import rows_of


def build(metrics: dict) -> BuildData:
    return BuildData(Path("."), metrics, None, None, None, None, ())


def test_utilization_thresholds_sort_numerically() -> None:
    by = {"10": {"particle_fraction": 0.2, "cam_volume_fraction": 0.3},
          "2": {"particle_fraction": 0.9, "cam_volume_fraction": 0.95},
          "0": {"particle_fraction": 1.0, "cam_volume_fraction": 1.0},
          "5": {"particle_fraction": 0.6, "cam_volume_fraction": 0.7}}
    data = build({
        "structure": {"utilization_particle_contacts": {"by_min_overlap_percent": by}},
        "transport": {"utilization_voxel": {"ionic_cam_volume_fraction": 0.8,
                                            "ionic_electronic_cam_volume_fraction": None}},
    })
    t, series, levels, access, path = utilization_inputs(data)
    assert t.tolist() == [0.0, 2.0, 5.0, 10.0]
    assert series[0].y.tolist() == [1.0, 0.9, 0.6, 0.2]
    assert series[1].y.tolist() == [1.0, 0.95, 0.7, 0.3]
    assert levels == {"ionic network (CAM volume)": 0.8}
    assert access == [] and path is None


def test_access_number_curves_sort_numerically_contact_first() -> None:
    """The ionic network's utilization vs access-number threshold: contact N_c, then path N,
    each sorted by threshold; the any-path share comes separately."""
    by = {"0": {"particle_fraction": 1.0, "cam_volume_fraction": 1.0}}
    network = {"utilization_by_access_number": {"20": 0.4, "5": 0.1},
               "utilization_by_contact_access_number": {"10": 0.5, "2": 0.2, "1": 0.1},
               "path_cam_volume_fraction": 0.7}
    data = build({"structure": {"utilization_particle_contacts": {"by_min_overlap_percent": by}},
                  "transport": {"ionic_contact_network": network}})
    _, _, _, access, path = utilization_inputs(data)
    assert [s.x.tolist() for s in access] == [[1.0, 2.0, 10.0], [5.0, 20.0]]
    assert [s.y.tolist() for s in access] == [[0.1, 0.2, 0.5], [0.1, 0.4]]
    assert "N_c" in access[0].label
    assert path == 0.7


def test_transport_bars_come_from_key_suffixes() -> None:
    data = build({"transport": {
        "ionic": {"z": {"bulk_conductivity_s_cm": 2e-3, "effective_conductivity_s_cm": 1e-4,
                        "tortuosity_factor": 4.0, "macmullin_number": 20.0,
                        "wall_time_s": 0.3, "percolating": True}},
        "electronic": {"z": {"effective_conductivity_s_cm": 0.0, "tortuosity_factor": None}},
    }})
    tortuosity, conductivity = transport_inputs(data)
    assert tortuosity == {"ionic (z): tortuosity factor": 4.0}
    assert conductivity == {"ionic (z): bulk conductivity": 2e-3,
                            "ionic (z): effective conductivity": 1e-4,
                            "electronic (z): effective conductivity": 0.0}
    with pytest.raises(MissingData, match="transport"):
        transport_inputs(build({}))


def test_rates_sorted_and_headline_keys_follow_table_naming() -> None:
    rows = [{"c_rate": 2.0, "capacity_mah_g": 150.0, "cathode_wh_l": 900.0},
            {"c_rate": 0.1, "capacity_mah_g": 190.0, "cathode_wh_l": 1200.0},
            {"c_rate": 1.0, "capacity_mah_g": 170.0, "cathode_wh_l": 1100.0}]
    data = build({"cell": {"rates": rows}, "structure": {"fractions": {"porosity": 0.2}}})
    c, q = rate_inputs(data)
    assert c.tolist() == [0.1, 1.0, 2.0] and q.tolist() == [190.0, 170.0, 150.0]
    table_keys = {f"{top}.{r.key}" for top in ("cell", "structure")
                  for r in rows_of(data.metrics[top])}
    cards = {h.key: h.value for h in headlines(data)}
    assert cards == {"structure.fractions.porosity": 0.2,
                     "cell.rates[c_rate=1].capacity_mah_g": 170.0,
                     "cell.rates[c_rate=0.1].cathode_wh_l": 1200.0}
    assert set(cards) <= table_keys


def test_metrics_table_cells_round_trip_special_values() -> None:
    section = json.loads('{"a_um": NaN, "b_s": Infinity, "c": null, "d": true, '
                         '"e": "text", "f": [1, 2.5, null], "n": 7}')
    text = metrics_table(rows_of(section), "sec")
    assert 'data-key="sec.a_um" data-value="NaN">NaN<' in text
    assert 'data-key="sec.b_s" data-value="Infinity">∞<' in text
    assert 'data-key="sec.c">n/a<' in text
    assert 'data-key="sec.d">yes<' in text
    assert 'data-key="sec.e">text<' in text
    assert 'data-values="1 2.5 null">1, 2.5, n/a<' in text
    assert 'data-value="7">7<' in text
