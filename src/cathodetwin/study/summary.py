"""Study tables: one row per point, replicate means with t-distribution confidence intervals per
design point, and the Pareto front of the design means for chosen objectives."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cathodetwin.errors import InputError
from cathodetwin.study.plan import StudyPoint
from cathodetwin.study.spec import RESERVED_COLUMNS, Objective, Study
from cathodetwin.study.store import PointRecord

CONFIDENCE = 0.95


def results_frame(
    study: Study, points: Sequence[StudyPoint], records: dict[str, PointRecord]
) -> pd.DataFrame:
    """One row per point with a record: ids, factors, seed, status, error, run time, metrics."""
    factors = study.factor_columns
    rows = []
    for p in points:
        record = records.get(p.fingerprint)
        if record is None:
            continue
        clash = sorted(set(record.metrics) & (RESERVED_COLUMNS | set(factors)))
        if clash:
            raise InputError(
                f"metric name(s) {clash} of point {p.point_id} clash with the study columns "
                f"{sorted(RESERVED_COLUMNS | set(factors))}; give the parameter another name"
            )
        rows.append(
            {"point_id": p.point_id, "design_id": p.design_id}
            | {c: p.factors[c] for c in factors}
            | {
                "seed": p.seed,
                "fingerprint": p.fingerprint,
                "status": record.status,
                "error": record.error,
                "elapsed_s": record.elapsed_s,
            }
            | record.metrics
        )
    base = ["point_id", "design_id", *factors, "seed", "fingerprint", "status", "error"]
    df = pd.DataFrame(rows, columns=None if rows else [*base, "elapsed_s"])
    # A metric that is text in some points and a number in others is stored as text.
    for col in df.columns[len(base) :]:
        is_text = {isinstance(v, str) for v in df[col].dropna()}
        if len(is_text) > 1:
            df[col] = df[col].map(lambda v: v if v is None or v != v else str(v))
    return df


def metric_columns(results: pd.DataFrame, study: Study) -> list[str]:
    """Numeric metric columns of ``results``, restricted to ``study.metrics`` when given."""
    fixed = {"point_id", "design_id", "seed", "fingerprint", "status", "error", "elapsed_s"}
    fixed |= set(study.factor_columns)
    numeric = [
        c for c in results.columns if c not in fixed and pd.api.types.is_numeric_dtype(results[c])
    ]
    if study.metrics is None:
        return numeric
    missing = sorted(set(study.metrics) - set(numeric))
    if missing and (results["status"] == "ok").any():
        raise InputError(
            f"study {study.name!r}: metrics {missing} are not numeric metrics of the results; "
            f"allowed: {numeric}"
        )
    return [m for m in study.metrics if m in numeric]


def confidence_interval(
    values: Sequence[float], confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Mean and half-width of its two-sided t-distribution confidence interval (NaN if n < 2)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return float("nan"), float("nan")
    if x.size < 2:
        return float(x.mean()), float("nan")
    sem = x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * sem)


def summarize(
    results: pd.DataFrame,
    factor_columns: Sequence[str],
    metrics: Sequence[str],
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Per design point and metric over its replicates: n, mean, std, CI low and high (long)."""
    ok = results[results["status"] == "ok"]
    columns = ["design_id", *factor_columns, "metric", "n", "mean", "std", "ci_low", "ci_high"]
    if ok.empty or not metrics:
        return pd.DataFrame(columns=columns)
    long = ok.melt(
        id_vars=["design_id"], value_vars=list(metrics), var_name="metric", value_name="value"
    ).dropna(subset=["value"])
    long["value"] = long["value"].astype(float)
    stats_rows = []
    for (design_id, metric), group in long.groupby(["design_id", "metric"], sort=False):
        mean, half = confidence_interval(group["value"].to_numpy(), confidence)
        n = len(group)
        std = float(group["value"].std(ddof=1)) if n > 1 else float("nan")
        stats_rows.append((design_id, metric, n, mean, std, mean - half, mean + half))
    table = pd.DataFrame(
        stats_rows, columns=["design_id", "metric", "n", "mean", "std", "ci_low", "ci_high"]
    )
    designs = ok.drop_duplicates("design_id")[["design_id", *factor_columns]]
    order = {m: i for i, m in enumerate(metrics)}
    table = designs.merge(table, on="design_id")
    table = table.assign(_order=table["metric"].map(order)).sort_values(["_order", "design_id"])
    return table[columns].reset_index(drop=True)


def pareto_mask(values: np.ndarray, maximize: Sequence[bool]) -> np.ndarray:
    """True for rows of ``values`` (n, k) not dominated by any other row; NaN rows are False."""
    v = np.asarray(values, dtype=float) * np.where(np.asarray(maximize), 1.0, -1.0)
    valid = ~np.isnan(v).any(axis=1)
    mask = np.zeros(len(v), dtype=bool)
    w = v[valid]
    better_eq = (w[None, :, :] >= w[:, None, :]).all(axis=2)  # [i, j]: j at least as good as i
    strictly = (w[None, :, :] > w[:, None, :]).any(axis=2)
    mask[valid] = ~(better_eq & strictly).any(axis=1)
    return mask


def design_table(summary: pd.DataFrame, factor_columns: Sequence[str]) -> pd.DataFrame:
    """Wide table, one row per design point: factors and '<metric>' mean, '<metric>_ci_low/high'."""
    if summary.empty:
        return pd.DataFrame(columns=["design_id", *factor_columns])
    wide = summary.pivot(index="design_id", columns="metric", values=["mean", "ci_low", "ci_high"])
    out = summary.drop_duplicates("design_id")[["design_id", *factor_columns]].set_index(
        "design_id"
    )
    columns = {}  # built at once: one insert per column fragments the frame (PerformanceWarning)
    for metric in summary["metric"].unique():
        columns[metric] = wide[("mean", metric)]
        columns[f"{metric}_ci_low"] = wide[("ci_low", metric)]
        columns[f"{metric}_ci_high"] = wide[("ci_high", metric)]
    return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1).reset_index()


def pareto_front(
    designs: pd.DataFrame, objectives: Sequence[Objective], study_name: str = ""
) -> pd.Series:
    """Boolean Series over ``designs`` rows: on the Pareto front of the objective means."""
    missing = [o.metric for o in objectives if o.metric not in designs.columns]
    if missing:
        known = [c for c in designs.columns if not c.endswith(("_ci_low", "_ci_high"))]
        raise InputError(
            f"study {study_name!r}: objective metric(s) {missing} are not in the results; "
            f"allowed: {known}"
        )
    values = designs[[o.metric for o in objectives]].to_numpy(dtype=float)
    mask = pareto_mask(values, [o.direction == "maximize" for o in objectives])
    return pd.Series(mask, index=designs.index, name="on_pareto_front")
