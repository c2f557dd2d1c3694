"""Resolve a Study into its points: design (recipe × sampled parameters) × replicate seed, each
with the validated Recipe it builds and that recipe's fingerprint."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from cathodetwin.errors import RecipeError
from cathodetwin.recipe import Recipe, load_recipe
from cathodetwin.study.spec import SEED_PATH, Parameter, Scalar, Study


@dataclass(frozen=True)
class StudyPoint:
    """One twin of a study: its ids, factor values, replicate seed and resolved recipe."""

    point_id: str
    design_id: str
    factors: dict[str, Scalar]  # 'recipe' label (for recipe lists) and parameter values
    seed: int
    recipe: Recipe
    fingerprint: str

    def to_dict(self) -> dict:
        """JSON-serialisable record without the recipe body."""
        return {
            "point_id": self.point_id,
            "design_id": self.design_id,
            "factors": dict(self.factors),
            "seed": self.seed,
            "fingerprint": self.fingerprint,
        }


def _unit_samples(study: Study) -> np.ndarray:
    """Samples in the unit hypercube, shape (n, number of parameters)."""
    d, n, seed = len(study.parameters), study.sampling.n or 0, study.sampling.seed
    rng = np.random.default_rng(seed)
    if study.sampling.method == "lhs":
        return qmc.LatinHypercube(d, rng=rng).random(n)
    return rng.random((n, d))


def _scale(p: Parameter, u: np.ndarray) -> np.ndarray:
    """Map unit samples to [low, high], uniform in log space when ``p.log``."""
    assert p.low is not None and p.high is not None  # Study validation guarantees bounds
    lo, hi = p.low, p.high
    if p.log:
        return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
    return lo + u * (hi - lo)


def design_values(study: Study) -> list[dict[str, Scalar]]:
    """Parameter values of every design point (column name → value), before recipes and seeds."""
    params = study.parameters
    if not params:
        return [{}]
    method = study.sampling.method
    if method == "grid":
        combos = itertools.product(*(p.values or [] for p in params))
        return [dict(zip([p.column for p in params], c, strict=True)) for c in combos]
    if method == "list":
        rows = zip(*(p.values or [] for p in params), strict=True)
        return [dict(zip([p.column for p in params], r, strict=True)) for r in rows]
    u = _unit_samples(study)
    columns = [_scale(p, u[:, j]) for j, p in enumerate(params)]
    return [{p.column: float(columns[j][i]) for j, p in enumerate(params)} for i in range(len(u))]


def _component_index(recipe: Recipe, key: str, path: str) -> int:
    """Index of the component a path part names (by name or list index)."""
    names = [c.name for c in recipe.components]
    if key.isdigit() and int(key) < len(names):
        return int(key)
    if key in names:
        return names.index(key)
    raise RecipeError(recipe.name, [f"{path}: no component {key!r}; have {names}"])


def balance_changes(
    recipe: Recipe, params: list[Parameter], changes: dict[str, object]
) -> dict[str, object]:
    """weight_percent of the balance component so that all components sum to 100 wt%."""
    balancing = [p for p in params if p.balance is not None]
    if not balancing:
        return {}
    weights = [c.weight_percent for c in recipe.components]
    for path, value in changes.items():
        parts = path.split(".")
        is_weight = len(parts) == 3 and parts[0] == "components" and parts[2] == "weight_percent"
        if is_weight and isinstance(value, int | float):  # other values fail recipe validation
            weights[_component_index(recipe, parts[1], path)] = float(value)
    b = _component_index(recipe, balancing[0].balance or "", f"{balancing[0].column}.balance")
    for p in balancing:
        if b == _component_index(recipe, p.path.split(".")[1], p.path):
            raise RecipeError(
                recipe.name, [f"{p.column}: balance {p.balance!r} is the varied component itself"]
            )
    rest = sum(w for i, w in enumerate(weights) if i != b)
    return {f"components.{recipe.components[b].name}.weight_percent": 100.0 - rest}


def plan_study(study: Study) -> list[StudyPoint]:
    """Every point of the study, validated: recipes × design × replicate seeds, in that order.

    Raises RecipeError naming the point when a combination gives an invalid recipe.
    """
    bases = {label: load_recipe(path) for label, path in study.recipe_files().items()}
    designs = design_values(study)
    points: list[StudyPoint] = []
    d = 0
    for label, base in bases.items():
        for values in designs:
            factors: dict[str, Scalar] = ({"recipe": label} if label is not None else {}) | values
            changes: dict[str, object] = dict(study.fixed)
            changes |= {p.path: values[p.column] for p in study.parameters}
            design_id = f"d{d:04d}"
            where = f"study {study.name!r} design {design_id} {factors}"
            try:
                changes |= balance_changes(base, study.parameters, changes)
                if study.replicate_seeds is None:
                    recipes = [base.with_changes(changes)]
                else:
                    recipes = [
                        base.with_changes(changes | {SEED_PATH: s}) for s in study.replicate_seeds
                    ]
                for recipe in recipes:
                    seed = recipe.simulation.seed
                    points.append(
                        StudyPoint(
                            point_id=f"{design_id}-s{seed}",
                            design_id=design_id,
                            factors=factors,
                            seed=seed,
                            recipe=recipe,
                            fingerprint=recipe.fingerprint(),
                        )
                    )
            except RecipeError as err:
                raise RecipeError(where, err.problems) from None
            d += 1
    return points
