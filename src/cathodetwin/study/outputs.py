"""Write a study's outputs from its plan and result store: results.parquet (one row per point),
summary.parquet (replicate mean and CI per design point and metric), pareto.csv, the report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cathodetwin.study.plan import StudyPoint
from cathodetwin.study.spec import Study
from cathodetwin.study.store import ResultStore
from cathodetwin.study.study_report import write_study_report
from cathodetwin.study.summary import (
    design_table,
    metric_columns,
    pareto_front,
    results_frame,
    summarize,
)

RESULTS_FILE = "results.parquet"
SUMMARY_FILE = "summary.parquet"
PARETO_FILE = "pareto.csv"
REPORT_FILE = "study_report.html"


def write_outputs(
    study: Study, points: Sequence[StudyPoint], store: ResultStore, out_dir: Path
) -> None:
    """Tables and report of every stored point of ``points`` into ``out_dir``.

    results.parquet is written first, so it exists even when an objective names a metric the
    results lack (InputError); fix the study file and run again: nothing is recomputed.
    """
    records = {p.fingerprint: r for p in points if (r := store.get(p.fingerprint)) is not None}
    results = results_frame(study, points, records)
    results.to_parquet(out_dir / RESULTS_FILE, index=False)
    metrics = metric_columns(results, study)
    summary = summarize(results, study.factor_columns, metrics)
    summary.to_parquet(out_dir / SUMMARY_FILE, index=False)
    designs = design_table(summary, study.factor_columns)
    (out_dir / PARETO_FILE).unlink(missing_ok=True)
    if study.objectives and not designs.empty:
        designs["on_pareto_front"] = pareto_front(designs, study.objectives, study.name)
        front_cols = ["design_id", *study.factor_columns]
        for o in study.objectives:
            front_cols += [o.metric, f"{o.metric}_ci_low", f"{o.metric}_ci_high"]
        front = designs[designs["on_pareto_front"]][front_cols]
        front.sort_values(study.objectives[0].metric).to_csv(out_dir / PARETO_FILE, index=False)
    write_study_report(study, results, designs, metrics, out_dir / REPORT_FILE)
