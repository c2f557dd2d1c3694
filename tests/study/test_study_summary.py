"""Replicate statistics (t-distribution confidence intervals) and Pareto fronts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cathodetwin.errors import InputError
from cathodetwin.study.spec import Objective
from cathodetwin.study.summary import confidence_interval, pareto_front, pareto_mask, summarize


def test_confidence_interval_matches_t_table() -> None:
    mean, half = confidence_interval([1.0, 2.0, 3.0])
    # sample sd 1, n 3: t(0.975, 2) = 4.303 (statistical tables)
    assert mean == 2.0
    assert half == pytest.approx(4.303 / np.sqrt(3.0), rel=1e-4)
    assert np.isnan(confidence_interval([5.0])[1])


def _replicates(n_designs: int, n_seeds: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = np.linspace(10.0, 20.0, n_designs)
    rows = [
        {
            "design_id": f"d{i:04d}",
            "x": truth[i],
            "seed": s,
            "status": "ok",
            "y_v": truth[i] + rng.normal(0.0, 0.5),
        }
        for i in range(n_designs)
        for s in range(n_seeds)
    ]
    return pd.DataFrame(rows)


def test_ci_covers_the_true_mean_95_percent_of_the_time_and_shrinks_with_replicates() -> None:
    n_designs = 400
    few = summarize(_replicates(n_designs, 3, seed=0), ["x"], ["y_v"])
    many = summarize(_replicates(n_designs, 12, seed=1), ["x"], ["y_v"])
    for table, n in ((few, 3), (many, 12)):
        assert (table["n"] == n).all()
        covered = (table["ci_low"] <= table["x"]) & (table["x"] <= table["ci_high"])
        assert 0.92 < covered.mean() < 0.98  # binomial sd 0.011 around 0.95
    half_few = ((few["ci_high"] - few["ci_low"]) / 2).mean()
    half_many = ((many["ci_high"] - many["ci_low"]) / 2).mean()
    # expected ratio (t2 / sqrt 3) / (t11 / sqrt 12) ≈ 3.9 (times a ratio of mean sds near 0.9)
    assert 3.0 < half_few / half_many < 4.5


def test_summarize_skips_failed_points_and_missing_values() -> None:
    df = pd.DataFrame(
        {
            "design_id": ["d0", "d0", "d0", "d1"],
            "x": [1, 1, 1, 2],
            "status": ["ok", "ok", "failed", "ok"],
            "y_v": [1.0, 3.0, np.nan, np.nan],
        }
    )
    table = summarize(df, ["x"], ["y_v"])
    # d0: values 1 and 3 (sd √2, sem 1) with t(0.975, 1) = 12.706; d1 has no value
    assert table.to_dict("records") == [
        {
            "design_id": "d0",
            "x": 1,
            "metric": "y_v",
            "n": 2,
            "mean": 2.0,
            "std": pytest.approx(np.sqrt(2.0)),
            "ci_low": pytest.approx(2.0 - 12.706, rel=1e-4),
            "ci_high": pytest.approx(2.0 + 12.706, rel=1e-4),
        }
    ]


def test_pareto_front_points_are_exactly_the_non_dominated_ones() -> None:
    rng = np.random.default_rng(7)
    v = rng.normal(size=(300, 2))
    v[5] = np.nan
    mask = pareto_mask(v, [True, False])  # maximise column 0, minimise column 1
    g = np.column_stack([v[:, 0], -v[:, 1]])  # both "larger is better"

    def dominates(a: np.ndarray, b: np.ndarray) -> bool:
        return bool((a >= b).all() and (a > b).any())

    valid = ~np.isnan(g).any(axis=1)
    assert not mask[5]
    for i in np.flatnonzero(valid):
        dominated = any(dominates(g[j], g[i]) for j in np.flatnonzero(valid))
        assert mask[i] == (not dominated)
    assert 2 <= mask.sum() < 30


def test_pareto_front_hand_example_with_ties() -> None:
    v = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 0.5], [0.5, 0.5], [2.0, 1.0]])
    assert pareto_mask(v, [True, True]).tolist() == [False, False, False, False, True]
    assert pareto_mask(v, [False, False]).tolist() == [False, False, False, True, False]
    assert pareto_mask(v[:2], [True, True]).tolist() == [True, True]


def test_pareto_front_names_a_missing_objective() -> None:
    designs = pd.DataFrame({"design_id": ["d0"], "a_v": [1.0], "a_v_ci_low": [0.5]})
    with pytest.raises(InputError, match=r"\['b_wh_l'\].*allowed: \['design_id', 'a_v'\]"):
        pareto_front(designs, [Objective(metric="b_wh_l", direction="maximize")], "s")
