"""Paper value vs twin value: build the papers' example recipes and tabulate the comparison."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from cathodetwin.errors import InputError
from cathodetwin.study.runner import Progress, StudyRun, run_study
from cathodetwin.study.spec import Study, study_from_dict
from cathodetwin.study.summary import confidence_interval

PAPERS: tuple[str, ...] = ("000", "001", "002", "003", "004")


@dataclass(frozen=True)
class PaperValue:
    """One number a paper reports, the example case it belongs to and the twin metric it matches."""

    paper: str
    case: str
    metric: str
    value: float
    unit: str
    scale: float
    where: str
    quote: str
    note: str = ""

    @property
    def metric_value(self) -> float:
        """The paper's number in the twin metric's unit."""
        return self.value * self.scale


@dataclass(frozen=True)
class PaperOrdering:
    """A paper's qualitative ranking of cases by one metric (first = smallest if ascending)."""

    paper: str
    metric: str
    order: tuple[str, ...]
    direction: str
    where: str
    quote: str


def load_paper_values(
    path: Path | None = None,
) -> tuple[list[PaperValue], list[PaperOrdering]]:
    """The bundled table of paper numbers and orderings (data/paper_values.toml)."""
    if path is None:
        text = resources.files("cathodetwin").joinpath("data", "paper_values.toml").read_text(
            "utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    values = [PaperValue(**{k: v for k, v in e.items() if k in PaperValue.__dataclass_fields__})
              for e in data.get("values", [])]
    orders = [PaperOrdering(e["paper"], e["metric"], tuple(e["order"]), e["direction"],
                            e.get("where", ""), e.get("quote", ""))
              for e in data.get("orderings", [])]
    return values, orders


def reproduction_study(
    papers: Sequence[str], examples_dir: Path, seeds: Sequence[int]
) -> Study:
    """A study over every example case the chosen papers' values and orderings refer to."""
    bad = sorted(set(papers) - set(PAPERS))
    if bad:
        raise InputError(f"--papers: got {bad}; allowed: {list(PAPERS)}")
    if not examples_dir.is_dir():
        raise InputError(
            f"--examples: {examples_dir} is not a directory; give the folder holding the "
            "paper recipes (examples/papers in the cathodetwin repository)"
        )
    values, orders = load_paper_values()
    cases = sorted({v.case for v in values if v.paper in papers}
                   | {c for o in orders if o.paper in papers for c in o.order})
    missing = [c for c in cases if not (examples_dir / f"{c}.toml").exists()]
    if missing:
        raise InputError(f"--examples: {examples_dir} lacks recipes {missing}")
    return study_from_dict(
        {
            "name": f"reproduce papers {', '.join(papers)}",
            "recipes": {c: f"{c}.toml" for c in cases},
            "replicate_seeds": list(seeds),
        },
        source="reproduce",
        base_dir=examples_dir,
    )


def _case_stats(results: pd.DataFrame, case: str, metric: str) -> tuple[float, float, int]:
    """Mean, 95 % CI half-width and count of ``metric`` over the replicates of ``case``."""
    if metric not in results.columns:
        return math.nan, math.nan, 0
    col = pd.to_numeric(results.loc[results["recipe"] == case, metric], errors="coerce").dropna()
    if col.empty:
        return math.nan, math.nan, 0
    mean, half = confidence_interval(col.to_numpy())
    return mean, half, int(len(col))


def compare_values(values: Sequence[PaperValue], results: pd.DataFrame) -> pd.DataFrame:
    """One row per paper number: paper value and twin mean ± CI in the metric's unit."""
    rows = []
    for v in values:
        mean, half, n = _case_stats(results, v.case, v.metric)
        paper = v.metric_value
        rows.append({
            "paper": v.paper, "case": v.case, "metric": v.metric, "paper_value": paper,
            "twin_value": mean, "twin_ci95": half, "n_seeds": n,
            "relative_difference": (mean - paper) / abs(paper) if paper else math.nan,
            "where": v.where, "note": v.note,
        })
    return pd.DataFrame(rows)


def check_orderings(orders: Sequence[PaperOrdering], results: pd.DataFrame) -> pd.DataFrame:
    """One row per paper ranking: the paper's order, the twin's order and whether they agree."""
    rows = []
    for o in orders:
        means = {c: _case_stats(results, c, o.metric)[0] for c in o.order}
        known = [c for c in o.order if not math.isnan(means[c])]
        twin = sorted(known, key=means.__getitem__, reverse=o.direction == "descending")
        rows.append({
            "paper": o.paper, "metric": o.metric, "direction": o.direction,
            "paper_order": " < ".join(o.order) if o.direction == "ascending"
            else " > ".join(o.order),
            "twin_order": (" < " if o.direction == "ascending" else " > ").join(twin),
            "agrees": len(known) == len(o.order) and twin == list(o.order),
            "where": o.where,
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Reproduction:
    """Result of a reproduction run: the study run and both comparison tables."""

    run: StudyRun
    values: pd.DataFrame
    orderings: pd.DataFrame


def reproduce(
    papers: Sequence[str] = PAPERS,
    examples_dir: Path = Path("examples/papers"),
    out_dir: Path = Path("reproduce"),
    seeds: Sequence[int] = (0,),
    n_workers: int = 2,
    scheduler: str | None = None,
    serial: bool = False,
    progress: Progress | None = None,
) -> Reproduction:
    """Build the papers' cases (resumable), then write values.csv, orderings.csv, reproduce.md."""
    study = reproduction_study(papers, Path(examples_dir), seeds)
    out_dir = Path(out_dir)
    run = run_study(study, out_dir, scheduler=scheduler, n_workers=n_workers,
                    progress=progress, serial=serial)
    results = pd.read_parquet(out_dir / "results.parquet")
    values, orders = load_paper_values()
    table = compare_values([v for v in values if v.paper in papers], results)
    ranks = check_orderings([o for o in orders if o.paper in papers], results)
    table.to_csv(out_dir / "values.csv", index=False)
    ranks.to_csv(out_dir / "orderings.csv", index=False)
    (out_dir / "reproduce.md").write_text(_markdown(table, ranks), encoding="utf-8")
    return Reproduction(run, table, ranks)


def _markdown(table: pd.DataFrame, ranks: pd.DataFrame) -> str:
    lines = ["# Paper value vs twin value", "",
             "| paper | case | metric | paper | twin (mean ± 95 % CI) | where |",
             "|---|---|---|---|---|---|"]
    for r in table.itertuples():
        if math.isnan(r.twin_value):
            twin = "n/a"
        elif math.isnan(r.twin_ci95):
            twin = f"{r.twin_value:.4g}"
        else:
            twin = f"{r.twin_value:.4g} ± {r.twin_ci95:.2g}"
        lines.append(f"| {r.paper} | {r.case} | {r.metric} | {r.paper_value:.4g} | {twin} | "
                     f"{r.where} |")
    lines += ["", "## Orderings", "", "| paper | metric | paper order | twin order | agrees |",
              "|---|---|---|---|---|"]
    for r in ranks.itertuples():
        lines.append(f"| {r.paper} | {r.metric} | {r.paper_order} | {r.twin_order} | "
                     f"{'yes' if r.agrees else 'no'} |")
    return "\n".join(lines) + "\n"
