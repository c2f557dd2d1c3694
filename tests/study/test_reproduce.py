"""Paper-value comparison: the bundled table is consistent and the comparison logic is right."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from cathodetwin.errors import InputError
from cathodetwin.headline import HEADLINE_KEYS
from cathodetwin.study.reproduce import (
    PaperOrdering,
    PaperValue,
    check_orderings,
    compare_values,
    load_paper_values,
    reproduction_study,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "papers"
# Keys headline_metrics derives beyond the HEADLINES table (thresholds, pressures, rates, energies).
DERIVED_PREFIXES = ("utilization_contact_", "contact_retention_", "utilization_after_charge_",
                    "retained_area_per_cam_volume_",
                    "capacity_", "cathode_wh_", "stack_wh_")
DERIVED = {"relative_density", "cam_cam_contacts_per_particle"}


def _known_metric(name: str) -> bool:
    return name in HEADLINE_KEYS or name in DERIVED or name.startswith(DERIVED_PREFIXES)


def test_every_paper_value_names_an_example_case_and_a_twin_metric() -> None:
    values, orders = load_paper_values()
    assert len(values) > 40 and len(orders) > 20
    for v in values:
        assert (EXAMPLES / f"{v.case}.toml").exists(), v
        assert _known_metric(v.metric), v
        assert math.isfinite(v.metric_value) and v.quote
    for o in orders:
        assert o.direction in ("ascending", "descending")
        assert all((EXAMPLES / f"{c}.toml").exists() for c in o.order), o
        assert _known_metric(o.metric), o


def test_paper_000_table_1_is_in_the_table() -> None:
    values, _ = load_paper_values()
    table1 = {(v.case, v.metric): v.metric_value for v in values if v.where.startswith("Table 1")}
    assert table1[("000_coarse_lpsc", "utilization_contact_0pct")] == pytest.approx(0.94)
    assert table1[("000_fine_lpsc", "utilization_contact_10pct")] == pytest.approx(0.28)


def _results() -> pd.DataFrame:
    return pd.DataFrame({
        "recipe": ["a", "a", "b", "b", "c"],
        "porosity": [0.10, 0.12, 0.20, 0.22, 0.15],
    })


def test_compare_values_reports_mean_ci_and_relative_difference() -> None:
    v = PaperValue("000", "a", "porosity", 10.0, "%", 0.01, "Table", "q")
    row = compare_values([v], _results()).iloc[0]
    assert row.paper_value == pytest.approx(0.10)
    assert row.twin_value == pytest.approx(0.11)
    assert row.n_seeds == 2
    assert row.twin_ci95 > 0.0
    assert row.relative_difference == pytest.approx(0.1)


def test_missing_metric_gives_nan_not_a_crash() -> None:
    v = PaperValue("000", "a", "capacity_1c_mah_g", 150.0, "mAh/g", 1.0, "Fig", "q")
    row = compare_values([v], _results()).iloc[0]
    assert math.isnan(row.twin_value) and row.n_seeds == 0


def test_orderings_agree_only_when_the_twin_ranks_like_the_paper() -> None:
    right = PaperOrdering("001", "porosity", ("a", "c", "b"), "ascending", "", "")
    wrong = PaperOrdering("001", "porosity", ("b", "c", "a"), "ascending", "", "")
    desc = PaperOrdering("001", "porosity", ("b", "c", "a"), "descending", "", "")
    table = check_orderings([right, wrong, desc], _results())
    assert list(table.agrees) == [True, False, True]
    assert table.twin_order[0] == "a < c < b"


def test_reproduction_study_lists_each_case_once(tmp_path: Path) -> None:
    study = reproduction_study(["000"], EXAMPLES, seeds=[0, 1])
    assert sorted(study.recipes) == ["000_coarse_lpsc", "000_fine_lpsc"]
    with pytest.raises(InputError, match="--papers"):
        reproduction_study(["999"], EXAMPLES, seeds=[0])
    with pytest.raises(InputError, match="--examples"):
        reproduction_study(["000"], tmp_path / "nowhere", seeds=[0])
