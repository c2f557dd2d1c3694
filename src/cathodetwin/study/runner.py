"""Run a study: evaluate every point not yet stored, serially or on Dask, storing each result as
it finishes; then write results.parquet, summary.parquet, pareto.csv and the study report."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cathodetwin.atomic import write_json_atomic
from cathodetwin.errors import InputError
from cathodetwin.recipe import Recipe
from cathodetwin.study.outputs import write_outputs
from cathodetwin.study.plan import StudyPoint, plan_study
from cathodetwin.study.spec import DEFAULT_EVALUATOR, EVALUATOR_GROUP, Study
from cathodetwin.study.store import PointRecord, ResultStore, flat_metrics

PointFn = Callable[[Recipe], dict]


@dataclass(frozen=True)
class Progress:
    """Where a running study stands: points computed of those to compute, reused, failed."""

    n_done: int
    n_todo: int
    n_reused: int
    n_failed: int


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class StudyRun:
    """Outcome of ``run_study``: counts of points and the files written."""

    n_points: int
    n_designs: int
    n_evaluations: int  # distinct recipes (points with equal recipes share one evaluation)
    n_reused: int
    n_computed: int
    n_failed: int
    elapsed_s: float
    out_dir: Path

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return {
            "n_points": self.n_points,
            "n_designs": self.n_designs,
            "n_evaluations": self.n_evaluations,
            "n_reused": self.n_reused,
            "n_computed": self.n_computed,
            "n_failed": self.n_failed,
            "elapsed_s": self.elapsed_s,
            "out_dir": str(self.out_dir),
        }


def registered_evaluators() -> dict[str, str]:
    """Evaluators a study may name without opting in: name → ``module:function``.

    ``default`` (the pipeline) and every entry point of the group ``cathodetwin.evaluators``
    an installed package declares.
    """
    out = {"default": DEFAULT_EVALUATOR}
    for ep in importlib.metadata.entry_points(group=EVALUATOR_GROUP):
        out.setdefault(ep.name, ep.value)
    return out


def resolve_evaluator(spec: str, allow_module_paths: bool = False) -> PointFn:
    """The evaluator named ``spec``: a registered name (or its ``module:function``), or, only
    with ``allow_module_paths``, any ``module:function`` (which imports and runs that module)."""
    registered = registered_evaluators()
    if spec in registered:
        spec = registered[spec]
    elif spec not in registered.values() and not allow_module_paths:
        raise InputError(
            f"evaluator {spec!r} is not a registered evaluator (registered: "
            f"{sorted(registered)}); a module path is imported and run only with "
            "--allow-module-evaluator (run_study(..., allow_module_evaluator=True))"
        )
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise InputError(f"evaluator {spec!r}: cannot import {module_name!r} ({err})") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise InputError(f"evaluator {spec!r}: {module_name} has no function {attr!r}")
    return fn


def evaluate_point(point_fn: PointFn, recipe: Recipe) -> PointRecord:
    """Run ``point_fn`` on one recipe; an exception becomes a failed record with its traceback."""
    start = time.perf_counter()
    try:
        metrics = flat_metrics(point_fn(recipe))
    except Exception as err:  # every failure of a point is recorded, not raised
        return PointRecord(
            fingerprint=recipe.fingerprint(),
            status="failed",
            error=f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=-8)}",
            elapsed_s=time.perf_counter() - start,
            recipe=recipe.model_dump(mode="json"),
        )
    return PointRecord(
        fingerprint=recipe.fingerprint(),
        status="ok",
        metrics=metrics,
        elapsed_s=time.perf_counter() - start,
        recipe=recipe.model_dump(mode="json"),
    )


def _serial(point_fn: PointFn, recipes: list[Recipe]) -> Iterator[PointRecord]:
    for recipe in recipes:
        yield evaluate_point(point_fn, recipe)


def _dask(
    point_fn: PointFn, recipes: list[Recipe], scheduler: str | None, n_workers: int
) -> Iterator[PointRecord]:
    from distributed import Client, LocalCluster, as_completed

    if scheduler is None:
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(scheduler)
        except (OSError, ValueError) as err:
            raise InputError(f"scheduler {scheduler!r}: cannot connect ({err})") from None
    try:
        futures = {
            client.submit(
                evaluate_point, point_fn, r, key=f"cathodetwin-point-{r.fingerprint()}"
            ): r
            for r in recipes
        }
        for future in as_completed(futures):
            recipe = futures[future]
            try:
                record = future.result()
            except Exception as err:  # the worker died on this point, or it was cancelled
                record = PointRecord(
                    fingerprint=recipe.fingerprint(),
                    status="failed",
                    error=f"{type(err).__name__}: {err} (Dask could not run this point)",
                    recipe=recipe.model_dump(mode="json"),
                )
            future.release()
            yield record
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def points_to_compute(
    points: list[StudyPoint], store: ResultStore, retry_failed: bool
) -> tuple[list[Recipe], int]:
    """Distinct recipes without a stored record (or with a failed one when ``retry_failed``),
    and the number of distinct recipes reused from the store."""
    todo: dict[str, Recipe] = {}
    reused: set[str] = set()
    for p in points:
        if p.fingerprint in todo or p.fingerprint in reused:
            continue
        record = store.get(p.fingerprint)
        if record is None or (retry_failed and record.status == "failed"):
            todo[p.fingerprint] = p.recipe
        else:
            reused.add(p.fingerprint)
    return list(todo.values()), len(reused)


def run_study(
    study: Study,
    out_dir: str | Path,
    point_fn: PointFn | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    progress: ProgressFn | None = None,
    serial: bool = False,
    retry_failed: bool = False,
    allow_module_evaluator: bool = False,
) -> StudyRun:
    """Evaluate every point of ``study`` not yet in ``out_dir/store`` and write the outputs.

    ``point_fn(recipe) -> dict`` of flat unit-suffixed metrics defaults to the study's
    evaluator (``cathodetwin.pipeline:evaluate``). Points run on a local Dask cluster of
    ``n_workers`` processes, on the Dask scheduler at address ``scheduler``, or in this
    process when ``serial``. Each result is stored as soon as it arrives, so an interrupted
    study resumes where it stopped. Failed points are stored with their error and are only
    retried when ``retry_failed``. ``allow_module_evaluator`` lets the study's evaluator be any
    ``module:function`` rather than a registered one (see :func:`resolve_evaluator`).
    """
    if n_workers < 1:
        raise InputError(f"n_workers={n_workers} is not allowed; need at least 1")
    if serial and scheduler is not None:
        raise InputError(f"serial=True and scheduler={scheduler!r} exclude each other; pick one")
    start = time.perf_counter()
    out_dir = Path(out_dir)
    points = plan_study(study)
    fn = point_fn if point_fn is not None else resolve_evaluator(study.evaluator,
                                                                 allow_module_evaluator)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(
        out_dir / "plan.json",
        {"study": study.model_dump(mode="json"), "points": [p.to_dict() for p in points]},
    )
    store = ResultStore(out_dir / "store")
    todo, n_reused = points_to_compute(points, store, retry_failed)
    n_done = 0
    pending = {r.fingerprint() for r in todo}
    # failures counted once over distinct recipes: stored earlier and kept, plus new ones
    n_failed = sum(1 for fp in {p.fingerprint for p in points} - pending
                   if (rec := store.get(fp)) is not None and rec.status == "failed")
    if progress is not None:
        progress(Progress(0, len(todo), n_reused, n_failed))
    if todo:
        records = _serial(fn, todo) if serial else _dask(fn, todo, scheduler, n_workers)
        for record in records:
            store.put(record)
            n_done += 1
            n_failed += record.status == "failed"
            if progress is not None:
                progress(Progress(n_done, len(todo), n_reused, n_failed))
    write_outputs(study, points, store, out_dir)
    stored = {p.fingerprint: store.get(p.fingerprint) for p in points}
    return StudyRun(
        n_points=len(points),
        n_designs=len({p.design_id for p in points}),
        n_evaluations=len(stored),
        n_reused=n_reused,
        n_computed=n_done,
        n_failed=sum(r is not None and r.status == "failed" for r in stored.values()),
        elapsed_s=time.perf_counter() - start,
        out_dir=out_dir,
    )
