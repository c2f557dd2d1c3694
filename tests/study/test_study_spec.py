"""Study files: validation messages, designs (grid, list, random, Latin hypercube), planning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from study_support import toy_study_data

from cathodetwin.errors import InputError, RecipeError
from cathodetwin.recipe import default_recipe, save_recipe
from cathodetwin.study import design_values, load_study, plan_study
from cathodetwin.study.spec import study_from_dict

D50 = "components.LPSCl-fine.psd.d50_um"
CAM = "components.NCM811.weight_percent"


def _sampled(method: str, n: int, seed: int = 0, log: bool = False) -> dict:
    params = [
        {"path": D50, "name": "d50", "low": 0.5, "high": 8.0, "log": log},
        {"path": "processing.pressing_pressure_mpa", "name": "p", "low": 100.0, "high": 500.0},
    ]
    return toy_study_data(parameters=params, sampling={"method": method, "n": n, "seed": seed})


def test_grid_is_every_combination_and_list_zips() -> None:
    grid = design_values(study_from_dict(toy_study_data()))
    assert grid == [{"sse_d50_um": d, "cam_wt_pct": c} for d in (0.8, 3.0) for c in (60, 75)]
    listed = study_from_dict(toy_study_data(sampling={"method": "list"}))
    assert design_values(listed) == [
        {"sse_d50_um": 0.8, "cam_wt_pct": 60},
        {"sse_d50_um": 3.0, "cam_wt_pct": 75},
    ]


@pytest.mark.parametrize("log", [False, True])
def test_latin_hypercube_puts_one_sample_in_every_stratum(log: bool) -> None:
    n = 16
    values = design_values(study_from_dict(_sampled("lhs", n, seed=3, log=log)))
    d50 = np.array([v["d50"] for v in values])
    p = np.array([v["p"] for v in values])
    u_d50 = np.log(d50 / 0.5) / np.log(8.0 / 0.5) if log else (d50 - 0.5) / 7.5
    u_p = (p - 100.0) / 400.0
    for u in (u_d50, u_p):
        assert sorted(np.floor(u * n).astype(int)) == list(range(n))


def test_random_design_is_reproducible_within_bounds_and_seed_dependent() -> None:
    a = design_values(study_from_dict(_sampled("random", 50, seed=1)))
    b = design_values(study_from_dict(_sampled("random", 50, seed=1)))
    c = design_values(study_from_dict(_sampled("random", 50, seed=2)))
    assert a == b and a != c
    d50 = np.array([v["d50"] for v in a])
    assert d50.min() >= 0.5 and d50.max() <= 8.0
    assert d50.std() > 1.0  # spread over the range, not a constant


def test_plan_sets_replicate_seeds_and_balances_weight() -> None:
    points = plan_study(study_from_dict(toy_study_data()))
    assert len(points) == 2 * 2 * 3
    assert len({p.fingerprint for p in points}) == len(points)
    for p in points:
        assert p.recipe.simulation.seed == p.seed
        assert p.recipe.component("NCM811").weight_percent == p.factors["cam_wt_pct"]
        assert p.recipe.component("LPSCl-fine").psd.d50_um == p.factors["sse_d50_um"]
        assert sum(c.weight_percent for c in p.recipe.components) == pytest.approx(100.0)
        assert p.recipe.component("VGCF").weight_percent == 3.0


def test_recipe_list_is_a_categorical_factor(tmp_path: Path) -> None:
    base = default_recipe()
    save_recipe(base, tmp_path / "fine.toml")
    save_recipe(base.with_changes({D50: 6.0}), tmp_path / "coarse.toml")
    study_file = tmp_path / "study.toml"
    study_file.write_text(
        'name = "coarse vs fine"\nrecipes = ["fine.toml", "coarse.toml"]\n'
        "replicate_seeds = [4, 5]\n",
        encoding="utf-8",
    )
    points = plan_study(load_study(study_file))
    assert [(p.factors["recipe"], p.seed) for p in points] == [
        ("fine", 4),
        ("fine", 5),
        ("coarse", 4),
        ("coarse", 5),
    ]
    d50 = {p.factors["recipe"]: p.recipe.component("LPSCl-fine").psd.d50_um for p in points}
    assert d50 == {"fine": 1.5, "coarse": 6.0}


@pytest.mark.parametrize(
    ("changes", "needles"),
    [
        (
            {
                "sampling": {"method": "list"},
                "parameters": [
                    {"path": D50, "values": [1, 2]},
                    {"path": CAM, "values": [60, 70, 80]},
                ],
            },
            ["same length", "'components.NCM811.weight_percent': 3"],
        ),
        ({"sampling": {"method": "lhs"}}, ["sampling", "needs n"]),
        ({"parameters": [{"path": D50, "low": 2.0, "high": 1.0}]}, ["low=2.0", "high=1.0"]),
        (
            {"parameters": [{"path": D50, "values": [1.0], "balance": "LPSCl-fine"}]},
            ["balance", "weight_percent", D50],
        ),
        (
            {"parameters": [{"path": "simulation.seed", "values": [1, 2]}]},
            ["simulation.seed", "replicate_seeds"],
        ),
        ({"replicate_seeds": [1, 1]}, ["replicate_seeds", "[1]"]),
        ({"sampling": {"method": "sobol"}}, ["sampling.method", "'sobol'", "'lhs'"]),
        (
            {"objectives": [{"metric": "x", "direction": "up"}]},
            ["objectives.0.direction", "'up'", "'maximize'"],
        ),
        ({"repeats": 3}, ["repeats", "Extra inputs"]),
    ],
)
def test_invalid_study_names_field_value_and_allowed(changes: dict, needles: list[str]) -> None:
    with pytest.raises(InputError) as info:
        study_from_dict(toy_study_data(**changes), source="s.toml")
    msg = str(info.value)
    assert msg.startswith("invalid study s.toml")
    for needle in needles:
        assert needle in msg


def test_impossible_point_names_the_design_and_the_recipe_field() -> None:
    params = [{"path": CAM, "name": "cam", "values": [70, 98], "balance": "LPSCl-fine"}]
    with pytest.raises(RecipeError) as info:
        plan_study(study_from_dict(toy_study_data(parameters=params)))
    assert "design d0001 {'cam': 98}" in info.value.source
    assert any("weight_percent" in p and "-1" in p for p in info.value.problems)
    typo = [{"path": "processing.pressing_presure_mpa", "values": [300]}]
    with pytest.raises(RecipeError) as info:
        plan_study(study_from_dict(toy_study_data(parameters=typo)))
    assert any("pressing_presure_mpa" in p for p in info.value.problems)


def test_study_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    save_recipe(default_recipe(), tmp_path / "sub" / "base.toml")
    f = tmp_path / "sub" / "s.toml"
    f.write_text(
        f'name = "rel"\nrecipe = "base.toml"\n[[parameters]]\npath = "{D50}"\nvalues = [1.0]\n',
        encoding="utf-8",
    )
    assert len(plan_study(load_study(f))) == 1
    with pytest.raises(InputError, match="not valid TOML"):
        f.write_text("name = ", encoding="utf-8")
        load_study(f)


EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.parametrize(
    "path",
    sorted((EXAMPLES / "studies").glob("*.toml"))
    + sorted((EXAMPLES / "papers").glob("study_*.toml")),
    ids=lambda p: p.name,
)
def test_example_studies_plan(path: Path) -> None:
    study = load_study(path)
    points = plan_study(study)
    n_recipes = len(study.recipe_files())
    n_seeds = len(study.replicate_seeds or [0])
    assert len(points) == n_recipes * len(design_values(study)) * n_seeds
    assert len({p.fingerprint for p in points}) == len(points)
