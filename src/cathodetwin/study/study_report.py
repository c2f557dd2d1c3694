"""Self-contained study report (one HTML file, images inline as base64 PNG, no external
resources): every metric vs each factor with replicate confidence intervals, the Pareto front,
the design summary and the table of all points."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from cathodetwin.atomic import write_text_atomic
from cathodetwin.report.figures import plain_text
from cathodetwin.study.spec import Objective, Study
from cathodetwin.study.summary import CONFIDENCE

MAX_SERIES = 8  # above this many combinations of the other factors, plot points without lines
DPI = 90

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: right; }
th { background: #f3f3f3; } .scroll { overflow-x: auto; }
img { max-width: 100%; } pre { background: #f7f7f7; padding: 0.5em; white-space: pre-wrap; }
"""


def _png(fig: Figure) -> str:
    """An <img> tag with the figure inline as base64 PNG."""
    buf = io.BytesIO()
    with plain_text():  # names and parameters are drawn as given, never as mathtext
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _errors(df: pd.DataFrame, metric: str) -> np.ndarray:
    """Asymmetric error bar lengths (2, n) from the CI columns; 0 where the CI is undefined."""
    lo = (df[metric] - df[f"{metric}_ci_low"]).to_numpy(dtype=float)
    hi = (df[f"{metric}_ci_high"] - df[metric]).to_numpy(dtype=float)
    return np.nan_to_num(np.vstack([lo, hi]))


def _plot_vs_factor(
    ax: Axes, designs: pd.DataFrame, metric: str, factor: str, others: list[str], log: bool
) -> None:
    """Mean of ``metric`` vs ``factor`` with CI bars, one line per combination of ``others``."""
    numeric = _is_numeric(designs[factor])
    if numeric:
        x_all = designs[factor].astype(float)
    else:
        labels = list(dict.fromkeys(designs[factor].astype(str)))
        x_all = designs[factor].astype(str).map({k: i for i, k in enumerate(labels)})
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    if others:
        groups = list(designs.groupby(others, sort=False, dropna=False))
        as_lines = len(groups) <= MAX_SERIES and all(g[factor].nunique() > 1 for _, g in groups)
    else:
        groups = [((), designs)]
        as_lines = designs[factor].nunique() > 1
    if as_lines:
        for key, g in groups:
            g = g.assign(_x=x_all[g.index]).sort_values("_x")
            keys = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{o}={k}" for o, k in zip(others, keys, strict=True)) or None
            ax.errorbar(
                g["_x"],
                g[metric],
                yerr=_errors(g, metric),
                marker="o",
                ms=4,
                capsize=3,
                label=label,
            )
        if others and len(groups) > 1:
            ax.legend(fontsize=7)
    else:
        ax.errorbar(x_all, designs[metric], yerr=_errors(designs, metric), fmt="o", ms=4, capsize=3)
    if numeric and log:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ticks = np.unique(x_all)
        if len(ticks) <= MAX_SERIES:
            ax.set_xticks(ticks)
        else:
            ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.set_xlabel(factor, fontsize=8)
    ax.set_ylabel(metric, fontsize=8)
    ax.tick_params(which="both", labelsize=7)
    ax.grid(alpha=0.3)


def metric_figure(study: Study, designs: pd.DataFrame, metric: str) -> str:
    """<img> of one metric vs each factor (one panel per factor) with CI error bars."""
    factors = study.factor_columns
    log = {p.column: p.log for p in study.parameters}
    fig = Figure(figsize=(3.6 * len(factors), 3.0), layout="constrained")
    axes = fig.subplots(1, len(factors), squeeze=False)[0]
    for ax, factor in zip(axes, factors, strict=True):
        others = [f for f in factors if f != factor]
        _plot_vs_factor(ax, designs, metric, factor, others, log.get(factor, False))
    fig.suptitle(metric, fontsize=10)
    return _png(fig)


def pareto_figure(designs: pd.DataFrame, objectives: Sequence[Objective]) -> str:
    """<img> of the first two objectives' design means with CIs, the front highlighted."""
    a, b = objectives[0].metric, objectives[1].metric
    fig = Figure(figsize=(5.5, 4.5), layout="constrained")
    ax = fig.subplots()
    rest, front = designs[~designs["on_pareto_front"]], designs[designs["on_pareto_front"]]
    ax.errorbar(
        rest[a],
        rest[b],
        xerr=_errors(rest, a),
        yerr=_errors(rest, b),
        fmt="o",
        color="0.6",
        ms=4,
        capsize=2,
        label="dominated",
    )
    front = front.sort_values(a)
    ax.errorbar(
        front[a],
        front[b],
        xerr=_errors(front, a),
        yerr=_errors(front, b),
        fmt="o-",
        color="C3",
        ms=6,
        capsize=2,
        label="Pareto front",
    )
    for _, row in front.iterrows():
        ax.annotate(
            row["design_id"],
            (row[a], row[b]),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    x_better = {"maximize": "→ better", "minimize": "← better"}
    y_better = {"maximize": "↑ better", "minimize": "↓ better"}
    ax.set_xlabel(f"{a} ({x_better[objectives[0].direction]})")
    ax.set_ylabel(f"{b} ({y_better[objectives[1].direction]})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def _table(df: pd.DataFrame) -> str:
    return (
        '<div class="scroll">'
        + df.to_html(
            index=False, border=0, na_rep="–", float_format=lambda v: f"{v:.4g}", escape=True
        )
        + "</div>"
    )


def _ci_text(designs: pd.DataFrame, factors: list[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Design table with each metric as 'mean ± CI half-width'."""
    columns: dict[str, object] = {}  # built at once, not one insert per column
    for m in metrics:
        half = (designs[f"{m}_ci_high"] - designs[f"{m}_ci_low"]) / 2
        columns[m] = [
            f"{v:.4g}" if np.isnan(h) else f"{v:.4g} ± {h:.2g}"
            for v, h in zip(designs[m], half, strict=True)
        ]
    if "on_pareto_front" in designs:
        columns["Pareto"] = designs["on_pareto_front"].map({True: "★", False: ""})
    extra = pd.DataFrame(columns, index=designs.index)
    return pd.concat([designs[["design_id", *factors]], extra], axis=1)


def study_report_html(
    study: Study, results: pd.DataFrame, designs: pd.DataFrame, metrics: Sequence[str]
) -> str:
    """The report as one HTML string (``designs`` from summary.design_table, maybe with
    an 'on_pareto_front' column)."""
    e = html.escape
    factors = study.factor_columns
    n_failed = int((results["status"] == "failed").sum())
    seeds = study.replicate_seeds or "each recipe's own seed"
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{e(study.name)}: study report</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(study.name)}</h1><p>{e(study.description)}</p>",
        "<ul>"
        f"<li>{len(results)} points, {results['design_id'].nunique()} design points, "
        f"{n_failed} failed</li>"
        f"<li>sampling: {e(study.sampling.method)}; factors: {e(', '.join(factors))}</li>"
        f"<li>replicate seeds: {e(str(seeds))}; error bars: {CONFIDENCE:.0%} confidence "
        "interval of the replicate mean (t-distribution)</li>"
        f"<li>evaluator: <code>{e(study.evaluator)}</code></li></ul>",
    ]
    if "on_pareto_front" in designs and len(study.objectives) >= 1:
        objs = ", ".join(f"{o.metric} ({o.direction})" for o in study.objectives)
        parts.append(f"<h2>Pareto front</h2><p>objectives: {e(objs)}</p>")
        if len(study.objectives) >= 2:
            parts.append(pareto_figure(designs, study.objectives))
        front = designs[designs["on_pareto_front"]]
        parts.append(_table(_ci_text(front, factors, [o.metric for o in study.objectives])))
    if metrics and not designs.empty:
        parts.append("<h2>Metrics vs parameters</h2>")
        parts.extend(metric_figure(study, designs, m) for m in metrics)
        parts.append("<h2>Design points</h2>")
        parts.append(_table(_ci_text(designs, factors, metrics)))
    points = results.drop(columns=["error"]).assign(fingerprint=results["fingerprint"].str[:12])
    parts.append(f"<h2>All points</h2>{_table(points)}")
    failed = results[results["status"] == "failed"]
    if not failed.empty:
        parts.append("<h2>Failed points</h2>")
        parts.extend(
            f"<h3>{e(r.point_id)}</h3><pre>{e(str(r.error))}</pre>" for r in failed.itertuples()
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_study_report(
    study: Study,
    results: pd.DataFrame,
    designs: pd.DataFrame,
    metrics: Sequence[str],
    path: str | Path,
) -> Path:
    """Write the study report HTML to ``path``."""
    path = Path(path)
    with plain_text():  # matplotlib reads the setting when a label is made
        page = study_report_html(study, results, designs, metrics)
    write_text_atomic(path, page)
    return path
