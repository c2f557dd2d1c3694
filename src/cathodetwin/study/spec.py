"""Study file: a base recipe (or a list of recipes), the parameters to vary, how to sample them,
the replicate seeds and the objectives of the Pareto front; TOML load with readable errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cathodetwin.errors import InputError
from cathodetwin.recipe import describe_errors

Scalar = bool | int | float | str
SamplingMethod = Literal["grid", "list", "random", "lhs"]
SEED_PATH = "simulation.seed"
DEFAULT_EVALUATOR = "cathodetwin.pipeline:evaluate"
EVALUATOR_GROUP = "cathodetwin.evaluators"  # entry points: evaluators studies may name
# Columns of results.parquet that parameters may not be named after.
RESERVED_COLUMNS = frozenset(
    {
        "point_id",
        "design_id",
        "recipe",
        "seed",
        "fingerprint",
        "status",
        "error",
        "elapsed_s",
        "metric",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Strict):
    """One varied recipe field: a dotted recipe path with values (grid, list) or bounds (random,
    lhs); ``balance`` names the component whose weight_percent absorbs a weight change."""

    path: str = Field(min_length=1)
    name: str | None = None
    values: list[Scalar] | None = Field(default=None, min_length=1)
    low: float | None = None
    high: float | None = None
    log: bool = False
    balance: str | None = None

    @property
    def column(self) -> str:
        """Column name of this parameter in the results table."""
        return self.name or self.path

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if self.values is not None:
            kinds = {type(v).__name__ for v in self.values}
            if "str" in kinds and len(kinds) > 1:
                raise ValueError(f"values {self.values} mix text and numbers; give all of one kind")
            if self.log and any(isinstance(v, str) or v <= 0 for v in self.values):
                raise ValueError(f"log = true needs values > 0; got {self.values}")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither")
        if self.low is not None and self.high is not None:
            if not self.low < self.high:
                raise ValueError(f"low={self.low} must be < high={self.high}")
            if self.log and self.low <= 0:
                raise ValueError(f"log = true needs low > 0; got low={self.low}")
        if self.balance is not None:
            parts = self.path.split(".")
            if len(parts) != 3 or parts[0] != "components" or parts[2] != "weight_percent":
                raise ValueError(
                    f"balance is only for paths components.<name>.weight_percent; got {self.path!r}"
                )
        return self


class Sampling(_Strict):
    """How parameter values combine: grid (all combinations), list (zipped), random or lhs
    (Latin hypercube) with ``n`` samples drawn with ``seed``."""

    method: SamplingMethod = "grid"
    n: Annotated[int, Field(ge=1)] | None = None
    seed: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _n_for_sampled(self) -> Sampling:
        if self.method in ("random", "lhs") and self.n is None:
            raise ValueError(f"method {self.method!r} needs n (number of samples)")
        if self.method in ("grid", "list") and self.n is not None:
            raise ValueError(f"n is only for methods 'random' and 'lhs', not {self.method!r}")
        return self


class Objective(_Strict):
    """A metric of the Pareto front and whether larger (maximize) or smaller is better."""

    metric: str = Field(min_length=1)
    direction: Literal["maximize", "minimize"]


class Study(_Strict):
    """A set of twins to build and compare: recipes × parameter design × replicate seeds."""

    name: str = Field(min_length=1)
    description: str = ""
    recipe: str | None = None
    recipes: list[str] | dict[str, str] | None = None
    parameters: list[Parameter] = Field(default_factory=list)
    sampling: Sampling = Sampling()
    replicate_seeds: list[Annotated[int, Field(ge=0, lt=2**32)]] | None = Field(
        default=None, min_length=1
    )
    fixed: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)
    objectives: list[Objective] = Field(default_factory=list)
    metrics: list[str] | None = None
    evaluator: str = Field(default=DEFAULT_EVALUATOR, pattern=r"^[\w.]+(:\w+)?$")

    @model_validator(mode="after")
    def _consistent(self) -> Study:
        if (self.recipe is None) == (self.recipes is None):
            raise ValueError("give exactly one of recipe (a file) or recipes (a list of files)")
        if self.recipes is not None and len(self.recipes) == 0:
            raise ValueError("recipes is empty; give at least one recipe file")
        if self.recipes is not None and not isinstance(self.recipes, dict):
            labels = [Path(p).stem for p in self.recipes]
            dup = sorted({s for s in labels if labels.count(s) > 1})
            if dup:
                raise ValueError(
                    f"recipe file names {dup} repeat; label them as a table "
                    'recipes = {label = "file.toml", ...}'
                )
        if not self.parameters and self.recipes is None:
            raise ValueError("nothing varies: give parameters or a list of recipes")
        self._check_parameters()
        if self.replicate_seeds is not None:
            dup = sorted({s for s in self.replicate_seeds if self.replicate_seeds.count(s) > 1})
            if dup:
                raise ValueError(f"replicate_seeds repeat {dup}; each seed once")
        objective_metrics = [o.metric for o in self.objectives]
        dup = sorted({m for m in objective_metrics if objective_metrics.count(m) > 1})
        if dup:
            raise ValueError(f"objectives name metric(s) {dup} more than once")
        return self

    def _check_parameters(self) -> None:
        columns = [p.column for p in self.parameters]
        dup = sorted({c for c in columns if columns.count(c) > 1})
        if dup:
            raise ValueError(f"parameter names repeat: {dup}; set distinct name = ... for each")
        reserved = sorted(set(columns) & RESERVED_COLUMNS)
        if reserved:
            raise ValueError(f"parameter name(s) {reserved} are reserved; allowed: any other")
        paths = [p.path for p in self.parameters]
        both = sorted(set(paths) & set(self.fixed))
        if both:
            raise ValueError(f"path(s) {both} are both varied and fixed; choose one")
        if self.replicate_seeds is not None and SEED_PATH in [*paths, *self.fixed]:
            raise ValueError(f"{SEED_PATH} is set by replicate_seeds; do not also vary or fix it")
        balances = sorted({p.balance for p in self.parameters if p.balance is not None})
        if len(balances) > 1:
            raise ValueError(f"balance names {balances}; use one balance component per study")
        method = self.sampling.method
        for p in self.parameters:
            if method in ("grid", "list") and p.values is None:
                raise ValueError(f"parameter {p.column!r}: method {method!r} needs values = [...]")
            if method in ("grid", "list") and p.low is not None:
                raise ValueError(
                    f"parameter {p.column!r}: low/high are for methods 'random' and 'lhs', "
                    f"not {method!r}; give values = [...]"
                )
            if method in ("random", "lhs") and p.low is None:
                raise ValueError(f"parameter {p.column!r}: method {method!r} needs low and high")
            if method in ("random", "lhs") and p.values is not None:
                raise ValueError(
                    f"parameter {p.column!r}: values are for methods 'grid' and 'list', "
                    f"not {method!r}; give low and high"
                )
        if method == "grid":
            for p in self.parameters:
                dup = sorted({str(v) for v in p.values or [] if (p.values or []).count(v) > 1})
                if dup:
                    raise ValueError(f"parameter {p.column!r}: values repeat {dup}; each once")
        if method == "list":
            lengths = {p.column: len(p.values or []) for p in self.parameters}
            if len(set(lengths.values())) > 1:
                raise ValueError(
                    f"method 'list' zips values, so all must have the same length; got {lengths}"
                )

    def recipe_files(self) -> dict[str | None, Path]:
        """Recipe file per categorical label (label None for a single base recipe)."""
        if self.recipe is not None:
            return {None: Path(self.recipe)}
        if isinstance(self.recipes, dict):
            return {label: Path(p) for label, p in self.recipes.items()}
        return {Path(p).stem: Path(p) for p in self.recipes or []}

    @property
    def factor_columns(self) -> list[str]:
        """Columns that define a design point: 'recipe' (for a recipe list) and each parameter."""
        lead = ["recipe"] if self.recipes is not None else []
        return lead + [p.column for p in self.parameters]


def study_from_dict(data: dict, source: str = "<dict>", base_dir: Path | None = None) -> Study:
    """Validate a plain dict into a Study; recipe paths are taken relative to ``base_dir``."""
    if base_dir is not None:
        data = dict(data)
        if isinstance(data.get("recipe"), str):
            data["recipe"] = str(base_dir / data["recipe"])
        recipes = data.get("recipes")
        if isinstance(recipes, list):
            data["recipes"] = [str(base_dir / p) if isinstance(p, str) else p for p in recipes]
        elif isinstance(recipes, dict):
            data["recipes"] = {
                k: str(base_dir / p) if isinstance(p, str) else p for k, p in recipes.items()
            }
    try:
        return Study.model_validate(data)
    except ValidationError as err:
        problems = [  # describe_errors names the top level "(recipe)"
            "(study)" + line.removeprefix("(recipe)") if line.startswith("(recipe)") else line
            for line in describe_errors(err)
        ]
        lines = "\n".join(f"  - {line}" for line in problems)
        raise InputError(f"invalid study {source}:\n{lines}") from None


def load_study(path: str | Path) -> Study:
    """Read and validate a study TOML file; recipe paths are relative to the study file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"invalid study {path}: cannot read file: {err.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"invalid study {path}: not valid TOML: {err}") from None
    return study_from_dict(data, source=str(path), base_dir=path.resolve().parent)
