"""Property tests: valid recipes round-trip through TOML; malformed ones raise RecipeError."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cathodetwin import formulas as F
from cathodetwin.errors import RecipeError
from cathodetwin.materials import get_material
from cathodetwin.recipe import recipe_from_dict, recipe_from_toml

from .recipe_strategies import GARBAGE, recipe_dict

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _paths(node: object, prefix: tuple = ()) -> tuple[list[tuple], list[tuple]]:
    """(paths to leaves, paths to dict nodes) of a nested dict/list."""
    leaves: list[tuple] = []
    dicts: list[tuple] = []
    if isinstance(node, dict):
        dicts.append(prefix)
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return [prefix], []
    for key, child in items:
        sub_leaves, sub_dicts = _paths(child, (*prefix, key))
        leaves += sub_leaves
        dicts += sub_dicts
    return leaves, dicts


def _get(data: object, path: tuple) -> object:
    for key in path:
        data = data[key]  # type: ignore[index]
    return data


def _field_name(path: tuple) -> str:
    """The last named (non-index) key of a path: the field a message must mention."""
    return next(str(k) for k in reversed(path) if isinstance(k, str))


def _validate_or_error(data: dict) -> RecipeError | None:
    """None when ``data`` is a valid recipe; the RecipeError otherwise (anything else fails)."""
    try:
        recipe_from_dict(data)
    except RecipeError as err:
        assert err.problems, "a RecipeError must list at least one problem"
        return err
    return None


@SETTINGS
@given(recipe_dict())
def test_valid_recipes_round_trip_through_toml(data: dict) -> None:
    recipe = recipe_from_dict(data)
    again = recipe_from_toml(recipe.to_toml())
    assert again == recipe
    assert again.fingerprint() == recipe.fingerprint()


@SETTINGS
@given(recipe_dict(), st.data())
def test_replaced_field_is_named_or_accepted(data: dict, draw: st.DataObject) -> None:
    leaves, _ = _paths(data)
    path = draw.draw(st.sampled_from(leaves))
    value = draw.draw(GARBAGE)
    bad = copy.deepcopy(data)
    _get(bad, path[:-1])[path[-1]] = value  # type: ignore[index]
    err = _validate_or_error(bad)
    if err is not None:
        assert _field_name(path) in str(err), (path, value, str(err))


@SETTINGS
@given(recipe_dict(), st.data())
def test_removed_field_is_named_or_optional(data: dict, draw: st.DataObject) -> None:
    _, dicts = _paths(data)
    holders = [p for p in dicts if _get(data, p)]
    path = draw.draw(st.sampled_from(holders))
    key = draw.draw(st.sampled_from(sorted(_get(data, path))))  # type: ignore[arg-type]
    bad = copy.deepcopy(data)
    del _get(bad, path)[key]  # type: ignore[attr-defined]
    err = _validate_or_error(bad)
    if err is not None:
        assert _field_name((*path, key)) in str(err) or "kind" in str(err), (path, key, str(err))


@SETTINGS
@given(recipe_dict(), st.data())
def test_unknown_field_is_named(data: dict, draw: st.DataObject) -> None:
    _, dicts = _paths(data)
    path = draw.draw(st.sampled_from(dicts))
    bad = copy.deepcopy(data)
    _get(bad, path)["colour_um"] = 1.0  # type: ignore[index]
    err = _validate_or_error(bad)
    assert err is not None and "colour_um" in str(err)


@SETTINGS
@given(recipe_dict(), st.integers(min_value=0, max_value=3), st.floats(1.01, 3.0))
def test_weights_not_summing_to_100_are_named(data: dict, index: int, factor: float) -> None:
    bad = copy.deepcopy(data)
    comp = bad["components"][index % len(bad["components"])]
    comp["weight_percent"] = min(comp["weight_percent"] * factor, 100.0)
    if abs(sum(c["weight_percent"] for c in bad["components"]) - 100.0) <= 0.01:
        return
    err = _validate_or_error(bad)
    assert err is not None and "weight_percent" in str(err)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        recipe_from_toml(text, source="fuzz")
    except RecipeError:
        pass


@pytest.mark.parametrize(
    "path",
    [
        ("electrode", "thickness_um"),
        ("simulation", "box_um", 0),
        ("components", 0, "psd", "d50_um"),
    ],
)
def test_infinite_values_are_rejected(path: tuple) -> None:
    data = {
        "name": "inf",
        "components": [
            {
                "name": "c",
                "material": "NCM811",
                "role": "CAM",
                "weight_percent": 100.0,
                "psd": {"kind": "lognormal", "d50_um": 5.0, "gsd": 1.3},
            }
        ],
        "electrode": {"thickness_um": 60.0},
        "simulation": {"box_um": [20.0, 20.0, 20.0], "voxel_size_um": 0.5, "seed": 0},
        "processing": {"stack_pressure_mpa": 10.0},
    }
    _get(data, path[:-1])[path[-1]] = float("inf")  # type: ignore[index]
    err = _validate_or_error(data)
    assert err is not None and str(path[-1] if isinstance(path[-1], str) else path[-2]) in str(err)


@SETTINGS
@given(recipe_dict())
def test_recipe_formulas_conserve_mass_on_any_valid_recipe(data: dict) -> None:
    recipe = recipe_from_dict(data)
    weights = F.recipe_material_weight_percents(recipe)
    assert sum(weights.values()) == pytest.approx(100.0, abs=1e-9)
    phi = F.recipe_volume_fractions(recipe)
    assert sum(phi.values()) == pytest.approx(1.0, abs=1e-12)
    assert sum(F.recipe_role_volume_fractions(recipe).values()) == pytest.approx(1.0, abs=1e-12)
    rho = F.recipe_theoretical_density_g_cm3(recipe)
    parts = [c.resolved_material().density_g_cm3 for c in recipe.components]
    parts += [get_material(c.shell.material).density_g_cm3 for c in recipe.components if c.shell]
    parts += [get_material(c.buffer.material).density_g_cm3 for c in recipe.components if c.buffer]
    assert min(parts) * (1 - 1e-9) <= rho <= max(parts) * (1 + 1e-9)
    for comp in recipe.components:
        split = F.component_mass_split(comp)
        assert sum(split.values()) == pytest.approx(1.0)
        if comp.shell is not None and comp.shell.weight_percent is not None:
            assert split["shell"] == pytest.approx(comp.shell.weight_percent / 100, rel=1e-8)


@pytest.mark.parametrize(
    "changes",
    [
        {"simulation.box_um.x": 3.0},
        {"components.7.weight_percent": 3.0},
        {"components.nonexistent.weight_percent": 3.0},
        {"components.NCM811.overrides": {"density_g_cm3": -4.8}},
    ],
)
def test_bad_change_paths_raise_recipe_error(changes: dict) -> None:
    from cathodetwin.errors import RecipeError
    from cathodetwin.recipe import default_recipe

    with pytest.raises(RecipeError):
        default_recipe().with_changes(changes)
