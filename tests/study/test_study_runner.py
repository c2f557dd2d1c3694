"""Running studies: resume after a hard kill, failures, Dask equals serial, outputs."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from study_support import (
    DIE_AFTER_ENV,
    counted_metrics,
    dies_for_seed_99,
    fails_for_coarse_sse,
    nested_metrics,
    noiseless_capacity_mah_g,
    toy_metrics,
    toy_study_data,
)

from cathodetwin.errors import InputError
from cathodetwin.study import ResultStore, plan_study, run_study
from cathodetwin.study.spec import study_from_dict
from cathodetwin.study.summary import pareto_mask

HERE = Path(__file__).parent
N_POINTS = 12  # toy study: 2 × 2 designs × 3 seeds


def _calls(calls_dir: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in calls_dir.iterdir()]


def _metrics(out: Path) -> pd.DataFrame:
    df = pd.read_parquet(out / "results.parquet")
    return df.drop(columns=["elapsed_s"]).sort_values("point_id").reset_index(drop=True)


def test_killed_study_resumes_without_recomputing_or_losing_points(
    tmp_path: Path, calls_dir: Path
) -> None:
    out, k = tmp_path / "out", 5
    script = textwrap.dedent(
        """
        import sys
        from study_support import counted_metrics, toy_study_data
        from cathodetwin.study import run_study
        from cathodetwin.study.spec import study_from_dict
        run_study(study_from_dict(toy_study_data()), sys.argv[1], point_fn=counted_metrics,
                  serial=True)
        """
    )
    env = os.environ | {DIE_AFTER_ENV: str(k), "PYTHONPATH": str(HERE)}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(out)], env=env, capture_output=True, timeout=120
    )
    assert proc.returncode == 3, proc.stderr.decode()  # os._exit in the (k+1)-th point
    assert not (out / "results.parquet").exists()
    before = {p.name: p.read_bytes() for p in (out / "store").iterdir()}
    assert len(before) == k and len(_calls(calls_dir)) == k
    assert all(name.endswith(".json") for name in before)  # no half-written temp files

    for marker in calls_dir.iterdir():
        marker.unlink()
    run = run_study(study_from_dict(toy_study_data()), out, point_fn=counted_metrics, serial=True)
    assert (run.n_reused, run.n_computed, run.n_failed) == (k, N_POINTS - k, 0)
    recomputed = {c["fingerprint"] for c in _calls(calls_dir)}
    assert len(recomputed) == N_POINTS - k
    assert recomputed.isdisjoint(name.removesuffix(".json") for name in before)
    for name, data in before.items():  # stored points untouched
        assert (out / "store" / name).read_bytes() == data
    results = _metrics(out)
    assert len(results) == N_POINTS and (results["status"] == "ok").all()

    run = run_study(study_from_dict(toy_study_data()), out, point_fn=counted_metrics, serial=True)
    assert (run.n_reused, run.n_computed) == (N_POINTS, 0)
    assert len(_calls(calls_dir)) == N_POINTS - k


def test_dask_local_cluster_gives_the_same_results_as_serial(
    tmp_path: Path, calls_dir: Path
) -> None:
    study = study_from_dict(toy_study_data())
    seen = []
    run_study(study, tmp_path / "dask", point_fn=counted_metrics, n_workers=2, progress=seen.append)
    dask_pids = {c["pid"] for c in _calls(calls_dir)}
    run_study(study, tmp_path / "serial", point_fn=counted_metrics, serial=True)
    assert os.getpid() not in dask_pids  # the points ran in worker processes
    assert [p.n_done for p in seen] == list(range(N_POINTS + 1))
    pd.testing.assert_frame_equal(_metrics(tmp_path / "dask"), _metrics(tmp_path / "serial"))


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output directory of the toy study run serially once for this module."""
    out = tmp_path_factory.mktemp("toy")
    run_study(study_from_dict(toy_study_data()), out, point_fn=toy_metrics, serial=True)
    return out


def test_replicates_give_confidence_intervals_and_a_pareto_front(toy_run: Path) -> None:
    summary = pd.read_parquet(toy_run / "summary.parquet")
    cap = summary[summary["metric"] == "capacity_1c_mah_g"]
    assert len(cap) == 4 and (cap["n"] == 3).all()
    assert ((cap["ci_high"] - cap["ci_low"]) > 0).all()
    truth = [
        noiseless_capacity_mah_g(c, d)
        for c, d in zip(cap["cam_wt_pct"], cap["sse_d50_um"], strict=True)
    ]
    assert ((cap["ci_low"] < truth) & (truth < cap["ci_high"])).all()  # noise sd 2, n 3
    results = _metrics(toy_run)
    for row in cap.itertuples():
        values = results.loc[results["design_id"] == row.design_id, "capacity_1c_mah_g"]
        assert row.mean == pytest.approx(values.mean())

    wide = summary.pivot(index="design_id", columns="metric", values="mean")
    objectives = ["cathode_wh_l", "capacity_1c_mah_g"]
    expected = wide.index[pareto_mask(wide[objectives].to_numpy(), [True, True])]
    front = pd.read_csv(toy_run / "pareto.csv")
    assert sorted(front["design_id"]) == sorted(expected)
    assert 1 <= len(front) < len(wide)  # the toy trades capacity against energy density


def test_failures_are_stored_and_retried_only_when_asked(tmp_path: Path, calls_dir: Path) -> None:
    study = study_from_dict(toy_study_data())
    run = run_study(study, tmp_path, point_fn=fails_for_coarse_sse, serial=True)
    assert run.n_failed == 6 and run.n_computed == N_POINTS
    results = _metrics(tmp_path)
    failed = results[results["status"] == "failed"]
    assert (failed["sse_d50_um"] == 3.0).all() and len(failed) == 6
    assert failed["error"].str.startswith("RuntimeError: toy failure at SSE D50 3.0").all()
    assert failed["capacity_1c_mah_g"].isna().all()
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    assert set(summary["sse_d50_um"]) == {0.8}
    assert "toy failure at SSE D50 3.0" in (tmp_path / "study_report.html").read_text()

    again = run_study(study, tmp_path, point_fn=fails_for_coarse_sse, serial=True)
    assert again.n_computed == 0 and again.n_failed == 6
    retry = run_study(study, tmp_path, point_fn=counted_metrics, serial=True, retry_failed=True)
    assert retry.n_computed == 6 and retry.n_failed == 0
    assert len(_calls(calls_dir)) == N_POINTS  # 6 ok first time + 6 retried


def test_non_flat_metrics_are_a_failed_point(tmp_path: Path) -> None:
    study = study_from_dict(toy_study_data(replicate_seeds=[1]))
    run = run_study(study, tmp_path, point_fn=nested_metrics, serial=True)
    assert run.n_failed == 4
    record = ResultStore(tmp_path / "store").get(plan_study(study)[0].fingerprint)
    assert record is not None and record.status == "failed"
    assert "metric 'curve_v' is list" in (record.error or "")


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag == "img" and name == "src":
                self.srcs.append(value or "")
            if name in ("src", "href") and value and not value.startswith("data:"):
                self.external.append(value)
        if tag in ("script", "link", "iframe"):
            self.external.append(tag)


def test_report_is_self_contained_with_a_figure_per_metric(toy_run: Path) -> None:
    text = (toy_run / "study_report.html").read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(text)
    assert parser.external == []
    n_metrics = 3  # capacity, energy density, SSE wt% (the text metric is not plotted)
    assert len(parser.srcs) == n_metrics + 1  # + the Pareto plot
    for src in parser.srcs:
        head, data = src.split(",", 1)
        assert head == "data:image/png;base64"
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    results = _metrics(toy_run)
    assert all(pid in text for pid in results["point_id"])
    summary = pd.read_parquet(toy_run / "summary.parquet")
    for row in summary.itertuples():
        assert f"{row.mean:.4g} ± {(row.ci_high - row.ci_low) / 2:.2g}" in text
    assert np.isfinite(results["capacity_1c_mah_g"]).all()


@pytest.mark.slow
def test_existing_scheduler_and_a_dying_worker(tmp_path: Path, calls_dir: Path) -> None:
    import dask
    from distributed import LocalCluster

    one_design = [{"path": "components.NCM811.weight_percent", "values": [70.0]}]
    crashing = study_from_dict(toy_study_data(parameters=one_design, replicate_seeds=[1, 99]))
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster,
    ):
        run = run_study(
            study_from_dict(toy_study_data()),
            tmp_path / "ok",
            point_fn=counted_metrics,
            scheduler=cluster.scheduler_address,
        )
        crashed = run_study(
            crashing,
            tmp_path / "crash",
            point_fn=dies_for_seed_99,
            scheduler=cluster.scheduler_address,
        )
    assert run.n_computed == N_POINTS
    assert os.getpid() not in {c["pid"] for c in _calls(calls_dir)}
    assert (crashed.n_computed, crashed.n_failed) == (2, 1)
    results = _metrics(tmp_path / "crash").set_index("seed")
    assert results.loc[1, "status"] == "ok"
    assert results.loc[99, "error"].startswith("KilledWorker")
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "2s"}),
        pytest.raises(InputError, match="scheduler 'tcp://127.0.0.1:9': cannot connect"),
    ):
        run_study(crashing, tmp_path / "x", point_fn=toy_metrics, scheduler="tcp://127.0.0.1:9")
