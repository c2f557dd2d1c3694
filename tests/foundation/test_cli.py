"""CLI: `recipe check` and `calc ...` are thin wrappers; bad input exits 2 without a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cathodetwin.cli import calc_cmd
from cathodetwin.errors import InputError, RecipeError

from .test_examples import PAPERS

RUNNER = CliRunner()


def _cathodetwin(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from cathodetwin.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_recipe_check_bad_file_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = (PAPERS / "002_model4_85wt.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace("weight_percent = 8.1863", "weight_percent = -8.1863"), "utf-8")
    result = _cathodetwin("recipe", "check", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "weight_percent" in result.stderr


def test_recipe_check_good_file_exits_0() -> None:
    result = _cathodetwin("recipe", "check", str(PAPERS / "003_bm05.toml"))
    assert result.returncode == 0, result.stderr


def test_recipe_check_binary_file_exits_2(tmp_path: Path) -> None:
    binary = tmp_path / "binary.toml"
    binary.write_bytes(bytes(range(256)))
    result = _cathodetwin("recipe", "check", str(binary))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_calc_fractions_json() -> None:
    result = RUNNER.invoke(
        calc_cmd.app, ["fractions", str(PAPERS / "002_model4_85wt.toml"), "--json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert sum(record["material_weight_percent"].values()) == pytest.approx(100.0)
    assert record["theoretical_density_g_cm3"] == pytest.approx(3.7597, abs=1e-4)
    assert record["shell_thickness_um"]["NCM@LPSCl"] > 0.183


def test_calc_shell_thickness_json() -> None:
    result = RUNNER.invoke(
        calc_cmd.app, ["shell-thickness", "--radius-um", "3.75", "--weight-percent", "5", "--json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    # library densities: NCM811 4.8, Li6PS5Cl 1.86 (crystallographic) → 162.6 nm concentric
    # (paper 002, with its 1.64 g/cm³: 183.4 nm; tests/foundation/test_shells.py)
    assert record["shell_density_g_cm3"] == pytest.approx(1.86)
    assert record["thickness_um"] == pytest.approx(
        3.75 * ((1 + (5 / 95) * (4.8 / 1.86)) ** (1 / 3) - 1), rel=1e-9)
    assert record["thickness_um"] == pytest.approx(0.1626, abs=1e-4)
    assert record["eq1_thickness_um"] < record["eq1_glitter_cake_half_um"] * 2 + 1e-12


def test_calc_shell_weight_inverts_thickness() -> None:
    result = RUNNER.invoke(
        calc_cmd.app,
        ["shell-weight", "--radius-um", "3.75", "--thickness-um",
         str(3.75 * ((1 + (5 / 95) * (4.8 / 1.86)) ** (1 / 3) - 1)), "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["shell_weight_percent"] == pytest.approx(5.0, abs=1e-9)


@pytest.mark.parametrize(
    ("args", "key", "value"),
    [
        (
            [
                "conductivity",
                "--thickness-um",
                "600",
                "--resistance-ohm",
                "50",
                "--area-cm2",
                "0.785398",
            ],
            "sigma_eff_s_cm",
            1.5279e-3,
        ),
        (
            [
                "tortuosity",
                "--sigma0-s-cm",
                "2e-3",
                "--fraction",
                "0.3",
                "--sigma-eff-s-cm",
                "1e-4",
            ],
            "tortuosity_factor",
            6.0,
        ),
        (
            ["porosity", "--measured-volume-cm3", "1.0", "--theoretical-volume-cm3", "0.85"],
            "porosity",
            0.15,
        ),
    ],
)
def test_calc_scalar_commands(args: list[str], key: str, value: float) -> None:
    result = RUNNER.invoke(calc_cmd.app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[key] == pytest.approx(value, rel=1e-4)


def test_calc_energy_json() -> None:
    result = RUNNER.invoke(
        calc_cmd.app,
        ["energy", str(PAPERS / "002_model4_85wt.toml"), "--porosity", "0.123", "--json"],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["electrode"]["porosity"] == pytest.approx(0.123)
    assert record["stack"]["layer_thickness_um"]["li"] == pytest.approx(30.0)
    assert record["stack"]["volumetric_energy_wh_l"] < record["cathode"]["volumetric_energy_wh_l"]


@pytest.mark.parametrize(
    "args",
    [
        ["energy", str(PAPERS / "002_model4_85wt.toml")],  # porosity needed
        ["shell-thickness", "--radius-um", "-1", "--weight-percent", "5"],
        ["shell-thickness", "--radius-um", "3", "--weight-percent", "5", "--core-material", "Fe"],
        ["tortuosity", "--sigma0-s-cm", "1e-3", "--fraction", "1.5", "--sigma-eff-s-cm", "1e-4"],
    ],
)
def test_calc_bad_input_raises_input_error(args: list[str]) -> None:
    # The root app's main() turns InputError into a message and exit code 2.
    result = RUNNER.invoke(calc_cmd.app, args)
    assert isinstance(result.exception, InputError), result.output


def test_calc_bad_recipe_raises_recipe_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n', "utf-8")
    result = RUNNER.invoke(calc_cmd.app, ["fractions", str(bad)])
    assert isinstance(result.exception, RecipeError)
    assert "components" in str(result.exception)
